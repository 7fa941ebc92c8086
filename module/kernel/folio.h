/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPSCOPE_FOLIO_H
#define RMAPSCOPE_FOLIO_H

#include <linux/mm_types.h>

/*
 * What the core's opaque struct rs_folio is: a folio rmapscope holds a reference to, and the
 * page of it that was asked about.
 */
struct rs_folio {
	struct folio *folio;
	struct page *page;
	bool isolated;		/* taken off its LRU list by rs_os_folio_isolate() */
	bool mglru;		/* it was on a multi-gen LRU list when isolated */
};

/* Wraps a referenced folio for the core (the reference moves into it, or is dropped on -ENOMEM). */
int rs_folio_new(struct folio *folio, struct page *page, struct rs_folio **out);
/* How many folios rmapscope holds right now (rs_folio_new() less rs_os_folio_put()). */
int rs_folios_live(void);
/* folio_mapcount(), or -1 where it cannot be called. */
int rs_folio_mapcount(struct folio *folio);

/*
 * Takes the folio off its LRU list (0), or -EBUSY when it is on none. drain: first drain the
 * per-CPU LRU batches that may hold it (this CPU's, then all: it sleeps). The range scan drains
 * once per span instead. The caller has checked that the LRU functions are callable.
 */
int rs_folio_isolate(struct rs_folio *f, bool drain);
/* Puts an isolated folio back; drain: and drains this CPU's batch (the range scan does it once per span). */
void rs_folio_putback(struct rs_folio *f, bool drain);

#endif /* RMAPSCOPE_FOLIO_H */
