// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace rmapscope {

// Runs every scenario against the loaded module and the pagemap oracle; prints TAP and returns
// the number of failed checks.
int run_selftest();

} // namespace rmapscope
