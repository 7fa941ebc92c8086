/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno values the core returns. They are the asm-generic numbers, which x86-64 and arm64
 * share; module/kernel/os.c checks each one against <linux/errno.h> at build time.
 */
#ifndef RMAPSCOPE_CORE_ERRNO_H
#define RMAPSCOPE_CORE_ERRNO_H

#define RS_ENOENT 2
#define RS_ENOMEM 12
#define RS_EINVAL 22
#define RS_ENOSPC 28

#endif /* RMAPSCOPE_CORE_ERRNO_H */
