/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI shared by rmapscope.ko and the userspace tools: names of debugfs files, keys of report
 * records and limits. Plain C with no includes, so the kernel, the C++ core and the tools all use it.
 * Every change here is documented in docs/debugfs.md.
 */
#ifndef RMAPSCOPE_ABI_H
#define RMAPSCOPE_ABI_H

#define RMAPSCOPE_VERSION "0.1.0"
/* Bumped on any incompatible change of a file's format. */
#define RMAPSCOPE_ABI_VERSION 1

#define RMAPSCOPE_DEBUGFS_DIR "rmapscope"
#define RMAPSCOPE_FILE_VERSION "version"

/* The version file is small and fixed in shape; this bounds its buffer. */
#define RMAPSCOPE_VERSION_MAX_BYTES 4096

#endif /* RMAPSCOPE_ABI_H */
