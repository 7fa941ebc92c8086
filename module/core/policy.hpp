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

} // namespace rs
