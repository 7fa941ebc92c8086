// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>

namespace rmapscope {

// Runs the hostile command list; prints TAP and returns the number of failed checks.
int run_hostile(const std::string &file);

} // namespace rmapscope
