/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a range scan (referenced pid= start= end=) found: module/kernel/range.c fills it, the core
 * writes the response (docs/debugfs.md).
 */
#ifndef RMAPSCOPE_CORE_RANGE_REPORT_H
#define RMAPSCOPE_CORE_RANGE_REPORT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Why a present page's folio was not asked about. */
#define RS_RANGE_SKIPS(X)						\
	X(NOT_LRU, "not_lru")		/* on no LRU list (isolated by someone else) */	\
	X(LOCKED, "locked")		/* folio lock held by someone else */		\
	X(CONTENDED, "contended")	/* folio_referenced() returned -1 */		\
	X(UNTRACKED, "untracked")	/* zero page or a driver's page */		\
	X(UNSUPPORTED, "unsupported")	/* device memory */

enum rs_range_skip {
	RS_RANGE_NO_SKIP = -1,
#define RS_SKIP_ID(name, text) RS_SKIP_##name,
	RS_RANGE_SKIPS(RS_SKIP_ID)
#undef RS_SKIP_ID
	RS_NR_SKIPS
};

/* Histogram of references per folio: 0, 1, 2-3, 4-7, 8-15, 16+. */
#define RS_RANGE_HIST 6
static inline unsigned int rs_range_bucket(int refs)
{
	unsigned int b = 0;

	if (refs <= 0)
		return 0;
	while (b + 1 < RS_RANGE_HIST && refs >= (1 << b))
		b++;
	return b;
}

/* detail=1: one per present page. */
struct rs_range_page {
	unsigned long addr;
	unsigned long pfn;
	int refs;			/* folio_referenced() of its folio, as is */
	int skip;			/* enum rs_range_skip */
	unsigned char young_before;	/* this process's entry was young before the scan asked */
	unsigned char look_around;	/* counted referenced: see rs_range_result.look_around */
};

struct rs_range_result {
	int pid;
	unsigned long start, end;		/* page-aligned */
	unsigned long pages;			/* present pages scanned */
	unsigned long pages_referenced;
	unsigned long folios, folios_referenced;
	unsigned long skipped_folios, skipped_pages;
	unsigned long skips[RS_NR_SKIPS];	/* folios, per reason */
	unsigned long hist[RS_RANGE_HIST];	/* folios asked, by references */
	/*
	 * Pages whose entry here was young when the scan found them, yet folio_referenced() saw
	 * nothing: MGLRU's look-around, run for a neighbouring folio in this scan, had cleared the
	 * bit (and promoted the folio). They are counted referenced. -1 when unknown (6.1 cannot
	 * read the entry without touching it).
	 */
	long look_around;
	/*
	 * Folios answered without a folio_referenced() call (refs 0): small, mapped only by the
	 * entry the scan read, that entry old and PG_young clear (see module/kernel/range.c).
	 */
	unsigned long answered_by_entry;
	int mglru;				/* some folio sat on a multi-gen LRU list */
	unsigned long long ns;			/* lookup_ns + ask_ns */
	unsigned long long lookup_ns;		/* finding the pages (page-table walks) */
	unsigned long long ask_ns;		/* isolate, folio_referenced, put back */
	struct rs_range_page *detail;		/* NULL without detail=1 */
	unsigned long detail_cap, nr_detail;
};

/* Writes the range scan's response; its length, or -RS_ENOSPC when buf is too small. */
long rs_core_format_range(const struct rs_range_result *res, char *buf, __SIZE_TYPE__ cap);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_RANGE_REPORT_H */
