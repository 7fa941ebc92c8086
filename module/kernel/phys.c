// SPDX-License-Identifier: GPL-2.0
/*
 * phys start_pfn= end_pfn= [referenced=1]: whose is this physical memory. Every LRU folio of a
 * PFN range is walked and its pages attributed to the processes and files that map them: DAMON's
 * physical-address view, with names.
 *
 * - Folios are taken as page_idle takes them (page_idle_get_folio() in mm/page_idle.c):
 *   pfn_to_online_page(), head pages only, on an LRU list, folio_try_get(), and checked again.
 *   A folio is counted at its first PFN, for its pages inside the range.
 * - Each is trylocked, never waited for (a scan of all RAM must not queue behind every I/O),
 *   and walked by sharing.c, which reads every entry's accessed bit without changing it.
 * - referenced=1: the range goes in chunks of RS_PHYS_CHUNK PFNs. The walks of a chunk come
 *   first, then each folio of it is isolated and asked through folio_referenced(), as the range
 *   scan asks (range.c). Asking one folio can clear its neighbours' bits (MGLRU's look-around
 *   tests and clears up to 64 entries around a young one, and promotes those folios): a page is
 *   counted referenced when folio_referenced() said so, or when the walk before had seen a
 *   young entry of it. Each owner's young= comes from its own entries in the walk.
 * - cond_resched() between folios; a fatal signal stops the scan with -EINTR.
 * - Files are keyed by their address_space, held by igrab() on its inode until the path is read.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "alloc.h"
#include "../core/os.h"
#include "../core/phys_report.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "folio.h"
#include "sharing.h"
#include "walk_internal.h"

#define RS_PHYS_FILE_HASH_BITS 11
#define RS_PHYS_CHUNK 65536UL	/* PFNs walked before they are asked (referenced=1) */

struct rs_phys_file_slot {
	struct address_space *mapping;	/* identity; its inode held by igrab() */
	struct inode *inode;
	unsigned int file;		/* index into res->files, or UINT_MAX: past the listed ones */
};

struct rs_phys {
	struct rs_sharing s;
	struct rs_phys_result *res;
	bool referenced;
	struct rs_phys_file_slot *fhash;
	unsigned int fhashed;
	DECLARE_BITMAP(multi, RS_SHARE_FOLIO_MAX);	/* pages mapped by two mms or more */
	unsigned long chunk;		/* first PFN of the chunk */
	/* Pages of the chunk's folios (the last may reach past it): */
	DECLARE_BITMAP(young, RS_PHYS_CHUNK + RS_SHARE_FOLIO_MAX);	/* with a young entry */
	DECLARE_BITMAP(walked, RS_PHYS_CHUNK + RS_SHARE_FOLIO_MAX);	/* accounted by the walk */
};

/*
 * The file entry of a file or shmem folio's mapping, or NULL. create: add a new one, taking
 * igrab() on its inode, which needs the folio lock (it keeps folio->mapping and its inode from
 * going away); without it, only a lookup by the mapping's address.
 */
static struct rs_phys_file *rs_phys_file(struct rs_phys *p, struct folio *folio, bool create)
{
	struct address_space *mapping = READ_ONCE(folio->mapping);
	unsigned int mask = (1U << RS_PHYS_FILE_HASH_BITS) - 1, h;
	struct rs_phys_result *res = p->res;
	struct rs_phys_file_slot *b;
	struct inode *inode;

	if (folio_test_anon(folio) || !mapping || ((unsigned long)mapping & RS_MAPPING_FLAGS))
		return NULL;
	for (h = hash_ptr(mapping, RS_PHYS_FILE_HASH_BITS);; h = (h + 1) & mask) {
		b = &p->fhash[h];
		if (b->mapping == mapping)
			return b->file == UINT_MAX ? NULL : &res->files[b->file];
		if (!b->mapping)
			break;
	}
	if (!create || WARN_ON_ONCE(!folio_test_locked(folio)))
		return NULL;
	if (p->fhashed >= (mask + 1) / 4 * 3) {
		res->files_dropped++;	/* past what the table tells apart: counted per folio */
		return NULL;
	}
	inode = res->nr_files < res->files_cap && mapping->host ? igrab(mapping->host) : NULL;
	b->mapping = mapping;
	p->fhashed++;
	if (!inode) {
		b->file = UINT_MAX;	/* counted once, not listed */
		res->files_dropped++;
		return NULL;
	}
	b->inode = inode;
	b->file = res->nr_files++;
	memset(&res->files[b->file], 0, sizeof(res->files[b->file]));
	return &res->files[b->file];
}

/* Pages [i0, i1) of a walked folio into the totals, its owners and its file. */
static void rs_phys_account(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1,
			    struct rs_phys_file *file)
{
	struct rs_sharing *s = &p->s;
	struct rs_phys_result *res = p->res;
	int kind = rs_share_kind(folio);
	bool thp = folio_test_pmd_mappable(folio);
	unsigned int i, r;

