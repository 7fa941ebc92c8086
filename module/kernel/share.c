// SPDX-License-Identifier: GPL-2.0
/*
 * share pid= [start= end=]: the target's rss, pss and uss, and every other process that maps its
 * pages, from the reverse map: one rmap walk per folio the target maps, never a scan of other
 * processes' page tables.
 *
 * - The target's pages are found as the range scan finds them (span.c): one PMD-sized span at a
 *   time under its mmap_lock (read), without faulting or touching anything.
 * - Each folio is locked (mmap_lock, then the folio lock: rmap's order, mm/rmap.c) and walked
 *   like walk does (rs_walk_folio). rs_share_one runs under the anon_vma lock or i_mmap_rwsem
 *   and, while page_vma_mapped_walk() returns true, the page-table lock: it only counts into
 *   preallocated arrays and takes mmgrab() on other mms.
 * - The walk counts, page by page, the entries that map each page of the folio: exactly the
 *   per-page mapcount smaps divides by (fs/proc/task_mmu.c smaps_account()). pss, shared and
 *   private are then computed with smaps' own arithmetic (bytes << PSS_SHIFT, divided per page).
 * - Peers are keyed by mm (held by mmgrab() until the end) and named once, after the last span,
 *   through the walk's owner resolution.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/os.h"
#include "../core/range_report.h"
#include "../core/share_report.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "span.h"
#include "target.h"
#include "walk_internal.h"

#define RS_SHARE_WORDS BITS_TO_LONGS(RS_SHARE_FOLIO_MAX)
#define RS_SHARE_HASH_BITS 13	/* distinct peer mms tracked: RMAPSCOPE_SHARE_PEERS_MAX listed */

/* One mapping of the folio being walked: one VMA of one mm at one address. */
struct rs_share_rec {
	struct mm_struct *mm;		/* another process's mm, mmgrab()ed; NULL for the target's */
	const struct vm_area_struct *vma;	/* identity only: KSM's repeated visits */
	unsigned long addr;
	unsigned long *pages;		/* bitmap: the folio's pages this mapping maps */
};

/* A peer mm: the result's rs_share_peer of the same index, and what the walk needs besides. */
struct rs_share_slot {
	struct mm_struct *mm;		/* mmgrab()ed */
	unsigned long gen;		/* the folio whose pages are in seen */
	DECLARE_BITMAP(seen, RS_SHARE_FOLIO_MAX);
};

struct rs_share_bucket {
	struct mm_struct *mm;		/* mmgrab()ed, or NULL: empty */
	unsigned int slot;		/* index into slots, or UINT_MAX: past the listed peers */
};

struct rs_share {
	struct rs_share_result *res;
	struct mm_struct *target;
	/* The folio being walked and the target's item of it. */
	unsigned long pfn0;
	unsigned int nr;
	bool ksm;
	unsigned long a0, a1;		/* the target addresses of the item */
	unsigned int idx0;		/* the folio page mapped at a0 */
	u32 counts[RS_SHARE_FOLIO_MAX];	/* entries mapping each page */
	DECLARE_BITMAP(tseen, RS_SHARE_FOLIO_MAX);	/* item pages the walk found at their address */
	DECLARE_BITMAP(tdirty, RS_SHARE_FOLIO_MAX);	/* ... with a dirty entry */
	struct rs_share_rec *recs;
	unsigned long *pool;		/* RS_SHARE_WORDS per record */
	unsigned int nrec;
	bool overflow;
	/* Peers. */
	struct rs_share_slot *slots;	/* parallel to res->peers */
	struct rs_share_bucket *hash;
	unsigned int hashed;
	unsigned long gen;
};

static bool rs_share_visited(const struct rs_share *s, const struct vm_area_struct *vma,
			     unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < s->nrec; i++)
		if (s->recs[i].vma == vma && s->recs[i].addr == addr)
			return true;
	return false;
}

