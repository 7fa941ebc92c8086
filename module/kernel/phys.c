// SPDX-License-Identifier: GPL-2.0
/*
 * phys [start_pfn= end_pfn=] [referenced=1] [young=0] [method=bulk|walk]: whose is this physical
 * memory.
 * Every LRU folio of a PFN range is attributed to the processes and files that map it:
 * DAMON's physical-address view, with names.
 *
 * - Every PFN of the range lands in one bucket: offline, hugetlb, not_lru, or lru (the pages
 *   of LRU folios, each counted at its first PFN inside the range, for its pages inside it).
 *   Folios are taken as page_idle takes them (page_idle_get_folio() in mm/page_idle.c):
 *   pfn_to_online_page(), on an LRU list, folio_try_get(), and checked again. A free buddy
 *   block is passed over at once, all not_lru, as compaction's scanner skips one (compat.h).
 *   A chunk's pass 2, and a folio taken again after its group found it changed, account only
 *   the PFNs they were given (rs_phys_pass()'s limit): never a page twice, nor a bit past the
 *   chunk's bitmaps.
 * - method=walk: each folio is trylocked (never waited for: a scan of all RAM must not queue
 *   behind every I/O) and rmap-walked (sharing.c).
 * - method=bulk (the default): a chunk's folios are sorted by their anon_vma or address_space
 *   and page offset, and each group of them within one page table's worth of page offsets is
 *   compared at once with the reverse map's candidate VMAs (bulk.c). The group's lock is taken
 *   as rmap_walk() takes it for one folio of it (the anchor), which stays locked meanwhile: a
 *   locked folio keeps its mapping (and so its anon_vma's root, or its address_space) alive.
 *   Every other folio of the group is referenced and checked to still belong there. KSM folios,
 *   and folios that changed since the sort, take the walk's path.
 * - The mapcount shortcut (method=bulk, share's, bulk.c): a small folio whose own mapcount,
 *   read under the group's rmap lock, equals the candidate VMAs that cover its page offset is
 *   mapped by every candidate, once, and counted so. Under that lock no VMA can join or leave
 *   the candidates, and every mapping of the folio is in one of them; an entry being zapped or
 *   copied at that moment is counted as mapped, as the entry-by-entry read may count it too.
 *   With the YOUNG column (the default) each candidate's entry of such a page is still read, for
 *   its young bit alone; with young=0 it is not read at all.
 * - referenced=1: the range goes in chunks of RS_PHYS_CHUNK PFNs; after a chunk's walks, each
 *   folio of it is isolated and asked through folio_referenced(), as the range scan asks
 *   (range.c). Asking one folio can clear its neighbours' bits (MGLRU's look-around): a page is
 *   counted referenced when folio_referenced() said so, or when the walk had seen a young entry
 *   of it.
 * - cond_resched() between folios and groups; a fatal signal stops the scan with -EINTR.
 * - Files are named when first met, from a VMA that maps them (phys_files.c); no reference on
 *   an inode, a mount or a superblock outlives the folio lock that pinned it.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/fs.h>
#include <linux/hugetlb.h>
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/static_stub.h>
#endif
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/command.h"
#include "../core/os.h"
#include "../core/phys_report.h"
#include "bulk.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "folio.h"
#include "held.h"
#include "phys_files.h"
#include "phys_sets.h"
#include "pt.h"
#include "scratch.h"
#include "sharing.h"
#include "walk_internal.h"

#define RS_PHYS_CHUNK 65536UL	/* PFNs walked before they are asked (referenced=1) */
#define RS_PHYS_ENTS 65536U	/* method=bulk: folios sorted at once, at most */

/* method=bulk: an LRU folio of the chunk, as read under a reference in the first pass. */
struct rs_phys_ent {
	unsigned long key;	/* folio->mapping: its anon_vma (with the anon flag) or address_space */
	pgoff_t index;		/* folio->index */
	unsigned long head;	/* its first PFN */
	u16 i0, i1;		/* its pages inside the range */
	u16 nr;
};