	/* Which pages two different mms map: the first mm met per page, then any other. */
	bitmap_zero(p->multi, s->nr);
	for (i = i0; i < i1; i++) {
		struct mm_struct *one = NULL;

		for (r = 0; r < s->nrec && !test_bit(i, p->multi); r++) {
			if (!test_bit(i, s->recs[r].pages))
				continue;
			if (!one)
				one = s->recs[r].mm;
			else if (one != s->recs[r].mm)
				__set_bit(i, p->multi);
		}
	}
	for (i = i0; i < i1; i++) {
		bool multi = test_bit(i, p->multi);

		if (!s->counts[i]) {
			res->unmapped++;
			continue;
		}
		res->mapped++;
		res->kind[kind]++;
		res->thp += thp;
		res->shared += multi;
		if (file) {
			file->pages++;
			file->shared += multi;
		}
		__set_bit(s->pfn0 + i - p->chunk, p->walked);
		for (r = 0; r < s->nrec; r++)
			if (test_bit(i, s->recs[r].young))
				__set_bit(s->pfn0 + i - p->chunk, p->young);
	}

	rs_sharing_next_folio(s);
	for (r = 0; r < s->nrec; r++) {
		const struct rs_share_rec *rec = &s->recs[r];
		struct rs_share_slot *slot;
		struct rs_share_peer *o = rs_sharing_peer(s, rec->mm, &slot);

		if (!o)
			continue;
		for (i = find_next_bit(rec->pages, i1, i0); i < i1; i = find_next_bit(rec->pages, i1, i + 1)) {
			o->pss += rs_share_unit(s->counts[i]);
			if (!rs_sharing_first_time(s, slot, i))
				continue;
			o->pages++;
			o->kind[kind]++;
			o->thp += thp;
			o->shared += test_bit(i, p->multi);
			o->young += test_bit(i, rec->young);
		}
	}
}

/* The LRU folio whose head page is at pfn, referenced; or NULL (page_idle_get_folio()). */
static struct folio *rs_phys_get_folio(unsigned long pfn, struct rs_phys_result *res)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;

	if (!page) {
		res->skips[RS_PS_OFFLINE]++;
		return NULL;
	}
	if (PageTail(page))
		return NULL;	/* counted with its head */
	folio = page_folio(page);
	if (!folio_test_lru(folio) || !folio_try_get(folio)) {
		res->skips[RS_PS_NOT_LRU]++;
		return NULL;
	}
	if (unlikely(page_folio(page) != folio || !folio_test_lru(folio))) {
		folio_put(folio);
		res->skips[RS_PS_NOT_LRU]++;
		return NULL;
	}
	return folio;
}

/* Pass 1, one folio: its pages [i0, i1) inside the range walked. Never sleeps on the folio lock. */
static void rs_phys_walk(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	struct rs_phys_result *res = p->res;
	unsigned int pages = i1 - i0;
	struct rs_phys_file *file;
	int ret;

	res->lru += pages;
	if (folio_test_hugetlb(folio)) {
		res->skips[RS_PS_HUGETLB] += pages;
		return;
	}
	if (folio_nr_pages(folio) > RS_SHARE_FOLIO_MAX) {
		res->skips[RS_PS_LARGE] += pages;
		return;
	}
	if (!folio_mapped(folio)) {
		res->unmapped += pages;
		return;
	}
	if (!folio_trylock(folio)) {
		res->skips[RS_PS_LOCKED] += pages;
		return;
	}
	ret = rs_sharing_walk(&p->s, folio, NULL, 0, 0, 0);
	file = ret ? NULL : rs_phys_file(p, folio, true);
	folio_unlock(folio);
	res->folios++;
	if (ret == -EOPNOTSUPP)
		res->skips[RS_PS_UNSUPPORTED] += pages;
	else if (ret == -E2BIG)
		res->skips[RS_PS_TOO_MANY_MAPPINGS] += pages;
	else
		rs_phys_account(p, folio, i0, i1, file);
	rs_sharing_drop_recs(&p->s);
}

/*
 * Pass 2 (referenced=1), one folio the walk accounted: isolated, trylocked and asked as reclaim
 * asks. Its walked pages count referenced if it says so, or if the walk had seen them young.
 */
static void rs_phys_ask(struct rs_phys *p, struct folio *folio, unsigned int i0, unsigned int i1)
{
	struct rs_folio f = { .folio = folio, .page = folio_page(folio, 0) };
	unsigned long pfn0 = folio_pfn(folio), vm_flags;
	struct rs_phys_file *file;
	bool refs = false;
	unsigned int i;

	if (!test_bit(pfn0 + i0 - p->chunk, p->walked))
		return;
	if (!rs_folio_isolate(&f, false)) {
		if (folio_trylock(folio)) {
			refs = rs_call_folio_referenced(folio, 1, NULL, &vm_flags) > 0;
			folio_unlock(folio);
		}
		rs_folio_putback(&f, false);
	}
	file = rs_phys_file(p, folio, false);	/* found in pass 1, if at all */
	for (i = i0; i < i1; i++) {
		unsigned long bit = pfn0 + i - p->chunk;

		if (!test_bit(bit, p->walked) || !(refs || test_bit(bit, p->young)))
			continue;
		p->res->referenced++;
		if (file)
			file->referenced++;
	}
}

