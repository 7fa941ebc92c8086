// SPDX-License-Identifier: GPL-2.0
/*
 * The folio a command holds: its reference (rs_folio_new, rs_os_folio_put), its description for
 * the core (rs_os_folio_describe), its lock, and its LRU isolation around folio_referenced(), as
 * reclaim isolates (rs_os_folio_isolate/putback). Target resolution (target.c) makes them.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/page_idle.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/swap.h>

#include "alloc.h"
#include "../core/os.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "folio.h"
#include "held.h"

/* Folios rmapscope holds right now: 0 whenever no command runs (KUnit checks it between cases). */
static atomic_t rs_folios_held = ATOMIC_INIT(0);

int rs_folios_live(void)
{
	return atomic_read(&rs_folios_held);
}

int rs_folio_new(struct folio *folio, struct page *page, struct rs_folio **out)
{
	struct rs_folio *f = kzalloc(sizeof(*f), RS_GFP);

	if (!f) {
		rs_folio_put(folio);
		return -ENOMEM;
	}
	f->folio = folio;
	f->page = page;
	atomic_inc(&rs_folios_held);
	*out = f;
	return 0;
}

void rs_os_folio_put(struct rs_folio *f)
{
	/* The core's guards put an isolated folio back first; never strand one off its LRU. */
	if (WARN_ON_ONCE(f->isolated))
		rs_os_folio_putback(f);
	rs_folio_put(f->folio);
	kfree(f);
	atomic_dec(&rs_folios_held);
}

static int rs_kind(struct folio *folio)
{
	if (folio_test_hugetlb(folio))
		return RS_KIND_HUGETLB;
	if (folio_test_ksm(folio))
		return RS_KIND_KSM;
	if (folio_test_anon(folio))
		return RS_KIND_ANON;
	return folio_test_swapbacked(folio) ? RS_KIND_SHMEM : RS_KIND_FILE;
}

int rs_folio_mapcount(struct folio *folio)
{
#if RS_HAVE_INLINE_FOLIO_MAPCOUNT
	return folio_mapcount(folio);
#else
	return rs_callable(RS_SYM_folio_mapcount) ? rs_call_folio_mapcount(folio) : -1;
#endif
}

void rs_os_folio_describe(struct rs_folio *f, struct rs_folio_info *info)
{
	struct folio *folio = f->folio;
	unsigned long fl = 0;

#define RS_SET(bit, test) do { if (test) fl |= RS_FF(bit); } while (0)
	RS_SET(LRU, folio_test_lru(folio));
	RS_SET(ACTIVE, folio_test_active(folio));
	RS_SET(UNEVICTABLE, folio_test_unevictable(folio));
	RS_SET(MLOCKED, folio_test_mlocked(folio));
	RS_SET(REFERENCED, folio_test_referenced(folio));
	RS_SET(DIRTY, folio_test_dirty(folio));
	RS_SET(WRITEBACK, folio_test_writeback(folio));
	RS_SET(UPTODATE, folio_test_uptodate(folio));
	RS_SET(SWAPBACKED, folio_test_swapbacked(folio));
	RS_SET(SWAPCACHE, folio_test_swapcache(folio));
	RS_SET(LARGE, folio_test_large(folio));
	RS_SET(IDLE, folio_test_idle(folio));
	RS_SET(YOUNG, folio_test_young(folio));
#undef RS_SET

	info->pfn = folio_pfn(folio);
	info->page_pfn = page_to_pfn(f->page);
	info->nr_pages = folio_nr_pages(folio);
	info->kind = rs_kind(folio);
	info->mapcount = rs_folio_mapcount(folio);
	info->refcount = folio_ref_count(folio) - 1;	/* less our own reference */
	info->index = folio->index;
	info->flags = fl;
}

int rs_os_folio_lock_killable(struct rs_folio *f)
{
	return rs_folio_lock_killable(f->folio) ? -EINTR : 0;
}

void rs_os_folio_unlock(struct rs_folio *f)
{
	rs_folio_unlock(f->folio);
}

static bool rs_on_mglru(struct folio *folio)
{
#ifdef CONFIG_LRU_GEN
	return folio_lru_gen(folio) >= 0;
#else
	return false;
#endif
}

int rs_folio_isolate(struct rs_folio *f, bool drain)
{
	struct folio *folio = f->folio;
	bool mglru;

	if (WARN_ON_ONCE(f->isolated))
		return -EINVAL;
	/*
	 * A folio added a moment ago sits in a per-CPU batch, not yet on its list. Drain this
	 * CPU's batch first, as madvise_cold/pageout and migration do before isolating; if the
	 * folio is still not on a list, drain every CPU's (it sleeps; we hold no locks here).
	 */
	if (drain && !folio_test_lru(folio) && rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	if (drain && !folio_test_lru(folio) && rs_callable(RS_SYM_lru_add_drain_all))
		rs_call_lru_add_drain_all();
	mglru = rs_on_mglru(folio);
	if (!rs_call_folio_isolate_lru(folio))
		return -EBUSY;
	rs_held_take(RS_HELD_ISOLATED);
	f->isolated = true;
	f->mglru = mglru;
	return 0;
}

int rs_os_folio_isolate(struct rs_folio *f, char *msg, size_t cap)
{
	int ret;

	if (!rs_callable(RS_SYM_folio_isolate_lru) || !rs_callable(RS_SYM_folio_putback_lru)) {
		rs_msg(msg, cap, "folio_isolate_lru/folio_putback_lru cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	ret = rs_folio_isolate(f, true);
	if (ret == -EBUSY)
		rs_msg(msg, cap, "the folio is not on an LRU list (isolated by reclaim, compaction or migration right now)");
	return ret;
}

void rs_folio_putback(struct rs_folio *f, bool drain)
{
	if (!f->isolated)
		return;
	/*
	 * folio_putback_lru() adds the folio to this CPU's batch; draining that batch on the same
	 * CPU puts it back on its list before the next command looks for it there.
	 */
	migrate_disable();
	rs_call_folio_putback_lru(f->folio);
	if (drain && rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	migrate_enable();
	rs_held_give(RS_HELD_ISOLATED);
	f->isolated = false;
}

void rs_os_folio_putback(struct rs_folio *f)
{
	rs_folio_putback(f, true);
}
