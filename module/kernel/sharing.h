/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who maps each page of a folio, and per-process totals over many folios: what share (share.c)
 * and phys (phys.c) have in common. One rmap walk per folio counts, page by page, the entries
 * that map it (the per-page mapcount smaps divides by) and which mm maps which page; the
 * per-mm totals live in a table of peers keyed by mm (each held by mmgrab() until the end).
 */
#ifndef RMAPSCOPE_SHARING_H
#define RMAPSCOPE_SHARING_H

#include <linux/bitmap.h>
#include <linux/mm_types.h>

#include "../core/share_report.h"

#define RS_SHARE_WORDS BITS_TO_LONGS(RS_SHARE_FOLIO_MAX)

/* One mapping of the folio being walked: one VMA of one mm at one address. */
struct rs_share_rec {
	struct mm_struct *mm;		/* another process's mm, mmgrab()ed; NULL for the target's */
	const struct vm_area_struct *vma;	/* identity only: KSM's repeated visits */
	unsigned long addr;
	unsigned long *pages;		/* bitmap: the folio's pages this mapping maps */
	unsigned long *young;		/* ... whose entry is young */
};

/* A peer mm: peers[] of the same index, and what the walk needs besides. */
struct rs_share_slot {
	struct mm_struct *mm;		/* mmgrab()ed */
	unsigned long gen;		/* the folio whose pages are in seen */
	DECLARE_BITMAP(seen, RS_SHARE_FOLIO_MAX);
};

struct rs_share_bucket {
	struct mm_struct *mm;		/* mmgrab()ed, or NULL: empty */
	unsigned int slot;		/* index into slots, or UINT_MAX: past the listed peers */
};

struct rs_sharing {
	/* The peers: filled by rs_sharing_peer(), named by rs_sharing_name_peers(). */
	struct rs_share_peer *peers;
	unsigned int nr_peers, peers_cap;
	unsigned long peers_dropped;
	unsigned long vmas;		/* rmap_one calls */
	/* The folio being walked, and the target's item of it (share: the pages it maps at a0). */
	struct mm_struct *target;	/* NULL: no target (phys) */
	unsigned long pfn0;
	unsigned int nr;
	bool ksm;
	unsigned long a0, a1;
	unsigned int idx0;
	u32 counts[RS_SHARE_FOLIO_MAX];	/* entries mapping each page */
	DECLARE_BITMAP(tseen, RS_SHARE_FOLIO_MAX);	/* item pages the walk found at their address */
	DECLARE_BITMAP(tdirty, RS_SHARE_FOLIO_MAX);	/* ... with a dirty entry */
	struct rs_share_rec *recs;	/* the walk's mappings of other mms (and the target's) */
	unsigned int nrec;
	bool overflow;
	unsigned long *pool;		/* 2 * RS_SHARE_WORDS per record */
	struct rs_share_slot *slots;	/* parallel to peers */
	struct rs_share_bucket *hash;
	unsigned int hashed;
	unsigned long gen;
};

/* Allocates the working set (about 2.9 MiB); peers has room for cap entries. 0 or -ENOMEM. */
int rs_sharing_init(struct rs_sharing *s, struct rs_share_peer *peers, unsigned int cap);
/* Drops every mm reference and frees the working set (after rs_sharing_name_peers()). */
void rs_sharing_release(struct rs_sharing *s);
/*
 * Walks a locked folio. target, a0, idx0, pages: the target's mapping of pages [idx0, +pages)
 * at a0 (tseen/tdirty tell what the walk found there), or target NULL. 0; -EOPNOTSUPP when
 * the folio cannot be walked here; -E2BIG past RMAPSCOPE_MAX_MAPS mappings. Drop the records
 * with rs_sharing_drop_recs() once accounted.
 */
int rs_sharing_walk(struct rs_sharing *s, struct folio *folio, struct mm_struct *target,
		    unsigned long a0, unsigned int idx0, unsigned int pages);
void rs_sharing_drop_recs(struct rs_sharing *s);
/* The peer of mm (taking an mmgrab() for a new one), or NULL when it is past the listed peers. */
struct rs_share_peer *rs_sharing_peer(struct rs_sharing *s, struct mm_struct *mm,
				      struct rs_share_slot **slot);
/* Starts a folio's accounting: rs_sharing_first_time() is true once per (peer, page) and folio. */
void rs_sharing_next_folio(struct rs_sharing *s);
bool rs_sharing_first_time(struct rs_sharing *s, struct rs_share_slot *slot, unsigned int page);
/* Names every peer by its mm's owner, or every process of it (all). -ENOMEM, or 0. */
int rs_sharing_name_peers(struct rs_sharing *s, int all_owners, int *all, unsigned int *shared_mms);
/* A page's share of PSS, as smaps_account() computes it: bytes << RS_PSS_SHIFT. */
unsigned long long rs_share_unit(u32 mapcount);
/* anon, file, shmem or KSM (RS_SK_*). */
int rs_share_kind(struct folio *folio);

#endif /* RMAPSCOPE_SHARING_H */
