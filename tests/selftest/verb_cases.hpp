// SPDX-License-Identifier: GPL-2.0
// Every ctl verb, with its modes, as commands aimed at one target: the one list the robustness
// tests (stress, faults, the peer hammer, rmmod under load) take their commands from. Its verbs
// come from the parser's own list (RMAPSCOPE_VERBS in include/rmapscope/abi.h): a verb added
// there without a case here makes every one of those tests fail.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace rmapscope {

// What the commands are aimed at: a page pid maps at addr (its PFN pfn), inside [lo, hi).
struct Target {
	int pid = 0;
	uint64_t addr = 0, pfn = 0;
	uint64_t lo = 0, hi = 0;
};

struct VerbCase {
	std::string verb;	// as RMAPSCOPE_VERBS names it
	std::string name;	// verb and mode, e.g. "tree family=1"
	std::string command;
};

// The parser's verbs, in RMAPSCOPE_VERBS order.
std::vector<std::string> parser_verbs();

// Every case for t. Verbs of the parser no case covers are named in *missing (empty: none).
std::vector<VerbCase> verb_cases(const Target &t, std::string *missing);

// The errnos docs/debugfs.md gives a verb's refusals.
const std::set<int> &documented_errnos(const std::string &verb);

} // namespace rmapscope
