/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errno values the core returns. They are the asm-generic numbers, which x86-64 and arm64
 * share; module/kernel/os.c checks each one against <linux/errno.h> at build time.
 */
#ifndef RMAPSCOPE_CORE_ERRNO_H
#define RMAPSCOPE_CORE_ERRNO_H

#define RS_ERRNOS(X)		\
	X(EPERM, 1)		\
	X(ENOENT, 2)		\
	X(ESRCH, 3)		\
	X(EINTR, 4)		\
	X(ENXIO, 6)		\
	X(EAGAIN, 11)		\
	X(ENOMEM, 12)		\
	X(EFAULT, 14)		\
	X(EBUSY, 16)		\
	X(ENODEV, 19)		\
	X(EINVAL, 22)		\
	X(ENOSPC, 28)		\
	X(ERANGE, 34)		\
	X(ENODATA, 61)		\
	X(EOPNOTSUPP, 95)

#define RS_ERRNO_DEFINE(name, value) enum { RS_##name = value };
RS_ERRNOS(RS_ERRNO_DEFINE)
#undef RS_ERRNO_DEFINE

#endif /* RMAPSCOPE_CORE_ERRNO_H */
