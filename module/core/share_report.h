/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What share pid= found: module/kernel/share.c fills it, the core writes the response
 * (docs/debugfs.md, "share").
 */
#ifndef RMAPSCOPE_CORE_SHARE_REPORT_H
#define RMAPSCOPE_CORE_SHARE_REPORT_H

#include "../../include/rmapscope/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of folio, as smaps tells them apart: anon, page cache, shmem (swap-backed file), KSM. */
#define RS_SHARE_KINDS(X) X(ANON, "anon") X(FILE, "file") X(SHMEM, "shmem") X(KSM, "ksm")
enum {
#define RS_SK_ID(name, text) RS_SK_##name,
	RS_SHARE_KINDS(RS_SK_ID)
#undef RS_SK_ID
	RS_NR_SHARE_KINDS
};

/* Present pages share does not count, by reason. */
#define RS_SHARE_SKIPS(X)						\
	X(UNTRACKED, "untracked")	/* zero page, or a page without rmap (vdso, driver) */ \
	X(UNSUPPORTED, "unsupported")	/* device memory */				\
	X(LARGE, "large")		/* method=walk: a folio of more than a PMD's pages */	\
	X(RACED, "raced")		/* unmapped or remapped between lookup and walk */	\
	X(TOO_MANY_MAPPINGS, "too_many_mappings") /* more than RMAPSCOPE_MAX_MAPS mappings */
enum {
#define RS_SS_ID(name, text) RS_SS_##name,
	RS_SHARE_SKIPS(RS_SS_ID)
#undef RS_SS_ID
	RS_NR_SHARE_SKIPS
};

/* Proportional sizes are kept as smaps keeps them: bytes << RS_PSS_SHIFT. */
#define RS_PSS_SHIFT 12

/* Another process mapping some of the target's pages. */
struct rs_share_peer {
	int pid;			/* the mm's owner, as walk's pid= (0: outside the pid namespace) */
	unsigned int nr_pids;		/* 0: no process uses the mm any more */
	char comm[16];
	unsigned long pages;		/* target pages this process maps too */
	unsigned long kind[RS_NR_SHARE_KINDS];	/* ... by kind of folio */
	unsigned long thp;		/* ... in PMD-sized folios */
	unsigned long long pss;		/* its proportional share of them, bytes << RS_PSS_SHIFT */
	/* phys only */
	unsigned long shared;		/* pages it maps that another process maps too */
	unsigned long young;		/* pages whose entry in it was young (referenced=1) */
	unsigned long rss;		/* entries of it that map the pages (smaps' Rss, in pages) */
	unsigned long uss;		/* ... of pages no other entry maps (smaps' Private_*) */
	unsigned int id;		/* its place in the table while the scan runs (sets= names it) */
};

struct rs_share_result {
	int pid;
	int method;			/* RS_METHOD_*: how the mappings were found */
	const char *mapcount;		/* the kernel's mapcount model (version's mapcount=) */
	unsigned long start, end;	/* page-aligned; 0 and TASK_SIZE for the whole address space */
	/* The target's own memory, with smaps' arithmetic (fs/proc/task_mmu.c smaps_account()). */
	unsigned long rss;		/* present pages counted */
	unsigned long long pss;		/* bytes << RS_PSS_SHIFT */
	unsigned long uss;		/* pages mapped once (private) */
	unsigned long shared_clean, shared_dirty, private_clean, private_dirty;	/* pages */
	unsigned long kind[RS_NR_SHARE_KINDS];	/* rss by kind of folio */
	unsigned long thp;		/* rss in PMD-sized folios */
	unsigned long skips[RS_NR_SHARE_SKIPS];	/* present pages not counted */
	unsigned long folios;		/* rmap walks (method=walk) or bulk comparisons made */
	unsigned long vmas;		/* VMAs they looked at: rmap_one calls, or candidates */
	struct rs_share_peer *peers;	/* preallocated by the caller, peers_cap entries */
	unsigned int nr_peers, peers_cap;
	unsigned long peers_dropped;	/* peers past peers_cap (their pages still count above) */
	int all_owners;
	unsigned int shared_mms;
	unsigned long long lock_max_ns;	/* the longest hold of one anon_vma or i_mmap lock */
	unsigned long long ns;
};

/* Writes the response; its length, or -RS_ENOSPC when buf is too small. */
long rs_core_format_share(const struct rs_share_result *res, int format, char *buf, __SIZE_TYPE__ cap);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_SHARE_REPORT_H */
