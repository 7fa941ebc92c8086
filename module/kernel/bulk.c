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
 * - The candidates are searched once per comparison: rs_bulk_candidates() counts them (for
 *   rs_bulk_fit()) and keeps them, and rs_bulk_compare() takes them from there under the same
 *   hold of the rmap lock, in the tree's order.
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

/* The interval tree a run's candidates come from: its anon_vma's, or its mapping's i_mmap. */
static const void *rs_bulk_tree(const struct rs_bulk_run *r)
{
	return r->anon_vma ? (const void *)r->anon_vma : (const void *)r->mapping;
}

unsigned int rs_bulk_candidates(struct rs_sharing *s, const struct rs_bulk_run *r, unsigned int n)
{
	struct rs_bulk_iter it = { .r = r, .first = r->pgoff, .last = r->pgoff + n - 1 };
	struct vm_area_struct *vma;
	unsigned int c = 0;
	pgoff_t vpgoff;

	while ((vma = rs_bulk_next(&it, &vpgoff))) {
		if (c < RMAPSCOPE_MAX_MAPS)
			s->cand[c] = (struct rs_bulk_cand){ .vma = vma, .vpgoff = vpgoff };
		c++;
	}
	/* Past RMAPSCOPE_MAX_MAPS, rs_bulk_fit() refuses the run: nothing to keep. */
	s->ncand = c;
	s->cand_tree = c <= RMAPSCOPE_MAX_MAPS ? rs_bulk_tree(r) : NULL;
	s->cand_first = it.first;
	s->cand_last = it.last;
	return c;
}

/*
 * The next candidate of [first, last]: from those rs_bulk_candidates() kept for a range that
 * holds it (the same tree, under the same hold of its lock; those outside [first, last] are
 * passed over, as the tree's own search would), or from the tree.
 */
