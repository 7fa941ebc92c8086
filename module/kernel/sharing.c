// SPDX-License-Identifier: GPL-2.0
/*
 * The working set share and phys have in common, the rmap walk of method=walk, and the
 * accounting of one observation (sharing.h).
 *
 * - method=walk: the folio is locked by the caller and walked as walk walks it
 *   (rs_walk_folio). rs_sharing_one runs under the anon_vma lock or i_mmap_rwsem and, while
 *   page_vma_mapped_walk() returns true, the page-table lock: it only fills preallocated
 *   records and takes mmgrab() on each mm it records (an atomic increment), so that no mm the
 *   walk met can be freed, and its address reused, before it is accounted.
 * - Peers are found through an open-addressing table of mm pointers, each held by mmgrab()
 *   until the end; they are named once, at the end, through the walk's owner resolution.
 */
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "held.h"
#include "phys_sets.h"
#include "scratch.h"
#include "sharing.h"
#include "walk_internal.h"

#define RS_SHARE_HASH_BITS 13	/* distinct peer mms told apart: 3/4 of 8192 */

int rs_sharing_init(struct rs_sharing *s, struct rs_share_peer *peers, unsigned int cap)
{
	s->peers = peers;
	s->peers_cap = cap;
	s->slots = rs_scratch_zalloc(cap ? cap : 1, sizeof(*s->slots));
	s->hash = rs_scratch_zalloc(1U << RS_SHARE_HASH_BITS, sizeof(*s->hash));
	s->counts = rs_scratch_alloc(RS_POS_MAX, sizeof(*s->counts));
	s->flags = rs_scratch_alloc(RS_POS_MAX, sizeof(*s->flags));
	s->pfn = rs_scratch_alloc(RS_POS_MAX, sizeof(*s->pfn));
	s->has = rs_scratch_alloc(BITS_TO_LONGS(RS_POS_MAX), sizeof(long));
	s->mapc = rs_scratch_alloc(RS_POS_MAX, sizeof(*s->mapc));
	s->cov = rs_scratch_alloc(RS_POS_MAX + 1, sizeof(*s->cov));
	s->full = rs_scratch_alloc(3 * BITS_TO_LONGS(RS_POS_MAX), sizeof(long));
	if (s->full) {
		s->todo = s->full + BITS_TO_LONGS(RS_POS_MAX);
		s->span = s->todo + BITS_TO_LONGS(RS_POS_MAX);
	}
	s->lowest = rs_scratch_alloc(RS_POS_MAX, sizeof(*s->lowest));
	s->unit = rs_scratch_alloc(RS_POS_MAX, sizeof(*s->unit));
	s->bits = rs_scratch_alloc(RS_OBS_SCRATCH_WORDS(RS_POS_MAX), sizeof(long));
	s->cand = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*s->cand));
	s->recs = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*s->recs));
	s->omaps = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*s->omaps));
	s->deltas = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*s->deltas));
	s->order = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*s->order));
	s->pool = rs_scratch_alloc(RS_SHARE_POOL_WORDS, sizeof(long));
	return s->slots && s->hash && s->counts && s->flags && s->pfn && s->has && s->mapc && s->cov && s->full && s->lowest &&
	       s->unit && s->bits && s->cand && s->recs && s->omaps && s->deltas && s->order && s->pool ? 0 : -ENOMEM;
}

void rs_sharing_release(struct rs_sharing *s)
{
	unsigned int i;

	if (s->recs)
		rs_sharing_drop_recs(s);
	for (i = 0; s->hash && i < (1U << RS_SHARE_HASH_BITS); i++)
		if (s->hash[i].mm)
			rs_mmdrop(s->hash[i].mm);
	rs_scratch_free(s->slots);
	rs_scratch_free(s->hash);
	rs_scratch_free(s->counts);
	rs_scratch_free(s->flags);
	rs_scratch_free(s->pfn);
	rs_scratch_free(s->has);
	rs_scratch_free(s->mapc);
	rs_scratch_free(s->cov);
	rs_scratch_free(s->full);
	rs_scratch_free(s->lowest);
	rs_scratch_free(s->unit);
	rs_scratch_free(s->bits);
	rs_scratch_free(s->cand);
	rs_scratch_free(s->recs);
	rs_scratch_free(s->omaps);
	rs_scratch_free(s->deltas);
	rs_scratch_free(s->order);
	rs_scratch_free(s->pool);
	memset(s, 0, sizeof(*s));
}

