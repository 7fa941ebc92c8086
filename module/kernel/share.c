// SPDX-License-Identifier: GPL-2.0
/*
 * share pid= [start= end=]: the target's rss, pss and uss, and every other process that maps its
 * pages, from the reverse map: one rmap walk per folio the target maps, never a scan of other
 * processes' page tables.
 *
 * - The target's pages are found as the range scan finds them (span.c): one PMD-sized span at a
 *   time under its mmap_lock (read), without faulting or touching anything.
 * - Each folio is locked (mmap_lock, then the folio lock: rmap's order, mm/rmap.c) and walked
 *   by sharing.c, which counts, page by page, the entries that map each page of the folio:
 *   exactly the per-page mapcount smaps divides by (fs/proc/task_mmu.c smaps_account()). pss,
 *   shared and private are then computed with smaps' own arithmetic (bytes << PSS_SHIFT,
 *   divided per page).
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/os.h"
#include "../core/range_report.h"
#include "../core/share_report.h"
#include "errmsg.h"
#include "sharing.h"
#include "span.h"
#include "target.h"
#include "walk_internal.h"

/* The item's pages into the target's figures and its peers', as smaps_account() counts them. */
static void rs_share_account(struct rs_sharing *s, struct rs_share_result *res, struct folio *folio,
			     const struct rs_span_item *it)
{
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

	rs_sharing_next_folio(s);
	for (r = 0; r < s->nrec; r++) {
		const struct rs_share_rec *rec = &s->recs[r];
		struct rs_share_slot *slot;
		struct rs_share_peer *p;

		if (!rec->mm)
			continue;
		p = rs_sharing_peer(s, rec->mm, &slot);
		if (!p)
			continue;
		for (i = find_next_bit(rec->pages, end, s->idx0); i < end;
		     i = find_next_bit(rec->pages, end, i + 1)) {
			p->pss += rs_share_unit(s->counts[i]);
			if (!rs_sharing_first_time(s, slot, i))
				continue;	/* it maps this page twice: one page shared */
			p->pages++;
			p->kind[kind]++;
			p->thp += thp;
		}
	}
}

/* One item of a span: its folio locked, walked and accounted. 0, or -EINTR. */
static int rs_share_item(struct rs_sharing *s, struct rs_share_result *res, struct mm_struct *mm,
			 const struct rs_span_item *it)
{
	struct folio *folio = it->folio;
	int ret;

	if (folio_nr_pages(folio) > RS_SHARE_FOLIO_MAX) {
		res->skips[RS_SS_LARGE] += it->pages;
		return 0;
	}
	if (folio_lock_killable(folio))
		return -EINTR;
	ret = rs_sharing_walk(s, folio, mm, it->addr, it->pfn - folio_pfn(folio), it->pages);
	folio_unlock(folio);
	res->folios++;
	if (ret == -EOPNOTSUPP)
		res->skips[RS_SS_UNSUPPORTED] += it->pages;	/* anon_lock not callable */
	else if (ret == -E2BIG)
		res->skips[RS_SS_TOO_MANY_MAPPINGS] += it->pages;
	else
		rs_share_account(s, res, folio, it);
	rs_sharing_drop_recs(s);
	return 0;
}

/*
 * One PMD-sized span [addr, span_end) under mmap_lock (read). *next: where the next span starts
 * (the next VMA, so that an address space of holes costs nothing). 0, or -EINTR.
 */
static int rs_share_span(struct rs_sharing *s, struct rs_share_result *res, struct mm_struct *mm,
			 unsigned long addr, unsigned long span_end, unsigned long end,
			 struct rs_span_item *items, unsigned long *next)
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
			ret = rs_share_item(s, res, mm, it);
		else if (!ret)
			res->skips[it->skip == RS_SKIP_UNTRACKED ? RS_SS_UNTRACKED : RS_SS_UNSUPPORTED] += it->pages;
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

int rs_os_share(int pid, unsigned long start, unsigned long end, int all_owners,
		struct rs_share_result *res, char *msg, size_t cap)
{
	struct rs_span_item *items = NULL;
	struct rs_sharing *s = NULL;
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
	items = kvmalloc_array(RS_SPAN_MAX, sizeof(*items), RS_GFP);
	if (!s || !items || rs_sharing_init(s, res->peers, res->peers_cap))
		goto out;

	res->pid = pid;
	res->start = start;
	res->end = end;
	ret = 0;
	for (addr = start; addr < end && !ret; addr = next)
		ret = rs_share_span(s, res, mm, addr, min(end, (addr & PMD_MASK) + PMD_SIZE), end, items, &next);
	if (rs_sharing_name_peers(s, all_owners, &res->all_owners, &res->shared_mms) && !ret)
		ret = -ENOMEM;
	res->nr_peers = s->nr_peers;
	res->peers_dropped = s->peers_dropped;
	res->vmas = s->vmas;
	res->ns = ktime_get_ns() - t0;
out:
	if (ret == -ENOMEM)
		rs_msg(msg, cap, "out of memory");
	else if (ret == -EINTR)
		rs_msg(msg, cap, "interrupted by a fatal signal");
	if (s)
		rs_sharing_release(s);
	kvfree(s);
	kvfree(items);
	mmput(mm);
	return ret;
}
