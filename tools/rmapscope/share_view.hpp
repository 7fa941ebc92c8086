// SPDX-License-Identifier: GPL-2.0
// rmapscope share: the module's share reply (docs/debugfs.md, "share") as a table for people.
#pragma once

#include <string>

namespace rmapscope {

// Writes the summary and the peers, most pages first, to stdout; false if reply does not parse.
bool print_share_table(const std::string &reply);

} // namespace rmapscope
