// SPDX-License-Identifier: GPL-2.0
/*
 * The bulk comparison (bulk.h).
 *
 * Locks, in rmap's order (mm/rmap.c): the caller holds the anon_vma's root rwsem or the
 * mapping's i_mmap_rwsem for reading, as rmap_walk_anon()/rmap_walk_file() hold them; each
 * candidate's page tables are then read as page_vma_mapped_walk() reads them (pt.c), under their
 * PMD lock or PTL, one table at a time.
 * - Under that rmap lock every candidate VMA stays in the tree, and with it its vm_start,
 *   vm_end, page offset and mm (vma_prepare() takes both rmap locks for writing before any of
 *   them changes; free_pgtables() unlinks the VMA before it frees its page tables).
 * - An entry is counted when it is present and its PFN is the page expected at that position:
 *   what page_vma_mapped_walk()'s check_pte()/check_pmd() test.
 * - Nothing is allocated and nothing sleeps under a PTL: records come from the preallocated
 *   pool (sharing.c). cond_resched() runs between candidates, as in rmap_walk_anon().
 */
#include <linux/bitmap.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "bulk.h"
#include "call.h"
#include "compat.h"
#include "pt.h"

int rs_bulk_callable(void)
{
	return rs_rmap_trees_callable() && !rs_pt_callable() ? 0 : -EOPNOTSUPP;
}

void rs_bulk_lock(const struct rs_bulk_run *r)
{
	if (r->anon_vma)
		rs_anon_vma_lock_read(r->anon_vma);
	else
		i_mmap_lock_read(r->mapping);
}

void rs_bulk_unlock(const struct rs_bulk_run *r)
{
	if (r->anon_vma)
		rs_anon_vma_unlock_read(r->anon_vma);
	else
		i_mmap_unlock_read(r->mapping);
}

/* The candidate VMAs of page offsets [first, last], one at a time: rmap_walk()'s own loops. */
struct rs_bulk_iter {
	const struct rs_bulk_run *r;
	pgoff_t first, last;
	struct anon_vma_chain *avc;
	struct vm_area_struct *vma;
	bool started;
};

/* The next candidate, and its page offset in the tree it was found in; NULL past the last. */
static struct vm_area_struct *rs_bulk_next(struct rs_bulk_iter *it, pgoff_t *vpgoff)
{
	if (it->r->anon_vma) {
		it->avc = it->started ? rs_call_anon_tree_next(it->avc, it->first, it->last)
				      : rs_call_anon_tree_first(it->r->anon_vma, it->first, it->last);
		it->started = true;
		if (!it->avc)
			return NULL;
		*vpgoff = rs_vma_anon_pgoff(it->avc->vma);
		return it->avc->vma;
	}
	it->vma = it->started ? rs_call_file_tree_next(it->vma, it->first, it->last)
			      : rs_call_file_tree_first(it->r->mapping, it->first, it->last);
	it->started = true;
	if (it->vma)
		*vpgoff = it->vma->vm_pgoff;
	return it->vma;
}

unsigned int rs_bulk_candidates(const struct rs_bulk_run *r, unsigned int n)
{
	struct rs_bulk_iter it = { .r = r, .first = r->pgoff, .last = r->pgoff + n - 1 };
	unsigned int c = 0;
	pgoff_t vpgoff;

	while (rs_bulk_next(&it, &vpgoff))
		c++;
	return c;
}

unsigned int rs_bulk_fit(unsigned int c, unsigned int n)
{
	unsigned long words;

	if (!c)
		return n;
	if (c > RMAPSCOPE_MAX_MAPS)
		return 0;
	/* Two bitmaps of the run's positions per candidate in the pool (sharing.h). */
	words = RS_SHARE_POOL_WORDS / (2UL * c);
	if (!words)
		return 0;
	n = min_t(unsigned long, n, words * BITS_PER_LONG);
	return max_t(unsigned long, 1, min_t(unsigned long, n, RS_BULK_BUDGET / c));
}

/* One entry seen at position k of rec's VMA: counted if it maps the page expected there. */
static __always_inline void rs_bulk_match(struct rs_sharing *s, struct rs_share_rec *rec, bool mine, unsigned int k,
			  unsigned long pfn, bool young, bool dirty)
{
	if (pfn != s->pfn[k])
		return;
	__set_bit(k, rec->pages);
	if (young)
		__set_bit(k, rec->young);
	s->counts[k]++;
	if (mine)
		s->flags[k] |= RS_POS_MINE | (dirty ? RS_POS_DIRTY : 0);
}

/*
 * The entries of one candidate for the positions in todo inside it ([k0, k1)), one page table
 * at a time, as page_vma_mapped_walk() reads them.
 */
