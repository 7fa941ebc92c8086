/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how Debian 6.1 and 6.12 differ for rmapscope. Everything else calls
 * these helpers. (Debian's LINUX_VERSION_CODE caps the sublevel at 255, which is fine here.)
 */
#ifndef RMAPSCOPE_COMPAT_H
#define RMAPSCOPE_COMPAT_H

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/version.h>

/*
 * Looking up the page at an address without faulting or touching it: 6.12 has folio_walk_start()
 * (mm/pagewalk.c, used by move_pages and KSM); 6.1 has follow_page() without FOLL_TOUCH (used by
 * KSM and migrate). Neither is exported: both are resolved like the rmap functions.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define RS_HAVE_FOLIO_WALK 1
#include <linux/pagewalk.h>
#else
#define RS_HAVE_FOLIO_WALK 0
#endif

#if RS_HAVE_FOLIO_WALK
/*
 * folio_walk_end() without its vma_pgtable_walk_end(), which is unexported and only drops the
 * hugetlb VMA lock: rmapscope refuses hugetlb VMAs before calling folio_walk_start(), so for
 * every VMA that gets here it is a no-op (mm/memory.c).
 */
static inline void rs_folio_walk_end(struct folio_walk *fw, struct vm_area_struct *vma)
{
	spin_unlock(fw->ptl);
	if (likely(fw->level == FW_LEVEL_PTE))
		pte_unmap(fw->ptep);
}
#endif

/* folio_mapcount() is inline in 6.12 and out of line (unexported) in 6.1. */
#define RS_HAVE_INLINE_FOLIO_MAPCOUNT RS_HAVE_FOLIO_WALK

static inline pmd_t rs_pmdp_get(pmd_t *pmdp)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	return pmdp_get(pmdp);
#else
	return READ_ONCE(*pmdp);
#endif
}

/*
 * LRU isolation, as reclaim does before folio_referenced() (MGLRU's look-around warns on a folio
 * still on the LRU). These live in mm/internal.h, which modules cannot include, so the prototypes
 * are written here, checked against mm/internal.h of Debian's 6.1.192 and 6.12.117 sources:
 * folio_isolate_lru() returned 0 on success (int) until 6.4 and returns true since (bool).
 * Only typeof() of them is used, so no reference to the unexported symbols is emitted.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
bool folio_isolate_lru(struct folio *folio);
#define RS_ISOLATED(ret) (ret)
#else
int folio_isolate_lru(struct folio *folio);
#define RS_ISOLATED(ret) ((ret) == 0)
#endif
void folio_putback_lru(struct folio *folio);

#endif /* RMAPSCOPE_COMPAT_H */
