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
};

#endif /* RMAPSCOPE_FOLIO_H */
