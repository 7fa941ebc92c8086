// SPDX-License-Identifier: GPL-2.0
/*
 * referenced pid= start= end=: folio_referenced() over every present page of a range, the job
 * page_idle and DAMON do for working-set sampling.
 *
 * - Pages are found without faulting or touching them (rs_page_at(), under mmap_lock read), one
 *   PMD-sized span at a time, holding a reference on each folio. Each folio is then isolated,
 *   trylocked and asked, as shrink_folio_list() asks, and put back, with mmap_lock still held
 *   (it comes first in rmap's lock order) so that entries can be read again.
 * - Spans follow PMD boundaries because MGLRU's lru_gen_look_around() clears the accessed bits of
 *   up to 64 neighbouring entries in the same page table: a span's accessed bits are all read
 *   before any folio of it is asked, and no look-around of one span reaches into the next.
 * - cond_resched() between folios; a fatal signal stops the scan with -EINTR.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/ktime.h>
#include <linux/page_idle.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/os.h"
#include "../core/range_report.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "folio.h"
#include "held.h"
#include "scratch.h"
#include "span.h"
#include "target.h"
#include "walk_internal.h"
#include "errmsg.h"

/*
 * A small folio mapped only by one entry, that entry old and PG_young clear, has nothing for
 * folio_referenced() to find or to change: it would walk to this one entry, see no accessed bit
 * and return 0 (no look-around, no flush, no re-mlock: those need a young entry or a reference).
 * Such a folio is answered from its entry, as DAMON's virtual-address mode answers. An entry
 * that was young at lookup is read again first: a look-around for a neighbour in this span may
 * have cleared it since (it->consumed). Needs the accessed bit, which only folio_walk_start()
 * (6.12) shows; on 6.1 every folio is asked.
 */
static bool rs_span_answered_by_entry(struct rs_span_item *it)
{
	struct page *page;
	bool young = it->young;

	if (!RS_HAVE_FOLIO_WALK || it->pages != 1 || folio_test_large(it->folio) ||
	    folio_test_young(it->folio) || rs_folio_mapcount(it->folio) != 1)
		return false;
	if (young) {
		page = rs_page_at(it->vma, it->addr, &young);
		if (IS_ERR_OR_NULL(page))
			return false;
		rs_put_page(page);
		if (page_to_pfn(page) != it->pfn)
			return false;
		it->rechecked = true;
		it->consumed = !young;
	}
	return !young;
}

/* Asks about one folio the way reclaim does: isolated, locked, is_locked = 1. */
static int rs_span_ask(struct rs_span_item *it, bool *mglru, unsigned long *shortcuts)
{
	struct rs_folio f = { .folio = it->folio, .page = folio_page(it->folio, 0) };
	unsigned long vm_flags;
	int refs;

	if (rs_span_answered_by_entry(it)) {
		(*shortcuts)++;
		*mglru = it->consumed;	/* only MGLRU's look-around clears a neighbour's bit */
		return 0;
	}
	if (rs_folio_isolate(&f, false)) {
		it->skip = RS_SKIP_NOT_LRU;
		return 0;
	}
	*mglru = f.mglru;
	if (!rs_folio_trylock(it->folio)) {
		rs_folio_putback(&f, false);
		it->skip = RS_SKIP_LOCKED;
		return 0;
	}
	refs = rs_call_folio_referenced(it->folio, 1, NULL, &vm_flags);
	rs_folio_unlock(it->folio);
	rs_folio_putback(&f, false);
	if (refs < 0)
		it->skip = RS_SKIP_CONTENDED;
	return refs;
}