bool rs_sharing_begin(struct rs_sharing *s, unsigned int n)
{
	if (WARN_ON_ONCE(!n || n > RS_POS_MAX))
		return false;
	s->n = n;
	s->nrec = 0;
	s->overflow = false;
	s->rec_cap = min_t(unsigned long, RMAPSCOPE_MAX_MAPS, RS_SHARE_POOL_WORDS / (2 * BITS_TO_LONGS(n)));
	memset(s->counts, 0, n * sizeof(*s->counts));
	memset(s->flags, 0, n * sizeof(*s->flags));
	return s->rec_cap > 0;
}

struct rs_share_rec *rs_sharing_rec(struct rs_sharing *s)
{
	unsigned int words = BITS_TO_LONGS(s->n);
	struct rs_share_rec *rec;

	if (s->nrec == s->rec_cap) {
		s->overflow = true;
		return NULL;
	}
	rec = &s->recs[s->nrec++];
	*rec = (struct rs_share_rec){
		.pages = s->pool + 2 * (s->nrec - 1) * words,
		.young = s->pool + (2 * (s->nrec - 1) + 1) * words,
	};
	bitmap_zero(rec->pages, s->n);
	bitmap_zero(rec->young, s->n);
	return rec;
}

void rs_sharing_drop_recs(struct rs_sharing *s)
{
	unsigned int r;

	for (r = 0; r < s->nrec; r++)
		if (s->recs[r].held)
			rs_mmdrop(s->recs[r].mm);
	s->nrec = 0;
}

/* method=walk ------------------------------------------------------------------------------- */

static bool rs_sharing_visited(const struct rs_sharing *s, const struct vm_area_struct *vma,
			       unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < s->nrec; i++)
		if (s->recs[i].vma == vma && s->recs[i].addr == addr)
			return true;
	return false;
}

/* Page i of the folio seen at address a through an entry of the target's own mm. */
static void rs_sharing_mine(struct rs_sharing *s, unsigned int i, unsigned long a, bool dirty)
{
	if (a < s->lowest[i] && a >= s->range_start)
		s->lowest[i] = a;
	/* The entry where the target's walk found page i. */
	if (i >= s->idx0 && i < s->idx0 + s->pages && a == s->a0 + (unsigned long)(i - s->idx0) * PAGE_SIZE) {
		s->flags[i] |= RS_POS_MINE;
		if (dirty)
			s->flags[i] |= RS_POS_DIRTY;
	}
}

static bool rs_sharing_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			   void *arg)
{
	struct rs_sharing *s = arg;
	RS_FOLIO_VMA_WALK(pvmw, folio, vma, addr, 0);
	bool mine = vma->vm_mm == s->target, found = false;
	struct rs_share_rec *rec;
	unsigned int i;

	s->vmas++;
	/* rmap_walk_ksm() can reach a VMA twice (walk.c, rs_merge_visits): count it once. */
	if (s->ksm && rs_sharing_visited(s, vma, addr))
		return true;
	rec = rs_sharing_rec(s);
	if (!rec)
		return false;	/* stops the walk: too many mappings */
	rec->vma = vma;
	rec->addr = addr;
	rec->target = mine;

	/* Never leave this loop early: while it returns true the PTL is held. */
	while (rs_call_page_vma_mapped_walk(&pvmw)) {
		unsigned long first = 0, n = 0;
		bool dirty = false, young = false;

		if (pvmw.pte) {
			pte_t pte = ptep_get(pvmw.pte);

			if (pte_present(pte) && pte_pfn(pte) - s->pfn0 < s->n) {
				first = pte_pfn(pte) - s->pfn0;
				n = 1;
				dirty = pte_dirty(pte);
				young = pte_young(pte);
			}
		} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
			pmd_t pmd = rs_pmdp_get(pvmw.pmd);

			n = s->n;
			dirty = pmd_dirty(pmd);
			young = pmd_young(pmd);
#endif
		}
		for (i = first; i < first + n; i++) {
			__set_bit(i, rec->pages);
			if (young)
				__set_bit(i, rec->young);
			s->counts[i]++;
			found = true;
			if (mine)
				rs_sharing_mine(s, i, pvmw.address + (i - first) * PAGE_SIZE, dirty);
		}
	}
	if (!found) {
		s->nrec--;	/* nothing of the folio there: no record */
		return true;
	}
	rs_mmgrab(vma->vm_mm);
	rec->mm = vma->vm_mm;
	rec->held = true;
	return true;
}

