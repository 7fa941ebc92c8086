// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace rmapscope {

class Tap;
// share pid= on a fork tree against smaps_rollup and a brute-force pagemap map (TAP).
void run_share_scenarios(Tap &t);
// make bench: share and phys against their brute-force answers, share against sharers.
int run_share_bench();
// make bench --census: the one-pass census against every smaps_rollup, at 64, 128, 256 sharers.
int run_census_bench();

} // namespace rmapscope