static struct vm_area_struct *rs_bulk_next_cand(struct rs_sharing *s, struct rs_bulk_iter *it,
						unsigned int *ci, pgoff_t *vpgoff)
{
	if (!s->cand_tree || s->cand_tree != rs_bulk_tree(it->r) || it->first != s->cand_first ||
	    it->last > s->cand_last)
		return rs_bulk_next(it, vpgoff);
	for (; *ci < s->ncand; ++*ci) {
		const struct rs_bulk_cand *c = &s->cand[*ci];

		if (c->vpgoff <= it->last && c->vpgoff + vma_pages(c->vma) > it->first) {
			*vpgoff = c->vpgoff;
			return s->cand[(*ci)++].vma;
		}
	}
	return NULL;
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

/*
 * The entries of one candidate for the positions in todo inside it ([k0, k1)), one page table
 * at a time, as page_vma_mapped_walk() reads them. Positions in yonly (or NULL) are ones the
 * mapcount shortcut has already counted (rs_bulk_full()): their entries are read for the young
 * bit alone. any is todo | yonly. A small folio's page whose entries found so far reach its
 * mapcount is mapped nowhere else: it leaves todo and any, and later candidates do not read it
 * (in a fork tree whose children broke COW, the root's own VMA comes first and is the one).
 */
static void rs_bulk_vma(struct rs_sharing *s, const struct rs_bulk_run *r, struct rs_share_rec *rec,
			unsigned long *todo, const unsigned long *yonly, unsigned long *any)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)rec->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool mine = vma == r->target_vma;
	unsigned int k1 = rec->k1, k = find_next_bit(any, k1, rec->k0);

	while (k < k1) {
		unsigned long addr = rec->base + ((unsigned long)k << PAGE_SHIFT), skip, span;
		pmd_t *pmd = rs_pt_pmd(mm, addr, &skip);
		unsigned int kend, kk;
		spinlock_t *ptl;
		pmd_t leaf;
		pte_t *pte;

		if (!pmd) {
			span = skip > addr ? (skip - addr) >> PAGE_SHIFT : k1;
			k = find_next_bit(any, k1, min_t(unsigned long, k1, k + span));
			continue;
		}
		kend = min_t(unsigned long, k1, k + ((pmd_addr_end(addr, vma->vm_end) - addr) >> PAGE_SHIFT));
		pte = rs_pt_lock(mm, pmd, addr, &ptl, &leaf);
		/*
		 * The positions of this table, a bitmap word at a time (the dense case is all of
		 * them). An entry counts when it maps the page expected at its position; the word's
		 * bits of rec are gathered here and stored once.
		 */
		for (kk = k; ptl && kk < kend; kk = (kk | (BITS_PER_LONG - 1)) + 1) {
			unsigned int wi = BIT_WORD(kk), b;
			unsigned long mask = BITMAP_FIRST_WORD_MASK(kk), wt, wy, pages = 0, young = 0;

			if (wi == BIT_WORD(kend - 1))
				mask &= BITMAP_LAST_WORD_MASK(kend);
			wt = todo[wi] & mask;
			wy = yonly ? yonly[wi] & mask & ~wt : 0;
			if (pte && wy == ~0UL) {
				/* A word of pages every candidate maps (a fork tree's): young bits only. */
				pte_t *pw = pte + (wi * BITS_PER_LONG - k);
				const unsigned long *pfn = &s->pfn[wi * BITS_PER_LONG];

				for (b = 0; b < BITS_PER_LONG; b++) {
					pte_t e = ptep_get(pw + b);

					if (pte_young(e) && pte_present(e) && pte_pfn(e) == pfn[b])
						young |= BIT(b);
				}
				wy = 0;
			}
			for (wt |= wy; wt; wt &= wt - 1) {
				unsigned int j;
				bool y, d;

				b = __ffs(wt);
				j = wi * BITS_PER_LONG + b;
				if (pte) {
					pte_t e = ptep_get(pte + (j - k));

					if (!pte_present(e) || pte_pfn(e) != s->pfn[j])
						continue;
					y = pte_young(e);
					d = mine && pte_dirty(e);
				} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
					unsigned long a = rec->base + ((unsigned long)j << PAGE_SHIFT);

					if (pmd_pfn(leaf) + ((a & ~PMD_MASK) >> PAGE_SHIFT) != s->pfn[j])
						continue;
					y = pmd_young(leaf);
					d = mine && pmd_dirty(leaf);
#else
					continue;
#endif
				}
				young |= y ? BIT(b) : 0;
				if (wy & BIT(b))
					continue;	/* counted by the shortcut */
				pages |= BIT(b);
				s->counts[j]++;
				if (mine)
					s->flags[j] |= RS_POS_MINE | (d ? RS_POS_DIRTY : 0);
				if (r->mapcount && r->mapcount[j] && s->counts[j] >= r->mapcount[j]) {
					__clear_bit(j, todo);
					__clear_bit(j, any);
				}
			}
			rec->pages[wi] |= pages;
			rec->young[wi] |= young;
		}
		if (ptl)
			rs_pt_unlock(pte, ptl);
		k = find_next_bit(any, k1, kend);
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
	if (bitmap_empty(s->full, s->n))
		return;
	/* Each record's pages: the full positions inside it (its bitmap is zero: rs_sharing_rec()). */
	for (i = 0; i < s->nrec; i++) {
		struct rs_share_rec *rec = &s->recs[i];
		unsigned int w, w0 = BIT_WORD(rec->k0), w1 = BIT_WORD(rec->k1 - 1);

		for (w = w0; w <= w1; w++) {
			unsigned long m = ~0UL;

			if (w == w0)
				m &= BITMAP_FIRST_WORD_MASK(rec->k0);
			if (w == w1)
				m &= BITMAP_LAST_WORD_MASK(rec->k1);
			rec->pages[w] = s->full[w] & m;
		}
		if (rec->vma == r->target_vma)
			for_each_set_bit(k, rec->pages, s->n)
				s->flags[k] |= RS_POS_MINE;
	}
}

int rs_bulk_compare(struct rs_sharing *s, const struct rs_bulk_run *r)
{
	pgoff_t first = r->pgoff, vpgoff;
	struct rs_bulk_iter it = { .r = r, .first = first, .last = first + s->n - 1 };
	const unsigned long *yonly;
	struct vm_area_struct *vma;
	unsigned int i, ci = 0;

	s->walks++;
	/* Every candidate gets a record: its positions and its address of position 0. */
	while ((vma = rs_bulk_next_cand(s, &it, &ci, &vpgoff))) {
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
	s->cand_tree = NULL;	/* kept for this comparison only */
	rs_bulk_full(s, r);
	bitmap_andnot(s->todo, s->has, s->full, s->n);
	yonly = r->young && !bitmap_empty(s->full, s->n) ? s->full : NULL;
	bitmap_copy(s->span, yonly ? s->has : s->todo, s->n);	/* any: todo | yonly */
	for (i = 0; i < s->nrec && !bitmap_empty(s->span, s->n); i++)
		rs_bulk_vma(s, r, &s->recs[i], s->todo, yonly, s->span);

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