void rs_sharing_held(struct rs_sharing *s, u64 t0)
{
	u64 held = ktime_get_ns() - t0;

	if (held > s->lock_max_ns)
		s->lock_max_ns = held;
}

int rs_sharing_walk(struct rs_sharing *s, struct folio *folio, struct mm_struct *target,
		    unsigned long a0, unsigned int idx0, unsigned int pages)
{
	unsigned int i, nr = folio_nr_pages(folio);
	u64 t0;
	int ret;

	if (WARN_ON_ONCE(!folio_test_locked(folio)) || !rs_sharing_begin(s, nr))
		return -EOPNOTSUPP;
	s->target = target;
	s->pfn0 = folio_pfn(folio);
	s->ksm = folio_test_ksm(folio);
	s->a0 = a0;
	s->idx0 = idx0;
	s->pages = pages;
	for (i = 0; i < nr; i++)
		s->lowest[i] = ULONG_MAX;
	s->walks++;
	t0 = ktime_get_ns();
	ret = rs_walk_folio(folio, rs_sharing_one, s);
	rs_sharing_held(s, t0);	/* the whole walk: its rmap lock is held inside, for most of it */
	if (ret)
		return -EOPNOTSUPP;	/* anon_lock not callable: nothing walked */
	for (i = 0; i < nr; i++) {
		if (folio_test_pmd_mappable(folio))
			s->flags[i] |= RS_POS_THP;
		if (i < idx0 || i >= idx0 + pages)
			continue;
		s->flags[i] |= RS_POS_PAGE;
		/* As smaps_account(): dirty when the entry or the folio is. */
		if (folio_test_dirty(folio))
			s->flags[i] |= RS_POS_DIRTY;
		if (target && s->lowest[i] == a0 + (unsigned long)(i - idx0) * PAGE_SIZE)
			s->flags[i] |= RS_POS_FIRST;
	}
	return s->overflow ? -E2BIG : 0;
}

/* Accounting -------------------------------------------------------------------------------- */

/* The peer of mm (taking an mmgrab() for a new one), or NULL when it is past the listed peers. */
static struct rs_share_peer *rs_sharing_peer(struct rs_sharing *s, struct mm_struct *mm)
{
	unsigned int mask = (1U << RS_SHARE_HASH_BITS) - 1;
	unsigned int h = hash_ptr(mm, RS_SHARE_HASH_BITS);
	struct rs_share_bucket *b;

	for (;; h = (h + 1) & mask) {
		b = &s->hash[h];
		if (b->mm == mm)
			return b->slot == UINT_MAX ? NULL : &s->peers[b->slot];
		if (!b->mm)
			break;
	}
	/* A new peer. The table stays at most 3/4 full; past that, peers are only counted. */
	if (s->hashed >= (mask + 1) / 4 * 3) {
		s->peers_dropped++;
		return NULL;
	}
	rs_mmgrab(mm);
	b->mm = mm;
	s->hashed++;
	if (s->nr_peers == s->peers_cap) {
		b->slot = UINT_MAX;
		s->peers_dropped++;
		return NULL;
	}
	b->slot = s->nr_peers++;
	s->slots[b->slot] = (struct rs_share_slot){ .mm = mm };
	memset(&s->peers[b->slot], 0, sizeof(s->peers[b->slot]));
	s->peers[b->slot].id = b->slot;
	return &s->peers[b->slot];
}