struct rs_phys {
	struct rs_sharing s;
	struct rs_phys_result *res;
	int method;
	bool referenced;		/* pass 2 runs: the walked and young bitmaps are kept */
	bool shortcut;			/* young=0, method=bulk: no entry read for the YOUNG column (above) */
	struct rs_phys_files files;
	unsigned long chunk;		/* first PFN of the chunk */
	/* Pages of the chunk's folios (the last may reach past it): */
	DECLARE_BITMAP(young, RS_PHYS_CHUNK + RS_POS_MAX);	/* with a young entry */
	DECLARE_BITMAP(walked, RS_PHYS_CHUNK + RS_POS_MAX);	/* mapped, and accounted */
	struct rs_phys_ent *ents;	/* method=bulk: RS_PHYS_ENTS */
	unsigned int nent;
	struct folio **members;		/* method=bulk: one group's folios, referenced, or NULL: changed */
	struct rs_phys_sets *sets;	/* sets=1, or NULL */
};

/*
 * referenced=1: the pages of the observation that were mapped, and young, into the chunk's
 * bitmaps, for pass 2: position k is PFN pfn0 + k (a folio's pages), or s->pfn[k] where pfn0 is
 * 0 (a group's). Without referenced=1 nothing reads them, and this is not called.
 */
static void rs_phys_mark(struct rs_phys *p, unsigned long pfn0)
{
	struct rs_sharing *s = &p->s;
	DECLARE_BITMAP(young, RS_POS_MAX);
	unsigned int k, r;

	/* Young in any mapping: one OR of each record's bitmap, not a test per record per page. */
	bitmap_zero(young, s->n);
	for (r = 0; r < s->nrec; r++)
		bitmap_or(young, young, s->recs[r].young, s->n);
	for (k = 0; k < s->n; k++) {
		unsigned long bit;

		if (!(s->flags[k] & RS_POS_PAGE) || !s->counts[k])
			continue;
		bit = (pfn0 ? pfn0 + k : s->pfn[k]) - p->chunk;
		__set_bit(bit, p->walked);
		if (test_bit(k, young))
			__set_bit(bit, p->young);
	}
}

/* A file folio's entry, named from a VMA of its mapping if new. Under the folio lock. */
static struct rs_phys_file *rs_phys_file_of(struct rs_phys *p, struct folio *folio)
{
	struct address_space *mapping = READ_ONCE(folio->mapping);
	struct rs_phys_file *file;
	struct vm_area_struct *vma;

	if (folio_test_anon(folio) || !mapping || ((unsigned long)mapping & RS_MAPPING_FLAGS))
		return NULL;
	file = rs_phys_file(&p->files, mapping);
	if (!file || !rs_phys_file_unnamed(&p->files, file) || !rs_rmap_trees_callable())
		return file;
	i_mmap_lock_read(mapping);
	vma = rs_call_file_tree_first(mapping, folio->index, folio->index + folio_nr_pages(folio) - 1);
	if (vma)
		rs_phys_file_name(&p->files, file, vma);
	i_mmap_unlock_read(mapping);
	return file;
}

/* method=walk, one referenced folio: its pages [i0, i1) inside the range. Never waits for its lock. */
static void rs_phys_walk(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	struct rs_phys_result *res = p->res;
	unsigned int pages = i1 - i0;
	struct rs_phys_file *file;
	int ret;

	res->lru += pages;
	if (!rs_folio_trylock(folio)) {
		res->skips[RS_PS_LOCKED] += pages;
		return;
	}
	ret = rs_sharing_walk(&p->s, folio, NULL, 0, i0, pages);
	if (ret == -EOPNOTSUPP) {
		res->skips[RS_PS_UNSUPPORTED] += pages;
	} else if (ret == -E2BIG) {
		res->skips[RS_PS_TOO_MANY_MAPPINGS] += pages;
	} else {
		file = rs_phys_file_of(p, folio);
		rs_sharing_phys(&p->s, res, file, rs_share_kind(folio), p->sets);
		if (p->referenced)
			rs_phys_mark(p, folio_pfn(folio));
	}
	rs_folio_unlock(folio);
	rs_sharing_drop_recs(&p->s);
}