static void rs_span_account(struct rs_range_result *res, const struct rs_span_item *it, int refs,
			    bool mglru)
{
	bool look_around = false;
	unsigned int i;

	if (it->skip != RS_RANGE_NO_SKIP) {
		res->skipped_folios++;
		res->skipped_pages += it->pages;
		res->skips[it->skip]++;
	} else {
		/*
		 * The entry here was young at lookup, and is old now (read again), or the kernel
		 * saw no reference on a folio it could not be read again for: a look-around for a
		 * neighbour took the bit. An entry found still young was asked: its answer stands.
		 */
		look_around = it->consumed || (refs == 0 && it->young && mglru && !it->rechecked &&
					       res->look_around >= 0);
		res->folios++;
		res->hist[rs_range_bucket(refs)]++;
		if (refs > 0 || look_around) {
			res->folios_referenced++;
			res->pages_referenced += it->pages;
		}
		if (look_around)
			res->look_around += it->young;
		res->mglru |= mglru;
	}
	res->pages += it->pages;

	for (i = 0; i < it->pages && res->nr_detail < res->detail_cap; i++) {
		struct rs_range_page *p = &res->detail[res->nr_detail++];

		*p = (struct rs_range_page){
			.addr = it->addr + i * PAGE_SIZE,
			.pfn = it->folio ? it->pfn + i : 0,
			.refs = it->skip == RS_RANGE_NO_SKIP ? refs : 0,
			.skip = it->skip,
			.young_before = i < BITS_PER_LONG ? !!(it->young_mask & (1UL << i)) : 0,
			.look_around = look_around,
		};
	}
}

/*
 * One PMD-sized span [addr, span_end): its entries read under mmap_lock (read), then each folio
 * asked and accounted, with mmap_lock still held (the VMAs stay for rechecking entries: mmap_lock
 * comes before the folio lock, i_mmap_rwsem and anon_vma in rmap's lock order, mm/rmap.c).
 * 0, or -EINTR on a fatal signal (every reference taken is still dropped).
 */
static int rs_range_span(struct mm_struct *mm, unsigned long addr, unsigned long span_end,
			 struct rs_span_item *items, struct rs_range_result *res)
{
	unsigned int i, n;
	int ret = 0;
	u64 t0 = ktime_get_ns(), t1;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	n = rs_span_collect(mm, addr, span_end, items);
	t1 = ktime_get_ns();
	res->lookup_ns += t1 - t0;
	/* Folios faulted in on this CPU a moment ago sit in its LRU batch. */
	if (rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	for (i = 0; i < n; i++) {
		bool mglru = false;
		int refs = 0;

		if (!ret && items[i].folio)
			refs = rs_span_ask(&items[i], &mglru, &res->answered_by_entry);
		if (!ret)
			rs_span_account(res, &items[i], refs, mglru);
		if (items[i].folio)
			rs_folio_put(items[i].folio);
		cond_resched();
		if (fatal_signal_pending(current))
			ret = -EINTR;
	}
	mmap_read_unlock(mm);
	/* The folios put back sit in this CPU's LRU batch: on their lists again now. */
	if (rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	res->ask_ns += ktime_get_ns() - t1;
	return ret;
}

int rs_os_range_referenced(int pid, unsigned long start, unsigned long end,
			   struct rs_range_result *res, char *msg, size_t cap)
{
	struct rs_span_item *items;
	struct mm_struct *mm;
	unsigned long addr;
	int ret;

	if (!rs_callable(RS_SYM_folio_referenced) || !rs_callable(RS_SYM_folio_isolate_lru) ||
	    !rs_callable(RS_SYM_folio_putback_lru)) {
		rs_msg(msg, cap, "folio_referenced or LRU isolation cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	if (end > TASK_SIZE_MAX || end <= start) {
		rs_msg(msg, cap, "0x%lx-0x%lx is not a user address range", start, end);
		return -EFAULT;
	}
	ret = rs_task_mm(pid, &mm, msg, cap);
	if (ret)
		return ret;
	items = rs_scratch_alloc(RS_SPAN_MAX, sizeof(*items));
	if (!items) {
		rs_mmput(mm);
		rs_msg(msg, cap, "out of memory");
		return -ENOMEM;
	}
	res->pid = pid;
	res->start = start;
	res->end = end;
	res->look_around = RS_HAVE_FOLIO_WALK ? 0 : -1;

	for (addr = start; addr < end && !ret; addr = min(end, (addr & PMD_MASK) + PMD_SIZE))
		ret = rs_range_span(mm, addr, min(end, (addr & PMD_MASK) + PMD_SIZE), items, res);
	res->ns = res->lookup_ns + res->ask_ns;
	rs_scratch_free(items);
	rs_mmput(mm);
	if (ret == -EINTR)
		rs_msg(msg, cap, "interrupted by a fatal signal");
	return ret;
}