static struct rs_obs rs_sharing_obs(struct rs_sharing *s, int kind)
{
	unsigned int r;

	for (r = 0; r < s->nrec; r++)
		s->omaps[r] = (struct rs_obs_map){
			.mm = s->recs[r].mm, .target = s->recs[r].target,
			.pages = s->recs[r].pages, .young = s->recs[r].young,
		};
	return (struct rs_obs){
		.n = s->n, .kind = kind, .page_shift = PAGE_SHIFT, .counts = s->counts,
		.flags = s->flags, .maps = s->omaps, .nmaps = s->nrec,
		.unit = s->unit, .order = s->order, .bits = s->bits,
	};
}

/* The deltas into the peer table; with ids, each delta's peer id there (U32_MAX: not listed). */
static void rs_sharing_merge(struct rs_sharing *s, unsigned int nd, u32 *ids)
{
	unsigned int d;

	for (d = 0; d < nd; d++) {
		struct rs_share_peer *p = rs_sharing_peer(s, (struct mm_struct *)s->deltas[d].mm);

		if (p)
			rs_core_obs_add(p, &s->deltas[d].d);
		if (ids)
			ids[d] = p ? p->id : U32_MAX;
	}
}

void rs_sharing_share(struct rs_sharing *s, struct rs_share_result *res, int kind)
{
	struct rs_obs o = rs_sharing_obs(s, kind);

	rs_sharing_merge(s, rs_core_share_observe(res, &o, s->deltas), NULL);
}

void rs_sharing_phys(struct rs_sharing *s, struct rs_phys_result *res, struct rs_phys_file *file,
		     int kind, struct rs_phys_sets *sets)
{
	struct rs_obs o = rs_sharing_obs(s, kind);
	unsigned long mapped = res->mapped;

	rs_sharing_merge(s, rs_core_phys_observe(res, file, &o, s->deltas, sets ? &sets->cls : NULL),
			 sets ? sets->ids : NULL);
	if (!sets)
		return;
	if (sets->cls.overflow)
		res->sets_dropped += res->mapped - mapped;
	else
		rs_phys_sets_add(sets, kind);
}

int rs_sharing_name_peers(struct rs_sharing *s, int all_owners, int *all, unsigned int *shared_mms)
{
	unsigned int i, n = s->nr_peers;
	struct mm_struct **mms = kvmalloc_array(n ? n : 1, sizeof(*mms), RS_GFP);
	struct rs_owner *owners = kvcalloc(n ? n : 1, sizeof(*owners), RS_GFP);
	int ret = -ENOMEM;

	if (mms && owners) {
		for (i = 0; i < n; i++)
			mms[i] = s->slots[i].mm;
		rs_sort_mms(mms, n);
		*all = rs_resolve_mm_owners(mms, n, owners, all_owners, shared_mms);
		for (i = 0; i < n; i++) {
			const struct rs_owner *o = &owners[rs_find_mm(mms, n, s->slots[i].mm)];

			s->peers[i].nr_pids = o->nr_pids;
			s->peers[i].pid = o->nr_pids ? o->pids[0] : 0;
			memcpy(s->peers[i].comm, o->comm, sizeof(o->comm));
		}
		ret = 0;
	}
	kvfree(mms);
	kvfree(owners);
	return ret;
}

int rs_share_kind(struct folio *folio)
{
	if (folio_test_ksm(folio))
		return RS_SK_KSM;
	if (folio_test_anon(folio))
		return RS_SK_ANON;
	return folio_test_swapbacked(folio) ? RS_SK_SHMEM : RS_SK_FILE;
}
