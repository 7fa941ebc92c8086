/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What phys start_pfn= end_pfn= found: module/kernel/phys.c fills it, the core writes the
 * response (docs/debugfs.md, "phys"). Owners use share's per-process record.
 */
#ifndef RMAPSCOPE_CORE_PHYS_REPORT_H
#define RMAPSCOPE_CORE_PHYS_REPORT_H

#include "share_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pages of the range that were not attributed, by reason. */
#define RS_PHYS_SKIPS(X)						\
	X(OFFLINE, "offline")		/* no online memory at that PFN (holes, device memory) */ \
	X(NOT_LRU, "not_lru")		/* kernel memory, free pages, or isolated right now */	\
	X(HUGETLB, "hugetlb")		/* hugetlb folios: not walked */			\
	X(LARGE, "large")		/* folios of more than a PMD's pages */			\
	X(LOCKED, "locked")		/* folio lock held by someone else (never waited for) */ \
	X(ISOLATED, "isolated")		/* referenced=1: isolated by someone else */		\
	X(TOO_MANY_MAPPINGS, "too_many_mappings")					\
	X(UNSUPPORTED, "unsupported")	/* folio_lock_anon_vma_read not callable */
enum {
#define RS_PS_ID(name, text) RS_PS_##name,
	RS_PHYS_SKIPS(RS_PS_ID)
#undef RS_PS_ID
	RS_NR_PHYS_SKIPS
};

/* A file (or shmem object) whose pages in the range are mapped. */
struct rs_phys_file {
	char path[RMAPSCOPE_PATH_MAX];	/* within its filesystem (dentry_path_raw), or "" */
	unsigned long pages;		/* mapped pages of it in the range */
	unsigned long shared;		/* ... mapped by more than one process */
	unsigned long referenced;	/* ... in folios folio_referenced() found referenced */
};

/*
 * sets=1: one set of processes (owners) that map the same pages, and those pages: every mapped
 * page of the range is in exactly one set (or counted in sets_dropped).
 */
struct rs_phys_set {
	unsigned long pages;
	unsigned long kind[RS_NR_SHARE_KINDS];
	unsigned long thp;
	unsigned int first, n;		/* the owners' ids: set_members[first, first + n), ascending */
	unsigned int unlisted;		/* mappers past the owners listed, not named */
};

struct rs_phys_result {
	unsigned long start_pfn, end_pfn;	/* [start, end); end defaults to the end of RAM */
	int method;			/* RS_METHOD_*: how the mappings were found */
	int no_young;			/* in: young=0, owners' young entries not read (young=- in the response) */
	const char *mapcount;		/* the kernel's mapcount model (version's mapcount=) */
	unsigned long pages;		/* PFNs looked at */
	unsigned long lru;		/* pages of LRU folios (counted at their first PFN in the range) */
	unsigned long mapped;		/* ... mapped by some process */
	unsigned long unmapped;		/* ... mapped by none (page cache, swap cache) */
	unsigned long shared;		/* mapped pages mapped by more than one process */
	long referenced;		/* mapped pages in referenced folios; -1 without referenced=1 */
	unsigned long kind[RS_NR_SHARE_KINDS];	/* mapped pages by kind */
	unsigned long thp;
	unsigned long skips[RS_NR_PHYS_SKIPS];	/* pages */
	unsigned long folios, vmas;	/* rmap walks or bulk comparisons, and the VMAs they looked at */
	struct rs_share_peer *owners;	/* preallocated by the caller: owners_cap entries */
	unsigned int nr_owners, owners_cap;
	unsigned long owners_dropped;
	struct rs_phys_file *files;	/* preallocated by the caller: files_cap entries */
	unsigned int nr_files, files_cap;
	unsigned long files_dropped;
	int all_owners;
	unsigned int shared_mms;
	/* sets=1 (sets_cap 0: not asked for): preallocated by the caller. */
	struct rs_phys_set *sets;
	unsigned int nr_sets, sets_cap;
	unsigned int *set_members;
	unsigned long nr_set_members, set_members_cap;
	unsigned long sets_dropped;	/* mapped pages in no set: past the room for sets */
	unsigned long long lock_max_ns;	/* the longest hold of one anon_vma or i_mmap lock */
	unsigned long long ns;
};

/* Writes the response; its length, or -RS_ENOSPC when buf is too small. */
long rs_core_format_phys(const struct rs_phys_result *res, int format, char *buf, __SIZE_TYPE__ cap);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_PHYS_REPORT_H */
