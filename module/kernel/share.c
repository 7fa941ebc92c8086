// SPDX-License-Identifier: GPL-2.0
/*
 * share pid= [start= end=] [method=bulk|walk]: the target's rss, pss and uss, and every other
 * process that maps its pages, from the reverse map, never from a scan of other processes'
 * page tables.
 *
 * - The target is walked as smaps walks it (pt.c): its VMAs' page tables under its mmap_lock
 *   (read), empty levels stepped over whole, one non-empty page table at a time. A fatal signal
 *   is looked for, and the CPU given up, between page tables; mmap_lock is dropped and taken
 *   again after each non-empty table (and every RS_SHARE_VMAS_PER_HOLD VMAs), as smaps drops it.
 * - The present pages of a table are read under its PTL and classified there: skipped (no rmap,
 *   device memory), or grouped into runs of pages that one anon_vma or address_space holds at
 *   consecutive page offsets.
 * - method=bulk (the default): each run is compared at once with the reverse map's candidate
 *   VMAs (bulk.c), under the run's rmap lock. The anon_vma of a page the target maps is one of
 *   its VMA's chain, alive while that VMA is, and the VMA is alive while mmap_lock is held; a
 *   file run's mapping is the VMA's own file's. Nothing is locked or referenced per page.
 * - method=walk, and KSM pages always: each folio is referenced (under the PTL, where it is
 *   mapped), locked after the PTL is dropped (mmap_lock, then the folio lock: rmap's order) and
 *   rmap-walked (sharing.c).
 * - Both count, page by page, the entries that map each page: the per-page mapcount smaps
 *   divides by (fs/proc/task_mmu.c smaps_account()); the core does smaps' arithmetic
 *   (observation.cpp).
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
#include "../core/command.h"
#include "../core/os.h"
#include "../core/share_report.h"
#include "bulk.h"
#include "compat.h"
#include "errmsg.h"
#include "held.h"
#include "pt.h"
#include "scratch.h"
#include "sharing.h"
#include "target.h"
#include "walk_internal.h"

/* VMAs looked at under one hold of mmap_lock, at most. */
#define RS_SHARE_VMAS_PER_HOLD 256

/* One present page of the table being looked at, as read under its PTL. */
struct rs_share_ent {
	unsigned long addr, pfn;
	struct folio *folio;	/* referenced, for method=walk and KSM; else NULL */
	void *key;		/* method=bulk: its anon_vma or address_space; NULL: walk it */
	pgoff_t pgoff;		/* its page offset in key */
	u32 mapcount;		/* a small folio's mapcount, read here; 0 for a large one */
	u8 skip;		/* RS_SS_* + 1 when it is not counted, else 0 */
	u8 kind;		/* RS_SK_* */
	bool thp, dirty;	/* in a PMD-sized folio; the folio or the entry is dirty */
};

struct rs_share {
	struct rs_sharing s;
	struct rs_share_result *res;
	struct mm_struct *mm;
	int method;
	struct vm_area_struct *vma;	/* the VMA being walked (mmap_lock held) */
	struct rs_share_ent *ents;	/* RS_POS_MAX */
	unsigned int nent;
};

/* The page at pfn, mapped at addr in sh->vma: one entry, or a skip. Under the PTL. */
static void rs_share_entry(struct rs_share *sh, unsigned long addr, unsigned long pfn, bool special,
			   bool dirty)
{
	struct rs_share_ent *e = &sh->ents[sh->nent++];
	struct address_space *mapping;
	struct folio *folio;
	struct page *page;

	*e = (struct rs_share_ent){ .addr = addr, .pfn = pfn };
	/* As vm_normal_page(): a special entry (the zero page, a PFN map) has no page to count. */
	if (special || !pfn_valid(pfn)) {
		e->skip = RS_SS_UNTRACKED + 1;
		return;
	}
	page = pfn_to_page(pfn);
	if (is_zone_device_page(page)) {
		e->skip = RS_SS_UNSUPPORTED + 1;
		return;
	}
	folio = page_folio(page);
	/* As page_idle: no anon_vma and no mapping (the zero page, a driver's page): no rmap. */
	if (!rs_folio_has_rmap(folio)) {
		e->skip = RS_SS_UNTRACKED + 1;
		return;
	}
	e->kind = rs_share_kind(folio);
	e->thp = folio_test_pmd_mappable(folio);
	e->dirty = dirty || folio_test_dirty(folio);
	/* Mapped here, under the PTL: the mapcount read is of a folio that cannot be freed now. */
	e->mapcount = folio_test_large(folio) ? 0 : max(rs_small_folio_mapcount(folio), 0);
	e->pgoff = folio->index + (pfn - folio_pfn(folio));
	mapping = READ_ONCE(folio->mapping);
	if (sh->method == RS_METHOD_BULK && e->kind == RS_SK_ANON)
		e->key = (void *)((unsigned long)mapping & ~RS_MAPPING_FLAGS);
	else if (sh->method == RS_METHOD_BULK && e->kind != RS_SK_KSM && sh->vma->vm_file &&
		 mapping == sh->vma->vm_file->f_mapping)
		e->key = mapping;
	if (!e->key) {
		/* Mapped here, under the PTL: its reference count cannot be zero. */
		rs_folio_get(folio);
		e->folio = folio;
	}
}

