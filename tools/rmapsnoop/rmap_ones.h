/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's rmap_one callbacks rmapsnoop counts (one call per VMA a walk visits), written
 * once: rmapsnoop.bpf.c makes a fentry and a kprobe program of each, probes.cpp the list it
 * attaches. All are address-taken (rwc->rmap_one), so never inlined. Names differ by kernel:
 * each kernel has some of them; a missing one is skipped (reported with -v).
 */
#ifndef RMAPSNOOP_RMAP_ONES_H
#define RMAPSNOOP_RMAP_ONES_H

#define RMAPSNOOP_RMAP_ONES(X)						\
	X(folio_referenced_one)			/* reclaim, page_idle-like */	\
	X(try_to_unmap_one)						\
	X(try_to_unmap_poisoned_hugetlb_one)	/* 7.x */		\
	X(try_to_migrate_one)						\
	X(page_mkclean_one)						\
	X(mapping_wrprotect_range_one)		/* 7.x */		\
	X(page_make_device_exclusive_one)	/* 6.12 */		\
	X(remove_migration_pte)						\
	X(page_idle_clear_pte_refs_one)					\
	X(damon_folio_mkold_one)		/* 6.12, 7.x */		\
	X(damon_folio_young_one)		/* 6.12, 7.x */		\
	X(__damon_pa_mkold)			/* 6.1 */		\
	X(__damon_pa_young)			/* 6.1 */

#endif
