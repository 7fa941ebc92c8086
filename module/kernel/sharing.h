/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What share (share.c) and phys (phys.c) have in common: the working set of one command, the
 * table of the other processes met (keyed by mm, each held by mmgrab() until the end), and one
 * observation at a time (../core/observation.h): a set of pages ("positions") and every
 * mapping of them that was found,
 * - by method=walk: one rmap_walk() of a locked folio (rs_sharing_walk(), here), whose
 *   positions are the folio's pages;
 * - by method=bulk: one comparison of a run's page tables with the reverse map's candidate VMAs
 *   (bulk.c), whose positions are consecutive page offsets of one anon_vma or address_space.
 * The core turns an observation into figures; rs_sharing_share()/rs_sharing_phys() add its
 * per-process parts into the peer table.
 */
#ifndef RMAPSCOPE_SHARING_H
#define RMAPSCOPE_SHARING_H

#include <linux/bitmap.h>
#include <linux/mm_types.h>
#include <linux/pgtable.h>

#include "../core/observation.h"

/* The most positions of one observation: a page table's worth, the largest folio a PMD maps. */
#define RS_POS_MAX PTRS_PER_PTE
/* Bitmap words the mappings of one observation may use: 2 MiB, two bitmaps a record. */
#define RS_SHARE_POOL_WORDS (256UL * 1024)

/* One mapping found: one VMA of one mm, and which positions it maps. */
struct rs_share_rec {
	struct mm_struct *mm;		/* held: mmgrab()ed (method=walk); else valid under the rmap lock */
	bool held;
	const struct vm_area_struct *vma;	/* identity only: KSM's repeated visits */
	unsigned long addr;		/* method=walk: where rmap_walk() said it maps the folio */
	long shift;			/* bulk: its address of a position minus the target's */
	unsigned long base;		/* bulk: its address of position 0 */
	unsigned int k0, k1;		/* bulk: the positions inside it */
	bool target;			/* share: one of the target's own VMAs */
	unsigned long *pages, *young;	/* bitmaps over the positions */
};

/* A peer mm: peers[] of the same index. */
struct rs_share_slot {
	struct mm_struct *mm;		/* mmgrab()ed */
};

struct rs_share_bucket {
	struct mm_struct *mm;		/* mmgrab()ed, or NULL: empty */
	unsigned int slot;		/* index into slots, or UINT_MAX: past the listed peers */
};

/* A candidate VMA of a bulk comparison, and its page offset in the tree it was found in. */
struct rs_bulk_cand {
	struct vm_area_struct *vma;
	pgoff_t vpgoff;
};

struct rs_sharing {
	/* The peers (share) or owners (phys), named by rs_sharing_name_peers(). */
	struct rs_share_peer *peers;
	unsigned int nr_peers, peers_cap;
	unsigned long peers_dropped;
	struct rs_share_slot *slots;
	struct rs_share_bucket *hash;
	unsigned int hashed;
	/* Cost: rmap walks or bulk comparisons made, the VMAs they examined, the longest rmap lock hold. */
	unsigned long walks, vmas;
	u64 lock_max_ns;
	/* The observation being built: n positions. */
	unsigned int n;
	u32 *counts;			/* entries mapping each position's page */
	u8 *flags;			/* RS_POS_* */
	unsigned long *pfn;		/* bulk: the page expected at each position */
	unsigned long *has;		/* bulk: positions with a page (bitmap) */
	u32 *mapc;			/* bulk, share: each small folio's mapcount, 0: not known */
	u32 *cov;			/* bulk: candidate VMAs covering each position */
	unsigned long *full, *todo, *span;	/* bulk: bitmaps of positions */
	/*
	 * bulk: the candidate VMAs rs_bulk_candidates() found in the tree cand_tree for page
	 * offsets [cand_first, cand_last], in the tree's order, kept for the rs_bulk_compare() that
	 * follows under the same hold of the rmap lock (cand_tree NULL: none kept).
	 */
	struct rs_bulk_cand *cand;	/* RMAPSCOPE_MAX_MAPS */
	unsigned int ncand;
	const void *cand_tree;
	pgoff_t cand_first, cand_last;
	struct rs_share_rec *recs;	/* the mappings found */
	unsigned int nrec, rec_cap;	/* rec_cap: for this observation, from the pool */
	bool overflow;			/* more mappings than rec_cap */
	unsigned long *pool;		/* RS_SHARE_POOL_WORDS: two bitmaps per record */
	/* method=walk, the folio being walked: the target's pages [idx0, idx0 + pages) at a0. */
	struct mm_struct *target;	/* NULL: no target (phys) */
	unsigned long pfn0;
	bool ksm;
	unsigned long a0;
	unsigned int idx0, pages;
	unsigned long range_start;	/* share: where the scanned range starts */
	u64 *lowest;			/* the target's lowest address in the range mapping each page */
	/* For the core: the observation and its scratch. */
	struct rs_obs_map *omaps;
	struct rs_obs_delta *deltas;
	unsigned long long *unit;
	unsigned int *order;
	unsigned long *bits;
};

