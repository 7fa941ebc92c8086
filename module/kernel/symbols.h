/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unexported kernel functions rmapscope calls, found at load time. Every pointer is declared
 * with typeof(&fn) so its prototype comes from the target kernel's own header: if a kernel
 * changes a prototype, the module stops compiling instead of making a wrong call.
 */
#ifndef RMAPSCOPE_SYMBOLS_H
#define RMAPSCOPE_SYMBOLS_H

#include <linux/rmap.h>

/* X(name, required): a required symbol that cannot be found makes the load fail. */
#define RS_KERNEL_SYMBOLS(X)			\
	X(rmap_walk, 1)				\
	X(rmap_walk_locked, 0)			\
	X(page_vma_mapped_walk, 1)		\
	X(folio_lock_anon_vma_read, 1)		\
	X(folio_referenced, 1)			\
	X(try_to_unmap, 1)

struct rs_kernel_syms {
#define RS_DECLARE_PTR(name, required) typeof(&name) name;
	RS_KERNEL_SYMBOLS(RS_DECLARE_PTR)
#undef RS_DECLARE_PTR
};

extern struct rs_kernel_syms rs_syms;

#define RS_NR_KERNEL_SYMBOLS (sizeof(struct rs_kernel_syms) / sizeof(void *))

struct rs_symbol_status;

/* Resolves every symbol; 0, or -ENOENT/-EOPNOTSUPP with one clear log line per failure. */
int rs_symbols_resolve(void);
/* Fills out[RS_NR_KERNEL_SYMBOLS] with the names and what resolve found. */
void rs_symbols_status(struct rs_symbol_status *out);

#endif /* RMAPSCOPE_SYMBOLS_H */
