// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest stress: walkers against mutators (stress.cpp).
#pragma once

namespace rmapscope {

// Runs for the given seconds; prints the counts and TAP; returns the number of failed checks.
int run_stress(unsigned seconds, unsigned mutators, unsigned walkers);

} // namespace rmapscope
