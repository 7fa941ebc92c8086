// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace rmapscope {

// Prints "bench ..." records (see bench.cpp); returns 0.
int run_bench();

} // namespace rmapscope
