/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When try_to_unmap() would lose data or cannot be asked, written once: the core plans unmap with
 * it (policy.hpp), and module/kernel/unmap.c checks it again on the locked folio just before the
 * call, whatever the core decided. Plain C on the folio's description (rs_folio_info), so both
 * sides read the same rules and give the same messages (docs/debugfs.md, "unmap").
 */
#ifndef RMAPSCOPE_CORE_UNMAP_RULES_H
#define RMAPSCOPE_CORE_UNMAP_RULES_H

#include "errno.h"
#include "walk_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0 when the folio may be unmapped; else -errno, with *why set to the reason. */
static inline int rs_unmap_refusal(const struct rs_folio_info *f, const char **why)
{
	const int swapbacked = !!(f->flags & RS_FF(SWAPBACKED)), swapcache = !!(f->flags & RS_FF(SWAPCACHE));

	if (f->kind == RS_KIND_HUGETLB) {
		*why = "hugetlb folios are only unmapped for memory failure";
		return -RS_EOPNOTSUPP;
	}
	if (f->kind == RS_KIND_KSM) {
		*why = "KSM folios are not unmapped: try_to_unmap_one() would drop a merged page's entries without a swap entry";
		return -RS_EOPNOTSUPP;
	}
	/*
	 * try_to_unmap_one() clears the entry of a swap-backed anon folio outside the swap cache and
	 * then gives up with a WARN: the data would be gone. Lazyfree (MADV_FREE, !swapbacked) folios
	 * would be discarded.
	 */
	if (f->kind == RS_KIND_ANON && !(swapbacked && swapcache)) {
		*why = "anon folio not in the swap cache: unmapping it would lose its data";
		return -RS_EPERM;
	}
	if (f->flags & RS_FF(MLOCKED)) {
		*why = "the folio is mlocked";
		return -RS_EPERM;
	}
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_UNMAP_RULES_H */