/*
 * The LRU folio at pfn, referenced, as page_idle_get_folio() takes it; or NULL, with the PFNs
 * from pfn to *next counted in their bucket: one PFN, or (below stop) the rest of a free buddy
 * block, all not_lru, whose pages the scan need not look at one by one.
 */
static struct folio *rs_phys_get_folio(struct rs_phys *p, unsigned long pfn, unsigned long stop,
				       bool count, unsigned long *next)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;

	*next = pfn + 1;
	if (!page) {
		p->res->skips[RS_PS_OFFLINE] += count;
		return NULL;
	}
	folio = page_folio(page);
	if (folio_test_hugetlb(folio)) {
		p->res->skips[RS_PS_HUGETLB] += count;
		return NULL;
	}
	if (!folio_test_lru(folio)) {
		*next = min(stop, pfn + rs_free_block_pages(page, pfn));
		p->res->skips[RS_PS_NOT_LRU] += count ? *next - pfn : 0;
		return NULL;
	}
	if (!rs_folio_try_get(folio)) {
		p->res->skips[RS_PS_NOT_LRU] += count;
		return NULL;
	}
	if (unlikely(page_folio(page) != folio || !folio_test_lru(folio))) {
		rs_folio_put(folio);
		p->res->skips[RS_PS_NOT_LRU] += count;
		return NULL;
	}
	return folio;
}

/* Pass 1, one referenced LRU folio: counted now (too large, unmapped), or false. */
static bool rs_phys_counted(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	struct rs_phys_result *res = p->res;
	unsigned int pages = i1 - i0;

	if (folio_nr_pages(folio) > RS_POS_MAX) {
		res->lru += pages;
		res->skips[RS_PS_LARGE] += pages;
		return true;
	}
	if (!folio_mapped(folio)) {
		res->lru += pages;
		res->unmapped += pages;
		return true;
	}
	return false;
}

/* Pass 1 of method=walk, and of the folios a group found changed: one folio, walked now. */
static void rs_phys_take_walk(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	if (!rs_phys_counted(p, folio, i0, i1))
		rs_phys_walk(p, folio, i0, i1);
}

/* Pass 1, one referenced LRU folio: counted now, walked now, or kept for its group (bulk). */
static void rs_phys_take(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	if (rs_phys_counted(p, folio, i0, i1))
		return;
	if (p->method == RS_METHOD_WALK || folio_test_ksm(folio) || !rs_folio_has_rmap(folio)) {
		rs_phys_walk(p, folio, i0, i1);
		return;
	}
	p->ents[p->nent++] = (struct rs_phys_ent){
		.key = (unsigned long)READ_ONCE(folio->mapping), .index = folio->index,
		.head = folio_pfn(folio), .i0 = i0, .i1 = i1, .nr = folio_nr_pages(folio),
	};
}

/*
 * Pass 1 (take) or 2 (ask, referenced=1) over the folios whose first PFN in the range is in
 * [start, stop): fn gets each with its pages below limit (the range's end, or less). With ended
 * (pass 1), it also stops where the chunk's entries are full, and says where the pages it took
 * end: past stop when the last folio reaches beyond it, so no folio is taken twice. 0 or -EINTR.
 *
 * limit keeps every page inside what the caller accounts for: pass 2 asks only the chunk's
 * pages (below where pass 1 ended), and a folio that changed since its group was sorted is
 * taken again only for the PFNs its entry had (it may have become part of a larger folio
 * meanwhile, whose other pages are other entries', or the next chunk's). Past them, the chunk's
 * bitmaps would be indexed beyond their end.
 */
