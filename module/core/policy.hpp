// SPDX-License-Identifier: GPL-2.0
// Policy: what rmapscope may do to which folio. Pure functions of the folio's description, so
// the host tests cover every case.
#pragma once

#include "errno.h"
#include "walk_report.h"

namespace rs {

struct WalkPlan {
	int refuse = 0;			// -errno to refuse with, or 0
	const char *reason = "";
	bool needs_lock = false;	// rmap_walk_file and rmap_walk_ksm require the folio lock
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
	case RS_KIND_FILE:
	case RS_KIND_SHMEM:
	case RS_KIND_KSM:
		p.needs_lock = true;
		break;
	default:
		break;
	}
	return p;
}

// Records to preallocate for a walk. Sizing every walk for max= (4096 by default) cost
// milliseconds of vmalloc and zeroing per command; a folio's mapcount says how many mappings to
// expect, plus room for skips (VMAs the tree names without a mapping). If that proves too small
// the walk runs again at max (walk_again).
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
