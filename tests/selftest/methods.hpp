// SPDX-License-Identifier: GPL-2.0
// share and phys have two ways to find the mappings of a page: method=walk (one rmap walk per
// folio) and method=bulk (one comparison per run of pages). Whatever the scenario, the two must
// give the same answer, field for field, apart from what they cost: the strongest test the bulk
// path can have, since the walk is rmap_walk() itself.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "record.hpp"
#include "tap.hpp"
#include "walk_reply.hpp"

namespace rmapscope {

// Both methods of one share or phys command (without method=): "" when they agree, else what
// differs and both responses. err: set when either command failed.
std::string methods_differ(const std::string &cmd, bool *err = nullptr);

// The same phys response's buckets, which must add up: pages = offline + hugetlb + not_lru + lru
// and lru = mapped + unmapped + large + locked + too_many_mappings + unsupported. "" when they do.
std::string phys_buckets_unbalanced(const std::string &raw);

// One TAP line: share of up to three processes over the VMA where the walk w found them mapping
// its folio, and phys over the folio's PFNs, agree between the two methods.
void methods_agree(Tap &t, const std::string &what, const WalkReply &w);

} // namespace rmapscope