static int rs_phys_pass(struct rs_phys *p, unsigned long start, unsigned long stop, unsigned long limit,
			bool count, void (*fn)(struct rs_phys *, struct folio *, unsigned int, unsigned int),
			unsigned long *ended)
{
	unsigned long pfn = start, n = 0;

	if (ended)
		*ended = start;
	while (pfn < stop && !(ended && p->nent == RS_PHYS_ENTS)) {
		unsigned long head, last, after;
		struct folio *folio = rs_phys_get_folio(p, pfn, stop, count, &after);

		if (!folio) {
			pfn = after;
		} else {
			head = folio_pfn(folio);
			last = min(head + folio_nr_pages(folio), limit);
			fn(p, folio, pfn - head, last - head);
			rs_folio_put(folio);
			pfn = last;
		}
		if (ended)
			*ended = pfn;
		if (++n % 64 == 0 || folio) {
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	return 0;
}

/* Heapsort of the chunk's entries by (key, index): inline compares, no callback per compare. */
static bool rs_phys_before(const struct rs_phys_ent *a, const struct rs_phys_ent *b)
{
	return a->key != b->key ? a->key < b->key : a->index < b->index;
}

static void rs_phys_sift(struct rs_phys_ent *a, unsigned int i, unsigned int n)
{
	for (;;) {
		unsigned int big = i, l = 2 * i + 1, r = l + 1;

		if (l < n && rs_phys_before(&a[big], &a[l]))
			big = l;
		if (r < n && rs_phys_before(&a[big], &a[r]))
			big = r;
		if (big == i)
			return;
		swap(a[i], a[big]);
		i = big;
	}
}

static void rs_phys_sort(struct rs_phys_ent *a, unsigned int n)
{
	unsigned int i;

	for (i = n / 2; i-- > 0;)
		rs_phys_sift(a, i, n);
	for (i = n; i-- > 1;) {
		swap(a[0], a[i]);
		rs_phys_sift(a, 0, i);
	}
}

/* A group's folio again, referenced, if it is still the folio the sort saw; else NULL. */
static struct folio *rs_phys_recheck(const struct rs_phys_ent *e)
{
	struct page *page = pfn_to_online_page(e->head);
	struct folio *folio;

	if (!page)
		return NULL;
	folio = page_folio(page);
	if (!rs_folio_try_get(folio))
		return NULL;
	if (page_folio(page) == folio && folio_pfn(folio) == e->head && folio_test_lru(folio) &&
	    folio_nr_pages(folio) == e->nr && (unsigned long)READ_ONCE(folio->mapping) == e->key &&
	    folio->index == e->index && folio_mapped(folio))
		return folio;
	rs_folio_put(folio);
	return NULL;
}

/*
 * The rmap lock of a group, taken through its anchor (locked here, and returned in *anchor) as
 * rmap_walk() takes it for that folio. false when no folio of the group could be trylocked.
 */
static bool rs_phys_lock_group(struct rs_phys *p, const struct rs_phys_ent *g, unsigned int n,
			       struct rs_bulk_run *r, struct folio **anchor)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct folio *folio = p->members[i];

		if (!folio || !rs_folio_trylock(folio))
			continue;
		if (READ_ONCE(folio->mapping) == (void *)g[0].key && folio_mapped(folio)) {
			if (folio_test_anon(folio)) {
				struct anon_vma *av = rs_call_folio_lock_anon_vma_read(folio);

				if (av && (unsigned long)av == (g[0].key & ~RS_MAPPING_FLAGS)) {
					r->anon_vma = av;
					*anchor = folio;
					return true;
				}
				if (av)
					rs_anon_vma_unlock_read(av);
			} else {
				r->mapping = (struct address_space *)g[0].key;
				i_mmap_lock_read(r->mapping);
				*anchor = folio;
				return true;
			}
		}
		rs_folio_unlock(folio);
	}
	return false;
}

/*
 * The group's pages at positions [pos, pos + m) into a new observation (s->has, s->pfn and the
 * flags); returns how many there are.
 */
