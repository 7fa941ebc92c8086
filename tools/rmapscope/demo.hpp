// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>

namespace rmapscope {

// Builds a small fork tree sharing a page and shows the walk; show_walk prints the table.
int run_demo(int (*show_walk)(long pid, const std::string &addr));

} // namespace rmapscope
