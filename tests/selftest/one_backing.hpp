// SPDX-License-Identifier: GPL-2.0
// The selftest's scenarios that belong to one backing (one_backing.cpp).
#pragma once

#include "tap.hpp"

namespace rmapscope {

void run_one_backing_scenarios(Tap &t);

} // namespace rmapscope