static unsigned int rs_phys_fill(struct rs_phys *p, const struct rs_phys_ent *g, unsigned int n,
				 unsigned int pos, unsigned int m)
{
	struct rs_sharing *s = &p->s;
	unsigned int i, k, pages = 0;

	if (!rs_sharing_begin(s, m))
		return 0;
	bitmap_zero(s->has, m);
	for (i = 0; i < n; i++) {
		if (!p->members[i])
			continue;
		for (k = g[i].i0; k < g[i].i1; k++) {
			unsigned long at = g[i].index - g[0].index + k;

			if (at < pos || at >= pos + m)
				continue;
			__set_bit(at - pos, s->has);
			s->pfn[at - pos] = g[i].head + k;
			/* Under the group's rmap lock, of a folio referenced here. */
			s->mapc[at - pos] = !folio_test_large(p->members[i]) ?
					    max(rs_small_folio_mapcount(p->members[i]), 0) : 0;
			s->flags[at - pos] = RS_POS_PAGE |
					     (folio_test_pmd_mappable(p->members[i]) ? RS_POS_THP : 0);
			pages++;
		}
	}
	return pages;
}

/* method=bulk: one group of entries, one key, page offsets within RS_POS_MAX of the first. */
static void rs_phys_group(struct rs_phys *p, const struct rs_phys_ent *g, unsigned int n)
{
	struct rs_phys_result *res = p->res;
	struct rs_sharing *s = &p->s;
	struct rs_bulk_run r = { .mapcount = s->mapc, .young = !p->shortcut };
	struct folio *anchor = NULL;
	struct rs_phys_file *file = NULL;
	unsigned int i, span = 0, pos, pages = 0;

	for (i = 0; i < n; i++) {
		p->members[i] = rs_phys_recheck(&g[i]);
		if (p->members[i]) {
			pages += g[i].i1 - g[i].i0;
			span = max_t(unsigned int, span, g[i].index - g[0].index + g[i].i1);
		}
	}
	if (pages && !rs_phys_lock_group(p, g, n, &r, &anchor)) {
		/* As the walk would: folios it cannot trylock are not waited for. */
		res->lru += pages;
		res->skips[RS_PS_LOCKED] += pages;
		pages = 0;
	}
	if (pages) {
		int kind = rs_share_kind(anchor);
		u64 t0 = ktime_get_ns();

		res->lru += pages;
		if (r.mapping)
			file = rs_phys_file(&p->files, r.mapping);
		for (pos = 0; pos < span;) {
			unsigned int m;

			r.pgoff = g[0].index + pos;
			m = rs_bulk_fit(rs_bulk_candidates(s, &r, span - pos), span - pos);
			if (!m) {
				res->skips[RS_PS_TOO_MANY_MAPPINGS] += rs_phys_fill(p, g, n, pos, span - pos);
				break;
			}
			rs_phys_fill(p, g, n, pos, m);
			if (rs_bulk_compare(s, &r)) {
				res->skips[RS_PS_TOO_MANY_MAPPINGS] += bitmap_weight(s->has, m);
			} else {
				if (file && s->nrec && rs_phys_file_unnamed(&p->files, file))
					rs_phys_file_name(&p->files, file, (struct vm_area_struct *)s->recs[0].vma);
				rs_sharing_phys(s, res, file, kind, p->sets);
				if (p->referenced)
					rs_phys_mark(p, 0);
			}
			pos += m;
		}
		rs_sharing_held(s, t0);
		if (r.anon_vma)
			rs_anon_vma_unlock_read(r.anon_vma);
		else
			i_mmap_unlock_read(r.mapping);
		rs_folio_unlock(anchor);
	}
	for (i = 0; i < n; i++)
		if (p->members[i])
			rs_folio_put(p->members[i]);
	/* The folios that changed since the sort: taken one by one, from their PFNs again. */
	for (i = 0; i < n; i++)
		if (!p->members[i])
			rs_phys_pass(p, g[i].head + g[i].i0, g[i].head + g[i].i1, g[i].head + g[i].i1, true,
				     rs_phys_take_walk, NULL);
}

