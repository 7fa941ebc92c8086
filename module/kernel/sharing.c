// SPDX-License-Identifier: GPL-2.0
/*
 * Who maps each page of a folio, and per-process totals (sharing.h).
 *
 * - The folio is locked by the caller and walked as walk walks it (rs_walk_folio).
 *   rs_sharing_one runs under the anon_vma lock or i_mmap_rwsem and, while
 *   page_vma_mapped_walk() returns true, the page-table lock: it only counts into preallocated
 *   arrays and takes mmgrab() on other mms (an atomic increment), so that no mm the walk met can
 *   be freed, and its address reused, before it is accounted.
 * - Peers are found through an open-addressing table of mm pointers; they are named once, at
 *   the end, through the walk's owner resolution (walk.c).
 */
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "sharing.h"
#include "walk_internal.h"

#define RS_SHARE_HASH_BITS 13	/* distinct peer mms told apart: 3/4 of 8192 */

int rs_sharing_init(struct rs_sharing *s, struct rs_share_peer *peers, unsigned int cap)
{
	s->peers = peers;
	s->peers_cap = cap;
	s->recs = kvmalloc_array(RMAPSCOPE_MAX_MAPS, sizeof(*s->recs), RS_GFP);
	s->pool = kvmalloc_array(RMAPSCOPE_MAX_MAPS, 2 * RS_SHARE_WORDS * sizeof(long), RS_GFP);
	s->slots = kvcalloc(cap ? cap : 1, sizeof(*s->slots), RS_GFP);
	s->hash = kvcalloc(1U << RS_SHARE_HASH_BITS, sizeof(*s->hash), RS_GFP);
	return s->recs && s->pool && s->slots && s->hash ? 0 : -ENOMEM;
}

void rs_sharing_release(struct rs_sharing *s)
{
	unsigned int i;

	rs_sharing_drop_recs(s);
	for (i = 0; s->hash && i < (1U << RS_SHARE_HASH_BITS); i++)
		if (s->hash[i].mm)
			mmdrop(s->hash[i].mm);
	kvfree(s->recs);
	kvfree(s->pool);
	kvfree(s->slots);
	kvfree(s->hash);
	s->recs = NULL;
	s->pool = NULL;
	s->slots = NULL;
	s->hash = NULL;
}

static bool rs_sharing_visited(const struct rs_sharing *s, const struct vm_area_struct *vma,
			       unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < s->nrec; i++)
		if (s->recs[i].vma == vma && s->recs[i].addr == addr)
			return true;
	return false;
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
	if (s->nrec == RMAPSCOPE_MAX_MAPS) {
		s->overflow = true;
		return false;	/* stops the walk */
	}
	rec = &s->recs[s->nrec];
	*rec = (struct rs_share_rec){
		.vma = vma, .addr = addr,
		.pages = s->pool + 2 * s->nrec * RS_SHARE_WORDS,
		.young = s->pool + (2 * s->nrec + 1) * RS_SHARE_WORDS,
	};
	bitmap_zero(rec->pages, s->nr);
	bitmap_zero(rec->young, s->nr);

	/* Never leave this loop early: while it returns true the PTL is held. */
	while (rs_call_page_vma_mapped_walk(&pvmw)) {
		unsigned long first = 0, n = 0;
		bool dirty = false, young = false;

		if (pvmw.pte) {
			pte_t pte = ptep_get(pvmw.pte);

			if (pte_present(pte) && pte_pfn(pte) - s->pfn0 < s->nr) {
				first = pte_pfn(pte) - s->pfn0;
				n = 1;
				dirty = pte_dirty(pte);
				young = pte_young(pte);
			}
		} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
			pmd_t pmd = rs_pmdp_get(pvmw.pmd);

			n = s->nr;
			dirty = pmd_dirty(pmd);
			young = pmd_young(pmd);
#endif
		}
		for (i = first; i < first + n; i++) {
			unsigned long a = pvmw.address + (i - first) * PAGE_SIZE;

			__set_bit(i, rec->pages);
			if (young)
				__set_bit(i, rec->young);
			s->counts[i]++;
			found = true;
			/* The target's own entry at the address where its lookup found page i. */
			if (mine && a >= s->a0 && a < s->a1 && i == s->idx0 + ((a - s->a0) >> PAGE_SHIFT)) {
				__set_bit(i, s->tseen);
				if (dirty)
					__set_bit(i, s->tdirty);
			}
		}
	}
	if (!found)
		return true;
	if (!mine) {
		mmgrab(vma->vm_mm);
		rec->mm = vma->vm_mm;
	}
	s->nrec++;
	return true;
}

