/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI shared by rmapscope.ko and the userspace tools: the version numbers, the names of the
 * debugfs files, and the limits of commands and reports. (The report records' kinds and keys are
 * documented in docs/debugfs.md; the writers are module/core/'s *_report.cpp files.) Plain C
 * with no includes, so the kernel, the C++ core and the tools all use it. Every change here is
 * documented in docs/debugfs.md.
 */
#ifndef RMAPSCOPE_ABI_H
#define RMAPSCOPE_ABI_H

#define RMAPSCOPE_VERSION "0.1.0"
/* Bumped on any incompatible change of a file's format. */
#define RMAPSCOPE_ABI_VERSION 2

#define RMAPSCOPE_DEBUGFS_DIR "rmapscope"
#define RMAPSCOPE_FILE_VERSION "version"

#define RMAPSCOPE_FILE_CTL "ctl"
/* Under integrity lockdown, ctl's transactions are served at /dev/RMAPSCOPE_DEVICE_NAME instead. */
#define RMAPSCOPE_DEVICE_NAME "rmapscope"

/*
 * ctl's verbs (docs/debugfs.md, "Command grammar"), written once: the parser takes its verbs
 * from this list, and the test harness its list of verbs to cover (a verb no test reaches fails
 * the tests). X(ID, name).
 */
#define RMAPSCOPE_VERBS(X)				\
	X(WALK, "walk")					\
	X(TREE, "tree")					\
	X(REFERENCED, "referenced")			\
	X(UNMAP, "unmap")				\
	X(SHARE, "share")				\
	X(PHYS, "phys")

/* The version file is small and fixed in shape; this bounds its buffer. */
#define RMAPSCOPE_VERSION_MAX_BYTES 4096

/* ctl: the longest command accepted (without its trailing newline). */
#define RMAPSCOPE_CMD_MAX 256
/* ctl: mappings reported by one walk unless max= says otherwise, and the most max= allows. */
#define RMAPSCOPE_DEFAULT_MAX_MAPS 4096
#define RMAPSCOPE_MAX_MAPS 16384
/* The kernel's PID_MAX_LIMIT on 64-bit: no pid is larger. */
#define RMAPSCOPE_PID_MAX 4194304
/* A mapping's file path is cut to this many bytes in reports. */
#define RMAPSCOPE_PATH_MAX 256
/* Thread-group leaders listed per mm (CLONE_VM sharers); more are counted, not listed. */
#define RMAPSCOPE_OWNER_PIDS 8

/* referenced pid= start= end=: the longest range scanned, and the longest with detail=1. */
#define RMAPSCOPE_RANGE_MAX_BYTES (1UL << 30)
#define RMAPSCOPE_RANGE_DETAIL_MAX_PAGES 65536

/* share pid=: the peers listed (more are counted in peers_dropped=). */
#define RMAPSCOPE_SHARE_PEERS_MAX 1024
/* phys: the owners and files listed (more are counted in owners_dropped= and files_dropped=). */
#define RMAPSCOPE_PHYS_OWNERS_MAX 1024
#define RMAPSCOPE_PHYS_FILES_MAX 512
/*
 * phys sets=1: the owners listed (every process, on most machines), the sets of owners that map
 * the same pages, and the owner ids all the sets list together. Pages past them are counted in
 * sets_dropped=.
 */
#define RMAPSCOPE_PHYS_SETS_OWNERS_MAX 6144
#define RMAPSCOPE_PHYS_SETS_MAX 65536
#define RMAPSCOPE_PHYS_SET_MEMBERS_MAX (1UL << 20)

#endif /* RMAPSCOPE_ABI_H */
