// SPDX-License-Identifier: GPL-2.0
// rmapscope share and phys: the module's share and phys replies (docs/debugfs.md, "share") as a table for people.
#pragma once

#include <string>

namespace rmapscope {

// Writes the summary and the peers, most pages first, to stdout; false if reply does not parse.
bool print_share_table(const std::string &reply);
// The module's phys reply: the totals, then the owners and the files, most pages first.
bool print_phys_table(const std::string &reply);

} // namespace rmapscope