int rs_sharing_walk(struct rs_sharing *s, struct folio *folio, struct mm_struct *target,
		    unsigned long a0, unsigned int idx0, unsigned int pages)
{
	unsigned int nr = folio_nr_pages(folio);

	if (WARN_ON_ONCE(!folio_test_locked(folio) || nr > RS_SHARE_FOLIO_MAX))
		return -EOPNOTSUPP;
	s->target = target;
	s->pfn0 = folio_pfn(folio);
	s->nr = nr;
	s->ksm = folio_test_ksm(folio);
	s->a0 = a0;
	s->a1 = a0 + (unsigned long)pages * PAGE_SIZE;
	s->idx0 = idx0;
	memset(s->counts, 0, nr * sizeof(s->counts[0]));
	bitmap_zero(s->tseen, nr);
	bitmap_zero(s->tdirty, nr);
	s->overflow = false;
	if (rs_walk_folio(folio, rs_sharing_one, s))
		return -EOPNOTSUPP;	/* anon_lock not callable: nothing walked */
	return s->overflow ? -E2BIG : 0;
}

void rs_sharing_drop_recs(struct rs_sharing *s)
{
	unsigned int r;

	for (r = 0; r < s->nrec; r++)
		if (s->recs[r].mm)
			mmdrop(s->recs[r].mm);
	s->nrec = 0;
}

struct rs_share_peer *rs_sharing_peer(struct rs_sharing *s, struct mm_struct *mm,
				      struct rs_share_slot **slot)
{
	unsigned int mask = (1U << RS_SHARE_HASH_BITS) - 1;
	unsigned int h = hash_ptr(mm, RS_SHARE_HASH_BITS);
	struct rs_share_bucket *b;

	for (;; h = (h + 1) & mask) {
		b = &s->hash[h];
		if (b->mm == mm)
			goto found;
		if (!b->mm)
			break;
	}
	/* A new peer. The table stays at most 3/4 full; past that, peers are only counted. */
	if (s->hashed >= (mask + 1) / 4 * 3) {
		s->peers_dropped++;
		return NULL;
	}
	mmgrab(mm);
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
found:
	if (b->slot == UINT_MAX)
		return NULL;
	*slot = &s->slots[b->slot];
	return &s->peers[b->slot];
}

void rs_sharing_next_folio(struct rs_sharing *s)
{
	s->gen++;
}

bool rs_sharing_first_time(struct rs_sharing *s, struct rs_share_slot *slot, unsigned int page)
{
	if (slot->gen != s->gen) {
		slot->gen = s->gen;
		bitmap_zero(slot->seen, s->nr);
	}
	return !__test_and_set_bit(page, slot->seen);
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

unsigned long long rs_share_unit(u32 mapcount)
{
	unsigned long long pss = (unsigned long long)PAGE_SIZE << RS_PSS_SHIFT;

	return mapcount >= 2 ? div_u64(pss, mapcount) : pss;
}

int rs_share_kind(struct folio *folio)
{
	if (folio_test_ksm(folio))
		return RS_SK_KSM;
	if (folio_test_anon(folio))
		return RS_SK_ANON;
	return folio_test_swapbacked(folio) ? RS_SK_SHMEM : RS_SK_FILE;
}
