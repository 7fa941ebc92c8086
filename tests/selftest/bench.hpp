// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace rmapscope {

// Prints "bench ..." records (see bench.cpp); returns 0.
int run_bench();
// The range scan against page_idle (needs CONFIG_IDLE_PAGE_TRACKING: the debug kernel).
int run_range_bench();
// The range scan alone: scripts/bench runs it with and without rmapsnoop attached.
int run_scan_bench();
// The owners of a 1-mapper page with a few tasks and with 4,400 more (TAP: ratio at most 1.15).
int run_owner_bench();

} // namespace rmapscope