/* rs_pt_walk()'s visitor: the present pages of one table; stops the walk when there are some. */
static int rs_share_collect(void *arg, const struct rs_pt_table *t)
{
	struct rs_share *sh = arg;
	unsigned int i;

	sh->nent = 0;
	for (i = 0; i < t->n; i++) {
		unsigned long addr = t->addr + i * PAGE_SIZE;

		if (t->pte) {
			pte_t pte = ptep_get(t->pte + i);

			if (pte_present(pte))
				rs_share_entry(sh, addr, pte_pfn(pte), pte_special(pte), pte_dirty(pte));
		} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
			rs_share_entry(sh, addr, pmd_pfn(t->pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT), false,
				       pmd_dirty(t->pmd));
#endif
		}
	}
	return sh->nent > 0;
}

/* method=walk: the pages ents[0, n) of one folio, at consecutive addresses. 0, or -EINTR. */
static int rs_share_walk(struct rs_share *sh, const struct rs_share_ent *e, unsigned int n)
{
	struct rs_share_result *res = sh->res;
	struct folio *folio = e->folio;
	int ret;

	if (folio_nr_pages(folio) > RS_POS_MAX) {
		res->skips[RS_SS_LARGE] += n;
		return 0;
	}
	if (rs_folio_lock_killable(folio))
		return -EINTR;
	ret = rs_sharing_walk(&sh->s, folio, sh->mm, e->addr, e->pfn - folio_pfn(folio), n);
	rs_folio_unlock(folio);
	if (ret == -EOPNOTSUPP)
		res->skips[RS_SS_UNSUPPORTED] += n;	/* anon_lock not callable */
	else if (ret == -E2BIG)
		res->skips[RS_SS_TOO_MANY_MAPPINGS] += n;
	else
		rs_sharing_share(&sh->s, res, e->kind);
	rs_sharing_drop_recs(&sh->s);
	return 0;
}

/*
 * method=bulk: the pages ents[0, n) of one run (one key, page offsets following addresses),
 * compared in as few pieces as RS_BULK_BUDGET and the pool allow.
 */
static void rs_share_bulk(struct rs_share *sh, const struct rs_share_ent *ents, unsigned int n,
			  unsigned long range_start)
{
	const struct rs_share_ent *e0 = &ents[0];
	unsigned int span = ((ents[n - 1].addr - e0->addr) >> PAGE_SHIFT) + 1, pos = 0, i = 0;
	struct rs_sharing *s = &sh->s;
	struct rs_bulk_run r = {
		.anon_vma = e0->kind == RS_SK_ANON ? e0->key : NULL,
		.mapping = e0->kind == RS_SK_ANON ? NULL : e0->key,
		.target_vma = sh->vma, .target = sh->mm, .range_start = range_start, .mapcount = s->mapc,
	};

	while (pos < span) {
		unsigned int m, k;
		u64 t0;

		r.pgoff = e0->pgoff + pos;
		r.target_addr = e0->addr + ((unsigned long)pos << PAGE_SHIFT);
		rs_bulk_lock(&r);
		t0 = ktime_get_ns();
		m = rs_bulk_fit(rs_bulk_candidates(s, &r, span - pos), span - pos);
		if (!m || !rs_sharing_begin(s, m)) {
			rs_sharing_held(s, t0);
			rs_bulk_unlock(&r);
			for (; i < n; i++)
				sh->res->skips[RS_SS_TOO_MANY_MAPPINGS]++;
			return;
		}
		bitmap_zero(s->has, m);
		for (; i < n && (k = ((ents[i].addr - e0->addr) >> PAGE_SHIFT) - pos) < m; i++) {
			__set_bit(k, s->has);
			s->pfn[k] = ents[i].pfn;
			s->mapc[k] = ents[i].mapcount;
			s->flags[k] = RS_POS_PAGE | RS_POS_FIRST | (ents[i].thp ? RS_POS_THP : 0) |
				      (ents[i].dirty ? RS_POS_DIRTY : 0);
		}
		if (rs_bulk_compare(s, &r))
			sh->res->skips[RS_SS_TOO_MANY_MAPPINGS] += bitmap_weight(s->has, m);
		else
			rs_sharing_share(s, sh->res, e0->kind);
		rs_sharing_held(s, t0);
		rs_bulk_unlock(&r);
		pos += m;
	}
}