static bool rs_share_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			 void *arg)
{
	struct rs_share *s = arg;
	RS_FOLIO_VMA_WALK(pvmw, folio, vma, addr, 0);
	bool mine = vma->vm_mm == s->target, found = false;
	struct rs_share_rec *rec;
	unsigned int i;

	s->res->vmas++;
	/* rmap_walk_ksm() can reach a VMA twice (walk.c, rs_merge_visits): count it once. */
	if (s->ksm && rs_share_visited(s, vma, addr))
		return true;
	if (s->nrec == RMAPSCOPE_MAX_MAPS) {
		s->overflow = true;
		return false;	/* stops the walk */
	}
	rec = &s->recs[s->nrec];
	*rec = (struct rs_share_rec){ .vma = vma, .addr = addr, .pages = s->pool + s->nrec * RS_SHARE_WORDS };
	bitmap_zero(rec->pages, s->nr);

	/* Never leave this loop early: while it returns true the PTL is held. */
	while (rs_call_page_vma_mapped_walk(&pvmw)) {
		unsigned long first = 0, n = 0;
		bool dirty = false;

		if (pvmw.pte) {
			pte_t pte = ptep_get(pvmw.pte);

			if (pte_present(pte) && pte_pfn(pte) - s->pfn0 < s->nr) {
				first = pte_pfn(pte) - s->pfn0;
				n = 1;
				dirty = pte_dirty(pte);
			}
		} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
			pmd_t pmd = rs_pmdp_get(pvmw.pmd);

			n = s->nr;
			dirty = pmd_dirty(pmd);
#endif
		}
		for (i = first; i < first + n; i++) {
			unsigned long a = pvmw.address + (i - first) * PAGE_SIZE;

			__set_bit(i, rec->pages);
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

/* The peer slot of mm (taking an mmgrab() for a new one), or NULL when it is not listed. */
static struct rs_share_slot *rs_share_peer(struct rs_share *s, struct mm_struct *mm)
{
	struct rs_share_result *res = s->res;
	unsigned int mask = (1U << RS_SHARE_HASH_BITS) - 1;
	unsigned int h = hash_ptr(mm, RS_SHARE_HASH_BITS);
	struct rs_share_bucket *b;

	for (;; h = (h + 1) & mask) {
		b = &s->hash[h];
		if (b->mm == mm)
			return b->slot == UINT_MAX ? NULL : &s->slots[b->slot];
		if (!b->mm)
			break;
	}
	/* A new peer. The table stays at most 3/4 full; past that, peers are only counted. */
	if (s->hashed >= (mask + 1) / 4 * 3) {
		res->peers_dropped++;
		return NULL;
	}
	mmgrab(mm);
	b->mm = mm;
	s->hashed++;
	if (res->nr_peers == res->peers_cap) {
		b->slot = UINT_MAX;
		res->peers_dropped++;
		return NULL;
	}
	b->slot = res->nr_peers++;
	s->slots[b->slot].mm = mm;
	memset(&res->peers[b->slot], 0, sizeof(res->peers[b->slot]));
	return &s->slots[b->slot];
}

static unsigned long long rs_share_unit(u32 mapcount)
{
	unsigned long long pss = (unsigned long long)PAGE_SIZE << RS_PSS_SHIFT;

	return mapcount >= 2 ? div_u64(pss, mapcount) : pss;
}

static int rs_share_kind(struct folio *folio)
{
	if (folio_test_ksm(folio))
		return RS_SK_KSM;
	if (folio_test_anon(folio))
		return RS_SK_ANON;
	return folio_test_swapbacked(folio) ? RS_SK_SHMEM : RS_SK_FILE;
}

/* The item's pages into the target's figures and its peers', as smaps_account() counts them. */
static void rs_share_account(struct rs_share *s, struct folio *folio, const struct rs_span_item *it)
{
	struct rs_share_result *res = s->res;
	unsigned int end = s->idx0 + it->pages, i, r;
	int kind = rs_share_kind(folio);
	bool thp = folio_test_pmd_mappable(folio), fdirty = folio_test_dirty(folio);

	/* Every page the lookup found must have been met by the walk at its address. */
	for (i = s->idx0; i < end; i++) {
		if (!test_bit(i, s->tseen)) {
			res->skips[RS_SS_RACED] += it->pages;
			return;
		}
	}
	for (i = s->idx0; i < end; i++) {
		bool dirty = fdirty || test_bit(i, s->tdirty);

		res->rss++;
		res->pss += rs_share_unit(s->counts[i]);
		res->kind[kind]++;
		res->thp += thp;
		if (s->counts[i] < 2) {
			res->uss++;
			*(dirty ? &res->private_dirty : &res->private_clean) += 1;
		} else {
			*(dirty ? &res->shared_dirty : &res->shared_clean) += 1;
		}
	}

	s->gen++;
	for (r = 0; r < s->nrec; r++) {
		const struct rs_share_rec *rec = &s->recs[r];
		struct rs_share_slot *slot;
		struct rs_share_peer *p;

		if (!rec->mm)
			continue;
		slot = rs_share_peer(s, rec->mm);
		if (!slot)
			continue;
		p = &res->peers[slot - s->slots];
		if (slot->gen != s->gen) {
			slot->gen = s->gen;
			bitmap_zero(slot->seen, s->nr);
		}
		for (i = find_next_bit(rec->pages, end, s->idx0); i < end;
		     i = find_next_bit(rec->pages, end, i + 1)) {
			p->pss += rs_share_unit(s->counts[i]);
			if (__test_and_set_bit(i, slot->seen))
				continue;	/* it maps this page twice: one page shared */
			p->pages++;
			p->kind[kind]++;
			p->thp += thp;
		}
	}
}

static void rs_share_drop_recs(struct rs_share *s)
{
	unsigned int r;

	for (r = 0; r < s->nrec; r++)
		if (s->recs[r].mm)
			mmdrop(s->recs[r].mm);
	s->nrec = 0;
}

/* One item of a span: its folio locked, walked and accounted. 0, or -EINTR. */
static int rs_share_item(struct rs_share *s, const struct rs_span_item *it)
{
	struct folio *folio = it->folio;
	unsigned int nr = folio_nr_pages(folio);

	if (nr > RS_SHARE_FOLIO_MAX) {
		s->res->skips[RS_SS_LARGE] += it->pages;
		return 0;
	}
	if (folio_lock_killable(folio))
		return -EINTR;
	s->pfn0 = folio_pfn(folio);
	s->nr = nr;
	s->ksm = folio_test_ksm(folio);
	s->a0 = it->addr;
	s->a1 = it->addr + (unsigned long)it->pages * PAGE_SIZE;
	s->idx0 = it->pfn - s->pfn0;
	memset(s->counts, 0, nr * sizeof(s->counts[0]));
	bitmap_zero(s->tseen, nr);
	bitmap_zero(s->tdirty, nr);
	s->overflow = false;
	if (rs_walk_folio(folio, rs_share_one, s)) {
		folio_unlock(folio);
		s->res->skips[RS_SS_UNSUPPORTED] += it->pages;	/* anon_lock not callable */
		return 0;
	}
	folio_unlock(folio);
	s->res->folios++;

	if (s->overflow)
		s->res->skips[RS_SS_TOO_MANY_MAPPINGS] += it->pages;
	else
		rs_share_account(s, folio, it);
	rs_share_drop_recs(s);
	return 0;
}

/*
 * One PMD-sized span [addr, span_end) under mmap_lock (read). *next: where the next span starts
 * (the next VMA, so that an address space of holes costs nothing). 0, or -EINTR.
 */
static int rs_share_span(struct rs_share *s, struct mm_struct *mm, unsigned long addr,
			 unsigned long span_end, unsigned long end, struct rs_span_item *items,
			 unsigned long *next)
{
	struct vm_area_struct *vma;
	unsigned int i, n;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	n = rs_span_collect(mm, addr, span_end, items);
	for (i = 0; i < n; i++) {
		const struct rs_span_item *it = &items[i];

		if (!ret && it->folio)
			ret = rs_share_item(s, it);
		else if (!ret)
			s->res->skips[it->skip == RS_SKIP_UNTRACKED ? RS_SS_UNTRACKED : RS_SS_UNSUPPORTED] += it->pages;
		if (it->folio)
			folio_put(it->folio);
		cond_resched();
		if (fatal_signal_pending(current))
			ret = -EINTR;
	}
	vma = find_vma(mm, span_end);
	*next = vma ? max(span_end, vma->vm_start) : end;
	mmap_read_unlock(mm);
	return ret;
}

/* Names the peers (their owners, as walk names them) and drops every mm reference. */
static int rs_share_name_peers(struct rs_share *s, int all_owners)
{
	struct rs_share_result *res = s->res;
	struct mm_struct **mms = NULL;
	struct rs_owner *owners = NULL;
	unsigned int i, n = res->nr_peers;
	int ret = -ENOMEM;

	mms = kvmalloc_array(n ? n : 1, sizeof(*mms), RS_GFP);
	owners = kvcalloc(n ? n : 1, sizeof(*owners), RS_GFP);
	if (mms && owners) {
		for (i = 0; i < n; i++)
			mms[i] = s->slots[i].mm;
		rs_sort_mms(mms, n);
		res->all_owners = rs_resolve_mm_owners(mms, n, owners, all_owners, &res->shared_mms);
		for (i = 0; i < n; i++) {
			const struct rs_owner *o = &owners[rs_find_mm(mms, n, s->slots[i].mm)];

			res->peers[i].nr_pids = o->nr_pids;
			res->peers[i].pid = o->nr_pids ? o->pids[0] : 0;
			memcpy(res->peers[i].comm, o->comm, sizeof(o->comm));
		}
		ret = 0;
	}
	kvfree(mms);
	kvfree(owners);
	for (i = 0; i < (1U << RS_SHARE_HASH_BITS); i++)
		if (s->hash[i].mm)
			mmdrop(s->hash[i].mm);
	return ret;
}

int rs_os_share(int pid, unsigned long start, unsigned long end, int all_owners,
		struct rs_share_result *res, char *msg, size_t cap)
{
	struct rs_span_item *items = NULL;
	struct rs_share *s = NULL;
	struct mm_struct *mm;
	unsigned long addr, next;
	u64 t0 = ktime_get_ns();
	int ret;

	ret = rs_walk_callable(msg, cap);
	if (ret)
		return ret;
	if (!start && !end)
		end = TASK_SIZE_MAX;
	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	if (end > TASK_SIZE_MAX || end <= start) {
		rs_msg(msg, cap, "0x%lx-0x%lx is not a user address range", start, end);
		return -EFAULT;
	}
	ret = rs_task_mm(pid, &mm, msg, cap);
	if (ret)
		return ret;

	ret = -ENOMEM;
	s = kvzalloc(sizeof(*s), RS_GFP);
	if (!s)
		goto out;
	s->res = res;
	s->target = mm;
	items = kvmalloc_array(RS_SPAN_MAX, sizeof(*items), RS_GFP);
	s->recs = kvmalloc_array(RMAPSCOPE_MAX_MAPS, sizeof(*s->recs), RS_GFP);
	s->pool = kvmalloc_array(RMAPSCOPE_MAX_MAPS, RS_SHARE_WORDS * sizeof(long), RS_GFP);
	s->slots = kvcalloc(res->peers_cap ? res->peers_cap : 1, sizeof(*s->slots), RS_GFP);
	s->hash = kvcalloc(1U << RS_SHARE_HASH_BITS, sizeof(*s->hash), RS_GFP);
	if (!items || !s->recs || !s->pool || !s->slots || !s->hash)
		goto out;

	res->pid = pid;
	res->start = start;
	res->end = end;
	ret = 0;
	for (addr = start; addr < end && !ret; addr = next)
		ret = rs_share_span(s, mm, addr, min(end, (addr & PMD_MASK) + PMD_SIZE), end, items, &next);
	if (rs_share_name_peers(s, all_owners) && !ret)
		ret = -ENOMEM;
	res->ns = ktime_get_ns() - t0;
out:
	if (ret == -ENOMEM)
		rs_msg(msg, cap, "out of memory");
	else if (ret == -EINTR)
		rs_msg(msg, cap, "interrupted by a fatal signal");
	if (s) {
		kvfree(s->recs);
		kvfree(s->pool);
		kvfree(s->slots);
		kvfree(s->hash);
	}
	kvfree(s);
	kvfree(items);
	mmput(mm);
	return ret;
}