/* method=bulk: the chunk's entries, sorted and taken in groups. 0 or -EINTR. */
static int rs_phys_groups(struct rs_phys *p)
{
	unsigned int i = 0, j;

	rs_phys_sort(p->ents, p->nent);
	while (i < p->nent) {
		const struct rs_phys_ent *g = &p->ents[i];
		pgoff_t end = g->index + g->nr;

		/*
		 * Folios of one key at page offsets that do not overlap (two folios can share an
		 * anon_vma and an offset: a COW in a VMA that reused an anon_vma), within RS_POS_MAX.
		 */
		for (j = i + 1; j < p->nent && p->ents[j].key == g->key && p->ents[j].index >= end &&
		     p->ents[j].index + p->ents[j].nr - g->index <= RS_POS_MAX; j++)
			end = p->ents[j].index + p->ents[j].nr;
		rs_phys_group(p, g, j - i);
		i = j;
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	p->nent = 0;
	return 0;
}

void rs_phys_before_isolate(struct folio *folio)
{
#if IS_ENABLED(CONFIG_KUNIT)
	KUNIT_STATIC_STUB_REDIRECT(rs_phys_before_isolate, folio);
#endif
}

/*
 * Pass 2 (referenced=1), one folio the walk accounted: isolated, trylocked and asked as reclaim
 * asks. Its walked pages count referenced if it says so, or if the walk had seen them young.
 */
static void rs_phys_ask(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	struct rs_folio f = { .folio = folio, .page = folio_page(folio, 0) };
	unsigned long pfn0 = folio_pfn(folio), vm_flags;
	struct rs_phys_file *file = NULL;
	struct address_space *mapping;
	bool refs = false;
	unsigned int i, walked = 0;

	for (i = i0; i < i1; i++)
		walked += test_bit(pfn0 + i - p->chunk, p->walked);
	if (!walked)
		return;
	rs_phys_before_isolate(folio);
	if (!rs_folio_isolate(&f, false)) {
		if (rs_folio_trylock(folio)) {
			refs = rs_call_folio_referenced(folio, 1, NULL, &vm_flags) > 0;
			rs_folio_unlock(folio);
		}
		rs_folio_putback(&f, false);
	} else {
		p->res->skips[RS_PS_ISOLATED] += walked;
	}
	mapping = READ_ONCE(folio->mapping);
	if (!folio_test_anon(folio) && mapping && !((unsigned long)mapping & RS_MAPPING_FLAGS))
		file = rs_phys_file(&p->files, mapping);	/* made in pass 1, if listed at all */
	for (i = i0; i < i1; i++) {
		unsigned long bit = pfn0 + i - p->chunk;

		if (!test_bit(bit, p->walked) || !(refs || test_bit(bit, p->young)))
			continue;
		p->res->referenced++;
		if (file)
			file->referenced++;
	}
}

/* The first PFN past the end of RAM: high_memory, exported, is where the direct map ends. */
static unsigned long rs_phys_end_of_ram(void)
{
	return PFN_DOWN(__pa(high_memory - 1)) + 1;
}

/* What phys needs from the kernel: 0, or -EOPNOTSUPP with why. */
static int rs_phys_callable(int method, int referenced, char *msg, size_t cap)
{
	int ret = rs_walk_callable(msg, cap);

	if (ret)
		return ret;
	if (referenced && (!rs_callable(RS_SYM_folio_referenced) || !rs_callable(RS_SYM_folio_isolate_lru) ||
			   !rs_callable(RS_SYM_folio_putback_lru))) {
		rs_msg(msg, cap, "folio_referenced or LRU isolation cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	if (method == RS_METHOD_BULK && (rs_bulk_callable() || !rs_callable(RS_SYM_folio_lock_anon_vma_read))) {
		rs_msg(msg, cap, "the reverse map's interval trees cannot be searched safely on this kernel (see version); method=walk can");
		return -EOPNOTSUPP;
	}
	return 0;
}

int rs_os_phys(unsigned long start_pfn, unsigned long end_pfn, int referenced, int all_owners,
	       int method, struct rs_phys_result *res, char *msg, size_t cap)
{
	unsigned long pfn, next, ram_end = rs_phys_end_of_ram();
	u64 t0 = ktime_get_ns();
	struct rs_phys *p;
	int ret;

	ret = rs_phys_callable(method, referenced, msg, cap);
	if (ret)
		return ret;
	if (!end_pfn)
		end_pfn = ram_end;
	if (start_pfn >= ram_end || end_pfn > ram_end) {
		rs_msg(msg, cap, "pfn range 0x%lx-0x%lx is beyond the end of RAM (0x%lx)", start_pfn, end_pfn, ram_end);
		return -ERANGE;
	}
	if (start_pfn >= end_pfn) {
		rs_msg(msg, cap, "start_pfn 0x%lx is not below end_pfn 0x%lx", start_pfn, end_pfn);
		return -EINVAL;
	}
	p = kvzalloc(sizeof(*p), RS_GFP);
	if (!p || rs_sharing_init(&p->s, res->owners, res->owners_cap) || rs_phys_files_init(&p->files, res)) {
		ret = -ENOMEM;
		goto out;
	}
	if (res->sets_cap) {
		p->sets = kvzalloc(sizeof(*p->sets), RS_GFP);
		if (!p->sets || rs_phys_sets_init(p->sets, res)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (method == RS_METHOD_BULK) {
		p->ents = rs_scratch_alloc(RS_PHYS_ENTS, sizeof(*p->ents));
		p->members = rs_scratch_alloc(RS_POS_MAX, sizeof(*p->members));
		if (!p->ents || !p->members) {
			ret = -ENOMEM;
			goto out;
		}
	}
	p->res = res;
	p->method = method;
	p->referenced = referenced;
	p->shortcut = method == RS_METHOD_BULK && res->no_young && !referenced;
	res->start_pfn = start_pfn;
	res->end_pfn = end_pfn;
	res->referenced = referenced ? 0 : -1;
	res->method = method;
	res->mapcount = rs_mapcount_model();

	/* Folios faulted in a moment ago sit in this CPU's LRU batch. */
	if (rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	/*
	 * In chunks: of RS_PHYS_CHUNK PFNs with referenced=1 (pass 2's bitmaps), else as far as
	 * RS_PHYS_ENTS folios reach. A file's pages lie all over RAM, and every chunk that holds some
	 * of them compares them with its candidate VMAs again: the fewer chunks, the fewer times.
	 */
	for (pfn = start_pfn; pfn < end_pfn && !ret; pfn = next) {
		unsigned long chunk_end = referenced ? min(end_pfn, pfn + RS_PHYS_CHUNK) : end_pfn;

		p->chunk = pfn;
		if (referenced) {
			bitmap_zero(p->young, RS_PHYS_CHUNK + RS_POS_MAX);
			bitmap_zero(p->walked, RS_PHYS_CHUNK + RS_POS_MAX);
		}
		ret = rs_phys_pass(p, pfn, chunk_end, end_pfn, true, rs_phys_take, &next);
		res->pages += next - pfn;
		if (!ret && p->nent)
			ret = rs_phys_groups(p);
		if (!ret && referenced) {
			ret = rs_phys_pass(p, pfn, next, next, false, rs_phys_ask, NULL);
			if (rs_callable(RS_SYM_lru_add_drain))
				rs_call_lru_add_drain();
		}
	}
	if (rs_sharing_name_peers(&p->s, all_owners, &res->all_owners, &res->shared_mms) && !ret)
		ret = -ENOMEM;
	res->nr_owners = p->s.nr_peers;
	res->owners_dropped = p->s.peers_dropped;
	res->folios = p->s.walks;
	res->vmas = p->s.vmas;
	res->lock_max_ns = p->s.lock_max_ns;
	res->ns = ktime_get_ns() - t0;
out:
	if (ret == -ENOMEM)
		rs_msg(msg, cap, "out of memory");
	else if (ret == -EINTR)
		rs_msg(msg, cap, "interrupted by a fatal signal");
	if (p) {
		rs_sharing_release(&p->s);
		rs_phys_files_free(&p->files);
		if (p->sets)
			rs_phys_sets_free(p->sets);
		kvfree(p->sets);
		rs_scratch_free(p->ents);
		rs_scratch_free(p->members);
	}
	kvfree(p);
	return ret;
}
