/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RS_KERNEL_SCRATCH_H
#define RS_KERNEL_SCRATCH_H

#include <linux/types.h>

/*
 * A command's fixed-size tables (share's and phys's candidates, records, sets; a walk's entries),
 * kept for a while after the command frees them and handed to the next command that asks for the
 * same size (scratch.c). Allocated like kvmalloc(), with RS_GFP; freed only by rs_scratch_free().
 */
void *rs_scratch_alloc(size_t n, size_t size);		/* n * size bytes, or NULL */
void *rs_scratch_zalloc(size_t n, size_t size);		/* ... zeroed */
void rs_scratch_free(void *p);				/* NULL is nothing */
size_t rs_scratch_kept_bytes(void);				/* bytes kept now (KUnit) */
void rs_scratch_exit(void);				/* rmmod: everything kept is freed */

#endif
