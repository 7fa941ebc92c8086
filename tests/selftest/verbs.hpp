// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace rmapscope {

// Every verb of the parser in each of its modes (verb_cases.cpp), once, at a populated memfd page
// of this process: each must answer with success. The check a call path (call_mode) needs: every
// kernel function rmapscope calls is called at least once. Prints TAP; returns the failures.
int run_verbs();

} // namespace rmapscope
