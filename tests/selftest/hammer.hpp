// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest hammer: walkers aimed at other processes' pages (hammer.cpp).
#pragma once

#include <string>

namespace rmapscope {

// Until SIGTERM or SIGINT: walk, referenced and range scans at the present pages of every process
// whose comm is comm. Prints the counts at the end; returns 0.
int run_hammer(const std::string &comm, unsigned walkers);

} // namespace rmapscope