/* Allocates the working set; peers has room for cap entries. 0 or -ENOMEM. */
int rs_sharing_init(struct rs_sharing *s, struct rs_share_peer *peers, unsigned int cap);
/* Drops every mm reference and frees the working set (after rs_sharing_name_peers()). */
void rs_sharing_release(struct rs_sharing *s);

/*
 * Starts an observation of n positions (at most RS_POS_MAX), every flag clear and no mapping;
 * false when the pool holds no record for bitmaps of n bits (then count it too_many_mappings).
 */
bool rs_sharing_begin(struct rs_sharing *s, unsigned int n);
/* The next record (its bitmaps zeroed), or NULL with s->overflow set. Callable under spinlocks. */
struct rs_share_rec *rs_sharing_rec(struct rs_sharing *s);
/* Drops the records' references (method=walk). */
void rs_sharing_drop_recs(struct rs_sharing *s);

/*
 * method=walk: rmap_walk() of a locked folio, whose positions are its pages, of which
 * [idx0, idx0 + pages) are counted (RS_POS_PAGE). share: target and a0 are the target's own
 * mapping of those pages (their flags say RS_POS_MINE where the walk met that entry,
 * RS_POS_FIRST where no lower address of the target maps the page); phys: target NULL. 0; -EOPNOTSUPP when the folio cannot be walked here;
 * -E2BIG past the records the pool holds.
 */
int rs_sharing_walk(struct rs_sharing *s, struct folio *folio, struct mm_struct *target,
		    unsigned long a0, unsigned int idx0, unsigned int pages);

/* The observation into res through the core, and its per-process parts into the peer table. */
void rs_sharing_share(struct rs_sharing *s, struct rs_share_result *res, int kind);
struct rs_phys_sets;
/* sets: phys sets=1's table (phys_sets.h), or NULL. */
void rs_sharing_phys(struct rs_sharing *s, struct rs_phys_result *res, struct rs_phys_file *file,
		     int kind, struct rs_phys_sets *sets);

/* One hold of an rmap lock, from t0 (ktime_get_ns()) until now: the longest is kept. */
void rs_sharing_held(struct rs_sharing *s, u64 t0);
/*
 * share of mm (held by the caller; pid is what the response calls it) over [start, end): what
 * rs_os_share() does once it has the process's mm. KUnit calls it with its own thread's mm.
 */
int rs_share_mm(struct mm_struct *mm, int pid, unsigned long start, unsigned long end, int all_owners,
		int method, struct rs_share_result *res, char *msg, size_t cap);
/*
 * phys (referenced=1) calls this just before it isolates a folio to ask about it: nothing,
 * unless a KUnit case stands in (KUNIT_STATIC_STUB_REDIRECT) to isolate the folio first, as
 * reclaim or migration on another CPU could.
 */
void rs_phys_before_isolate(struct folio *folio);

/* Names every peer by its mm's owner, or every process of it (all). -ENOMEM, or 0. */
int rs_sharing_name_peers(struct rs_sharing *s, int all_owners, int *all, unsigned int *shared_mms);
/* anon, file, shmem or KSM (RS_SK_*). */
int rs_share_kind(struct folio *folio);

#endif /* RMAPSCOPE_SHARING_H */