static void rs_bulk_vma(struct rs_sharing *s, const struct rs_bulk_run *r, struct rs_share_rec *rec,
			const unsigned long *todo)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)rec->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool mine = vma == r->target_vma;
	unsigned int k1 = rec->k1, k = find_next_bit(todo, k1, rec->k0);

	while (k < k1) {
		unsigned long addr = rec->base + ((unsigned long)k << PAGE_SHIFT), skip, span;
		pmd_t *pmd = rs_pt_pmd(mm, addr, &skip);
		unsigned int kend, kk;
		spinlock_t *ptl;
		pmd_t leaf;
		pte_t *pte;

		if (!pmd) {
			span = skip > addr ? (skip - addr) >> PAGE_SHIFT : k1;
			k = find_next_bit(todo, k1, min_t(unsigned long, k1, k + span));
			continue;
		}
		kend = min_t(unsigned long, k1, k + ((pmd_addr_end(addr, vma->vm_end) - addr) >> PAGE_SHIFT));
		pte = rs_pt_lock(mm, pmd, addr, &ptl, &leaf);
		/* The todo positions of this table, a bitmap word at a time (the dense case is all of them). */
		for (kk = k; ptl && kk < kend; kk = (kk | (BITS_PER_LONG - 1)) + 1) {
			unsigned long w = todo[BIT_WORD(kk)] & BITMAP_FIRST_WORD_MASK(kk);

			if (BIT_WORD(kk) == BIT_WORD(kend - 1))
				w &= BITMAP_LAST_WORD_MASK(kend);
			for (; w; w &= w - 1) {
				unsigned int j = BIT_WORD(kk) * BITS_PER_LONG + __ffs(w);

				if (pte) {
					pte_t e = ptep_get(pte + (j - k));

					if (pte_present(e))
						rs_bulk_match(s, rec, mine, j, pte_pfn(e), pte_young(e), pte_dirty(e));
				} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
					unsigned long a = rec->base + ((unsigned long)j << PAGE_SHIFT);

					rs_bulk_match(s, rec, mine, j, pmd_pfn(leaf) + ((a & ~PMD_MASK) >> PAGE_SHIFT),
						      pmd_young(leaf), pmd_dirty(leaf));
#endif
				}
			}
		}
		if (ptl)
			rs_pt_unlock(pte, ptl);
		k = find_next_bit(todo, k1, kend);
	}
}

/*
 * share's shortcut for small folios: a candidate VMA maps a page at one address at most, so
 * when the kernel's own mapcount of a small folio (read under the target's PTL) equals the
 * number of candidates that cover its page offset, every one of them maps it, once. Those
 * positions ("full") need no page-table read; the others are read entry by entry.
 */
static void rs_bulk_full(struct rs_sharing *s, const struct rs_bulk_run *r)
{
	unsigned int i, k;

	bitmap_zero(s->full, s->n);
	if (!r->mapcount)
		return;
	/* The candidates covering each position: their [k0, k1) as a difference array, summed. */
	memset(s->cov, 0, (s->n + 1) * sizeof(*s->cov));
	for (i = 0; i < s->nrec; i++) {
		s->cov[s->recs[i].k0]++;
		s->cov[s->recs[i].k1]--;
	}
	for (k = 1; k < s->n; k++)
		s->cov[k] += s->cov[k - 1];
	for_each_set_bit(k, s->has, s->n) {
		if (r->mapcount[k] && r->mapcount[k] == s->cov[k]) {
			__set_bit(k, s->full);
			s->counts[k] = s->cov[k];
		}
	}
	for (i = 0; i < s->nrec; i++) {
		struct rs_share_rec *rec = &s->recs[i];

		bitmap_zero(s->span, s->n);
		bitmap_set(s->span, rec->k0, rec->k1 - rec->k0);
		bitmap_and(rec->pages, s->full, s->span, s->n);
		if (rec->vma == r->target_vma)
			for_each_set_bit(k, rec->pages, s->n)
				s->flags[k] |= RS_POS_MINE;
	}
}

int rs_bulk_compare(struct rs_sharing *s, const struct rs_bulk_run *r)
{
	pgoff_t first = r->pgoff, vpgoff;
	struct rs_bulk_iter it = { .r = r, .first = first, .last = first + s->n - 1 };
	struct vm_area_struct *vma;
	unsigned int i;

	s->walks++;
	/* Every candidate gets a record: its positions and its address of position 0. */
	while ((vma = rs_bulk_next(&it, &vpgoff))) {
		struct rs_share_rec *rec;

		s->vmas++;
		cond_resched();
		/* Never ours to read: hugetlb has walks of its own, PFN maps have no folios. */
		if (is_vm_hugetlb_page(vma) || (vma->vm_flags & (VM_PFNMAP | VM_IO)))
			continue;
		rec = rs_sharing_rec(s);
		if (!rec)
			return -E2BIG;
		rec->mm = vma->vm_mm;
		rec->vma = vma;
		rec->k0 = vpgoff > first ? vpgoff - first : 0;
		rec->k1 = min_t(unsigned long, s->n, vpgoff + vma_pages(vma) - first);
		rec->base = vma->vm_start - ((vpgoff - first) << PAGE_SHIFT);
		rec->target = r->target && vma->vm_mm == r->target;
		rec->shift = (long)(rec->base - r->target_addr);
		if (rec->k0 >= rec->k1)
			s->nrec--;	/* the tree's range and the VMA's disagree: nothing of ours */
	}
	rs_bulk_full(s, r);
	bitmap_andnot(s->todo, s->has, s->full, s->n);
	for (i = 0; i < s->nrec; i++)
		if (!bitmap_empty(s->todo, s->n))
			rs_bulk_vma(s, r, &s->recs[i], s->todo);

	/* The target's other mappings of a page at a lower address count the peers there. */
	for (i = 0; r->target && i < s->nrec; i++) {
		const struct rs_share_rec *rec = &s->recs[i];
		unsigned int k;

		if (!rec->target || rec->vma == r->target_vma || rec->shift >= 0)
			continue;
		for_each_set_bit(k, rec->pages, s->n)
			if (r->target_addr + ((unsigned long)k << PAGE_SHIFT) + rec->shift >= r->range_start)
				s->flags[k] &= ~RS_POS_FIRST;
	}
	return 0;
}
