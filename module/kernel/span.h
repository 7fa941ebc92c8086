/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The present pages of a span of a process's addresses, found without faulting or touching them:
 * what the range scan (range.c) and share (share.c) go through, one PMD-sized span at a time.
 */
#ifndef RMAPSCOPE_SPAN_H
#define RMAPSCOPE_SPAN_H

#include <linux/mm_types.h>
#include <linux/pgtable.h>

/* Consecutive pages of one folio, mapped at consecutive addresses. */
struct rs_span_item {
	struct folio *folio;	/* referenced, or NULL for a skip found at lookup */
	unsigned long addr, pfn;
	unsigned int pages;
	unsigned int young;	/* pages whose entry was young at lookup */
	unsigned long young_mask;	/* which of the first BITS_PER_LONG pages */
	int skip;
	struct vm_area_struct *vma;	/* valid while the span's mmap_lock is held */
	bool rechecked;		/* its entry was read again just before asking */
	bool consumed;		/* ... and found old: a look-around in this span cleared it */
};

#define RS_SPAN_MAX (PMD_SIZE / PAGE_SIZE)

/*
 * Under mmap_lock (read): fills items with the pages of [addr, end), which lies within one PMD
 * span, and returns how many. Each item holds a folio reference (folio_put() it) or is a skip
 * (RS_SKIP_UNTRACKED: zero page, driver page or no rmap; RS_SKIP_UNSUPPORTED: device memory).
 * hugetlb and PFN-map VMAs are passed over.
 */
unsigned int rs_span_collect(struct mm_struct *mm, unsigned long addr, unsigned long end,
			     struct rs_span_item *items);

#endif /* RMAPSCOPE_SPAN_H */