/*
 * One pass over the folios whose head is in [start, stop), calling fn with each one's pages
 * inside the range (below end). 0 or -EINTR.
 */
static int rs_phys_pass(struct rs_phys *p, unsigned long start, unsigned long stop, unsigned long end,
			bool count, void (*fn)(struct rs_phys *, struct folio *, unsigned int, unsigned int))
{
	struct rs_phys_result scratch = {};
	unsigned long pfn;

	for (pfn = start; pfn < stop; pfn++) {
		struct folio *folio = rs_phys_get_folio(pfn, count ? p->res : &scratch);

		p->res->pages += count;
		if (folio) {
			unsigned long head = folio_pfn(folio), nr = folio_nr_pages(folio);

			fn(p, folio, pfn - head, min(head + nr, end) - head);
			folio_put(folio);
		}
		if ((pfn & 63) == 63 || folio) {
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	return 0;
}

/* The files' paths, and every inode reference dropped. */
static void rs_phys_name_files(struct rs_phys *p)
{
	unsigned int i;

	for (i = 0; i < (1U << RS_PHYS_FILE_HASH_BITS); i++) {
		struct rs_phys_file_slot *b = &p->fhash[i];
		struct dentry *d;

		if (!b->inode)
			continue;
		if (b->file != UINT_MAX) {
			d = d_find_alias(b->inode);
			if (d) {
				char *path = dentry_path_raw(d, p->res->files[b->file].path, RMAPSCOPE_PATH_MAX);

				if (IS_ERR(path))
					p->res->files[b->file].path[0] = '\0';
				else
					memmove(p->res->files[b->file].path, path, strlen(path) + 1);
				dput(d);
			}
		}
		iput(b->inode);
	}
}

/* The first PFN past the end of RAM: high_memory, exported, is where the direct map ends. */
static unsigned long rs_phys_end_of_ram(void)
{
	return PFN_DOWN(__pa(high_memory - 1)) + 1;
}

int rs_os_phys(unsigned long start_pfn, unsigned long end_pfn, int referenced, int all_owners,
	       struct rs_phys_result *res, char *msg, size_t cap)
{
	unsigned long pfn, ram_end = rs_phys_end_of_ram();
	u64 t0 = ktime_get_ns();
	struct rs_phys *p;
	int ret;

	ret = rs_walk_callable(msg, cap);
	if (ret)
		return ret;
	if (referenced && (!rs_callable(RS_SYM_folio_referenced) || !rs_callable(RS_SYM_folio_isolate_lru) ||
			   !rs_callable(RS_SYM_folio_putback_lru))) {
		rs_msg(msg, cap, "folio_referenced or LRU isolation cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
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
	if (!p || rs_sharing_init(&p->s, res->owners, res->owners_cap) ||
	    !(p->fhash = kvcalloc(1U << RS_PHYS_FILE_HASH_BITS, sizeof(*p->fhash), RS_GFP))) {
		ret = -ENOMEM;
		goto out;
	}
	p->res = res;
	p->referenced = referenced;
	res->start_pfn = start_pfn;
	res->end_pfn = end_pfn;
	res->referenced = referenced ? 0 : -1;

	/* Folios faulted in a moment ago sit in this CPU's LRU batch. */
	if (rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	for (pfn = start_pfn; pfn < end_pfn && !ret; pfn += RS_PHYS_CHUNK) {
		unsigned long chunk_end = min(end_pfn, pfn + RS_PHYS_CHUNK);

		p->chunk = pfn;
		bitmap_zero(p->young, RS_PHYS_CHUNK + RS_SHARE_FOLIO_MAX);
		bitmap_zero(p->walked, RS_PHYS_CHUNK + RS_SHARE_FOLIO_MAX);
		ret = rs_phys_pass(p, pfn, chunk_end, end_pfn, true, rs_phys_walk);
		if (!ret && referenced) {
			ret = rs_phys_pass(p, pfn, chunk_end, end_pfn, false, rs_phys_ask);
			if (rs_callable(RS_SYM_lru_add_drain))
				rs_call_lru_add_drain();
		}
	}
	rs_phys_name_files(p);
	if (rs_sharing_name_peers(&p->s, all_owners, &res->all_owners, &res->shared_mms) && !ret)
		ret = -ENOMEM;
	res->nr_owners = p->s.nr_peers;
	res->owners_dropped = p->s.peers_dropped;
	res->vmas = p->s.vmas;
	res->ns = ktime_get_ns() - t0;
out:
	if (ret == -ENOMEM)
		rs_msg(msg, cap, "out of memory");
	else if (ret == -EINTR)
		rs_msg(msg, cap, "interrupted by a fatal signal");
	if (p) {
		rs_sharing_release(&p->s);
		kvfree(p->fhash);
	}
	kvfree(p);
	return ret;
}
