// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace rmapscope {

class Tap;
// share pid= on a fork tree against smaps_rollup and a brute-force pagemap map (TAP).
void run_share_scenarios(Tap &t);

} // namespace rmapscope
