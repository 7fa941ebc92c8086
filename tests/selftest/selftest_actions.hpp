// SPDX-License-Identifier: GPL-2.0
// The referenced and unmap scenarios of the selftest (the referenced/unmap issue).
#pragma once

#include "procs.hpp"
#include "tap.hpp"

namespace rmapscope {

void run_action_scenarios(Tap &t);

} // namespace rmapscope
