/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bulk comparison (method=bulk of share and phys): for a run of pages that share one
 * anon_vma or one address_space at consecutive page offsets, the reverse map's candidate VMAs
 * are found once, under the lock rmap_walk() takes for any one of them, and each candidate's
 * page-table entries for the run are compared with the run's pages in one pass per page table,
 * instead of one rmap walk, and one page_vma_mapped_walk() per candidate, per page.
 *
 * Positions are the run's page offsets: position k is page offset pgoff + k, where candidate
 * VMA v maps it at v->vm_start + ((pgoff + k - v's page offset) << PAGE_SHIFT), the address
 * rmap_walk() gives rmap_one (vma_address()). Candidates are exactly the VMAs rmap_walk_anon()
 * or rmap_walk_file() visits for any page of the run, so an entry counted here is an entry
 * rmap_walk() would have found, and no other.
 */
#ifndef RMAPSCOPE_BULK_H
#define RMAPSCOPE_BULK_H

#include <linux/fs.h>
#include <linux/rmap.h>

#include "sharing.h"

/* Entries compared under one hold of an rmap lock, at most (a page table times 256 VMAs). */
#define RS_BULK_BUDGET (128UL * 1024)

struct rs_bulk_run {
	struct anon_vma *anon_vma;	/* an anon run: its anon_vma, locked by the caller; or NULL */
	struct address_space *mapping;	/* a file run: its mapping, locked by the caller */
	pgoff_t pgoff;			/* the page offset of position 0 */
	/*
	 * share: the target's own VMA and the address of position 0 in it (else NULL), and where
	 * the scanned range of the target starts: its other mappings below are not counted.
	 */
	const struct vm_area_struct *target_vma;
	struct mm_struct *target;
	unsigned long target_addr, range_start;
	/* each position's small-folio mapcount (0: not known), for the shortcut in bulk.c */
	const u32 *mapcount;
	/*
	 * phys with its YOUNG column: every mapping's young entries are wanted, so the positions
	 * the shortcut counts are still read, for the young bit alone.
	 */
	bool young;
};

/* 0 when the bulk comparison can run on this kernel; else -EOPNOTSUPP. */
int rs_bulk_callable(void);

/* The rmap lock of a run: the anon_vma's root rwsem, or the mapping's i_mmap_rwsem (read). */
void rs_bulk_lock(const struct rs_bulk_run *r);
void rs_bulk_unlock(const struct rs_bulk_run *r);

/* Under the rmap lock: the candidate VMAs of page offsets [pgoff, pgoff + n). */
/*
 * The candidate VMAs of positions [0, n) of r, counted under the rmap lock; the caller's next
 * rs_bulk_compare() under the same hold of it takes them from s instead of searching again.
 */
unsigned int rs_bulk_candidates(struct rs_sharing *s, const struct rs_bulk_run *r, unsigned int n);

/*
 * How many of n positions one comparison with c candidates may take: within RS_BULK_BUDGET
 * and with a record for every candidate in the pool; 0 when not even one position fits.
 */
unsigned int rs_bulk_fit(unsigned int c, unsigned int n);

/*
 * Under the rmap lock, after rs_sharing_begin(s, n) and with s->pfn and s->has set for the
 * positions that have a page: compares every candidate's entries with them. Fills s->counts
 * and s->recs; for share, the RS_POS_MINE and RS_POS_DIRTY flags from the target's own VMA,
 * and clears RS_POS_FIRST where another VMA of the target maps the page at a lower address
 * inside the scanned range.
 * 0, or -E2BIG when the records ran out.
 */
int rs_bulk_compare(struct rs_sharing *s, const struct rs_bulk_run *r);

#endif /* RMAPSCOPE_BULK_H */
