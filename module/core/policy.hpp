// SPDX-License-Identifier: GPL-2.0
// Policy: what rmapscope may do to which folio. Pure functions of the folio's description, so
// the host tests cover every case.
#pragma once

#include "errno.h"
#include "unmap_rules.h"
#include "walk_report.h"

namespace rs {

// Every walk runs under the folio lock: rmap_walk_file and rmap_walk_ksm have always required it,
// and since 7.x rmap_walk_anon and folio_lock_anon_vma_read do too (module/kernel/compat.h).
struct WalkPlan {
	int refuse = 0;			// -errno to refuse with, or 0
	const char *reason = "";
};

constexpr WalkPlan plan_walk(const rs_folio_info &f)
{
	WalkPlan p;
	switch (f.kind) {
	case RS_KIND_HUGETLB:
		// hugetlb folios need hugetlb-aware page-table walks (and folio_pgoff() calls an
		// unexported helper on 6.1): not supported.
		p.refuse = -RS_EOPNOTSUPP;
		p.reason = "hugetlb folios are not supported";
		break;
	default:
		break;
	}
	return p;
}

// referenced: what a walk may do, under the folio lock (reclaim calls folio_referenced() with
// is_locked = 1), on a folio isolated from its LRU list.
constexpr WalkPlan plan_referenced(const rs_folio_info &f)
{
	return plan_walk(f);
}

// unmap: only where no data can be lost (unmap_rules.h, which module/kernel/ checks again on the
// locked folio just before the call). Decided on a description taken under the folio lock.
inline WalkPlan plan_unmap(const rs_folio_info &f)
{
	WalkPlan p = plan_walk(f);
	if (!p.refuse)
		p.refuse = rs_unmap_refusal(&f, &p.reason);
	return p;
}

// unmap also refuses a folio any mlocked VMA maps (try_to_unmap_one would stop there half-way).
constexpr bool any_mlocked(const rs_walk_result &r)
{
	for (unsigned i = 0; i < r.nr_recs; ++i)
		if (r.recs[i].mlock)
			return true;
	return false;
}

// What a folio_referenced() call did besides counting (mm/rmap.c folio_referenced_one()), from
// the young bits the walk just before it saw.
constexpr unsigned long referenced_effects(const rs_action_result &a, const rs_walk_result &before)
{
	bool young_pte = false, young_pmd = false;
	for (unsigned i = 0; i < before.nr_recs; ++i) {
		const rs_map_record &m = before.recs[i];
		if (!m.skip && m.young && !m.mlock)
			(m.level == RS_LEVEL_PMD ? young_pmd : young_pte) = true;
	}
	unsigned long e = RS_EFF(LRU_ISOLATED);
	if (young_pte || young_pmd)
		e |= RS_EFF(YOUNG_CLEARED) | RS_EFF(IDLE_CLEARED);
	// lru_gen_look_around() runs for a young PTE: it clears its neighbours' bits too and
	// promotes their folios, without flushing.
	if (a.mglru && young_pte)
		e |= RS_EFF(MGLRU_LOOK_AROUND);
	// pmdp_clear_flush_young() flushes everywhere; ptep_clear_flush_young() only where the arch
	// does (not x86), and not on the MGLRU path.
	if (young_pmd || (young_pte && a.arch_flushes_young && !a.mglru))
		e |= RS_EFF(TLB_FLUSHED);
	if (a.vm_flags & RS_VMF(LOCKED))
		e |= RS_EFF(MLOCK_RESTORED);
	return e;
}

// Records to preallocate for a walk: a folio's mapcount says how many mappings to expect, plus
// room for skips (VMAs the tree names without a mapping), never more than max=. If that proves
// too small the walk runs again at max (walk_again). Why not always max: docs/performance.md.
constexpr unsigned walk_capacity(unsigned max, int mapcount)
{
	unsigned want = mapcount > 0 ? 2u * static_cast<unsigned>(mapcount) + 16u : 64u;
	return want < max ? want : max;
}

constexpr bool walk_again(unsigned capacity, unsigned max, bool truncated)
{
	return truncated && capacity < max;
}

} // namespace rs
