// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest faults: the fault-injection sweep (faults.cpp).
#pragma once

namespace rmapscope {

// Fails the 1st, 2nd, ... allocation of each verb's command in turn; prints TAP and returns the
// number of failed checks.
int run_faults();

} // namespace rmapscope
