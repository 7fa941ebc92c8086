/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One observation of the reverse map: a set of pages ("positions") and every page-table entry
 * that maps them, as the kernel side found it, either by one rmap walk of a folio
 * (module/kernel/sharing.c, method=walk) or by one comparison of a run's page tables with the
 * reverse map's candidate VMAs (module/kernel/bulk.c, method=bulk). The core turns it into
 * share's and phys's figures (observation.cpp) the same way, whichever method found it, so the
 * two methods can differ only in what they found.
 */
#ifndef RMAPSCOPE_CORE_OBSERVATION_H
#define RMAPSCOPE_CORE_OBSERVATION_H

#include "phys_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a position is (rs_obs.flags[]). */
#define RS_POS_PAGE 0x01	/* a page to count here (else the position is a hole) */
#define RS_POS_MINE 0x02	/* share: the target's own entry maps it where the target's walk found it */
#define RS_POS_FIRST 0x04	/* share: no other entry of the target maps it at a lower address */
#define RS_POS_DIRTY 0x08	/* share: the target's entry, or the folio, is dirty */
#define RS_POS_THP 0x10		/* the page is in a PMD-sized folio */

/* One mapping found: a VMA of one mm, and which positions it maps. */
struct rs_obs_map {
	const void *mm;			/* identity only (the kernel holds the mm) */
	int target;			/* share: one of the target's own VMAs */
	const unsigned long *pages;	/* bitmap over the positions: the pages this mapping maps */
	const unsigned long *young;	/* ... through a young entry */
};

struct rs_obs {
	unsigned int n;			/* positions */
	int kind;			/* RS_SK_*: one kind for every page of an observation */
	unsigned int page_shift;	/* the kernel's PAGE_SHIFT */
	const unsigned int *counts;	/* page-table entries mapping each position's page, in every mm */
	const unsigned char *flags;	/* RS_POS_* */
	const struct rs_obs_map *maps;
	unsigned int nmaps;
	/* Scratch for the core: unit[n], order[nmaps], bits[RS_OBS_SCRATCH_WORDS(n)]. */
	unsigned long long *unit;
	unsigned int *order;
	unsigned long *bits;
};

#define RS_OBS_WORDS(n) (((n) + 8 * sizeof(long) - 1) / (8 * sizeof(long)))
#define RS_OBS_SCRATCH_WORDS(n) (7 * RS_OBS_WORDS(n))

/* One other process's part of an observation: a peer's (share) or an owner's (phys). */
struct rs_obs_delta {
	const void *mm;
	struct rs_share_peer d;		/* pages, kind, thp, pss; phys: shared and young too */
};

/*
 * share: the target's pages into res (rss, pss, uss, shared/private, kinds; raced for pages its
 * own entry no longer maps), and into out[] one delta per other mm that maps some of them,
 * each page once however many entries map it on either side. Returns the deltas written (at
 * most nmaps).
 */
unsigned int rs_core_share_observe(struct rs_share_result *res, const struct rs_obs *o,
				   struct rs_obs_delta *out);

/*
 * phys sets=1: an observation's mapped pages grouped by the set of processes that map them
 * ("classes"): one class per distinct set of deltas, whatever the number of pages or of
 * entries. The caller gives the room; the core fills it.
 */
struct rs_obs_class {
	unsigned long pages;		/* positions (pages) whose mappers are exactly these deltas */
	unsigned long thp;		/* ... in PMD-sized folios */
	unsigned int first, n;		/* the deltas: members[first, first + n), indices into out[] */
};

struct rs_obs_classes {
	struct rs_obs_class *cls;	/* room for cap: at least one per position */
	unsigned int ncls, cap;
	unsigned int *members;		/* room for members_cap */
	unsigned int members_cap;
	/* Scratch: cap masks of RS_OBS_WORDS(n) words, cap heads, and cells_cap list cells. */
	unsigned long *masks;
	unsigned int *heads;
	unsigned int *cells;		/* 2 * cells_cap */
	unsigned int cells_cap;
	int overflow;			/* out: more members than the room: no class is given */
};

/*
 * phys: the pages into res (mapped, unmapped, shared, kinds), into file (NULL: none) and into
 * out[] one delta per mm that maps some of them (its rss and uss as smaps counts them), and,
 * when classes is not NULL, their classes. Returns the deltas written.
 */
unsigned int rs_core_phys_observe(struct rs_phys_result *res, struct rs_phys_file *file,
				  const struct rs_obs *o, struct rs_obs_delta *out,
				  struct rs_obs_classes *classes);

/* Adds a delta into a peer's totals. */
void rs_core_obs_add(struct rs_share_peer *to, const struct rs_share_peer *d);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_OBSERVATION_H */