/* The entries of one table, after its PTL was dropped (mmap_lock still held). 0, or -EINTR. */
static int rs_share_table(struct rs_share *sh, unsigned long range_start)
{
	unsigned int i = 0, j;
	int ret = 0;

	while (i < sh->nent && !ret) {
		const struct rs_share_ent *e = &sh->ents[i];

		j = i + 1;
		if (e->skip) {
			sh->res->skips[e->skip - 1]++;
		} else if (e->folio) {
			/* One folio's pages at consecutive addresses: one walk. */
			while (j < sh->nent && sh->ents[j].folio == e->folio &&
			       sh->ents[j].addr == e->addr + (j - i) * PAGE_SIZE &&
			       sh->ents[j].pfn == e->pfn + (j - i))
				j++;
			ret = rs_share_walk(sh, e, j - i);
		} else {
			/* One key at page offsets that follow the addresses: one comparison. */
			while (j < sh->nent && sh->ents[j].key == e->key && !sh->ents[j].skip &&
			       sh->ents[j].pgoff - e->pgoff == (sh->ents[j].addr - e->addr) >> PAGE_SHIFT)
				j++;
			rs_share_bulk(sh, e, j - i, range_start);
		}
		i = j;
		cond_resched();
		if (fatal_signal_pending(current))
			ret = -EINTR;
	}
	for (i = 0; i < sh->nent; i++)
		if (sh->ents[i].folio)
			rs_folio_put(sh->ents[i].folio);
	sh->nent = 0;
	return ret;
}

/*
 * Under mmap_lock (read): from *addr, the VMAs' page tables until one non-empty table has been
 * counted, or RS_SHARE_VMAS_PER_HOLD VMAs were looked at; *addr moves past what was done.
 * 0, or -EINTR.
 */
static int rs_share_step(struct rs_share *sh, unsigned long *addr, unsigned long start, unsigned long end)
{
	unsigned int vmas;

	for (vmas = 0; vmas < RS_SHARE_VMAS_PER_HOLD && *addr < end; vmas++) {
		struct vm_area_struct *vma = find_vma(sh->mm, *addr);
		unsigned long next;
		int ret;

		if (!vma || vma->vm_start >= end) {
			*addr = end;
			break;
		}
		*addr = max(*addr, vma->vm_start);
		/* hugetlb needs hugetlb-aware walks; PFN maps have no folios: smaps' Rss passes them over too. */
		if (is_vm_hugetlb_page(vma) || (vma->vm_flags & (VM_PFNMAP | VM_IO))) {
			*addr = vma->vm_end;
			continue;
		}
		sh->vma = vma;
		ret = rs_pt_walk(vma, *addr, min(end, vma->vm_end), rs_share_collect, sh, &next);
		*addr = next;
		if (ret < 0)
			return ret;
		if (ret > 0)
			return rs_share_table(sh, start);
	}
	return 0;
}

/* What share needs from the kernel for method: 0, or -EOPNOTSUPP with why. */
static int rs_share_callable(int method, char *msg, size_t cap)
{
	int ret = rs_walk_callable(msg, cap);

	if (ret)
		return ret;
	if (rs_pt_callable()) {
		rs_msg(msg, cap, "pte_offset_map_lock cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	if (method == RS_METHOD_BULK && rs_bulk_callable()) {
		rs_msg(msg, cap, "the reverse map's interval trees cannot be searched safely on this kernel (see version); method=walk can");
		return -EOPNOTSUPP;
	}
	return 0;
}

int rs_share_mm(struct mm_struct *mm, int pid, unsigned long start, unsigned long end, int all_owners,
		int method, struct rs_share_result *res, char *msg, size_t cap)
{
	struct rs_share *sh;
	unsigned long addr;
	u64 t0 = ktime_get_ns();
	int ret = -ENOMEM;

	sh = kvzalloc(sizeof(*sh), RS_GFP);
	if (!sh || rs_sharing_init(&sh->s, res->peers, res->peers_cap))
		goto out;
	sh->ents = rs_scratch_alloc(RS_POS_MAX, sizeof(*sh->ents));
	if (!sh->ents)
		goto out;
	sh->res = res;
	sh->mm = mm;
	sh->method = method;
	sh->s.range_start = start;

	res->pid = pid;
	res->start = start;
	res->end = end;
	res->method = method;
	res->mapcount = rs_mapcount_model();
	ret = 0;
	for (addr = start; addr < end && !ret;) {
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		ret = rs_share_step(sh, &addr, start, end);
		mmap_read_unlock(mm);
		cond_resched();
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
	}
	if (rs_sharing_name_peers(&sh->s, all_owners, &res->all_owners, &res->shared_mms) && !ret)
		ret = -ENOMEM;
	res->nr_peers = sh->s.nr_peers;
	res->peers_dropped = sh->s.peers_dropped;
	res->folios = sh->s.walks;
	res->vmas = sh->s.vmas;
	res->lock_max_ns = sh->s.lock_max_ns;
	res->ns = ktime_get_ns() - t0;
out:
	if (ret == -ENOMEM)
		rs_msg(msg, cap, "out of memory");
	else if (ret == -EINTR)
		rs_msg(msg, cap, "interrupted by a fatal signal");
	if (sh) {
		rs_sharing_release(&sh->s);
		rs_scratch_free(sh->ents);
	}
	kvfree(sh);
	return ret;
}

int rs_os_share(int pid, unsigned long start, unsigned long end, int all_owners, int method,
		struct rs_share_result *res, char *msg, size_t cap)
{
	struct mm_struct *mm;
	int ret = rs_share_callable(method, msg, cap);

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
	ret = rs_share_mm(mm, pid, start, end, all_owners, method, res, msg, cap);
	rs_mmput(mm);
	return ret;
}
