// SPDX-License-Identifier: GPL-2.0
// rmapscope doctor: what stands between this machine and a working rmapscope, each check with
// the evidence it read and what to do. The CLI's other commands run the same checks when ctl
// cannot be opened, and name the first that fails instead of guessing.
#pragma once

#include <string>
#include <vector>

namespace rmapscope {

struct Check {
	std::string name;	// "module loaded", "ABI", "debugfs", ...
	enum Status { kOk, kInfo, kFail } status = kOk;	// kInfo: worth knowing, not in the way
	std::string evidence;	// what was read, and from where
	std::string fix;	// what to do, when it fails
};

// Every check, in the order a user would fix them.
std::vector<Check> diagnose();

// The first check that fails, as one line for an error message ("" when none does).
std::string first_failure();

// Prints the checks (text, or JSON); 0 when every verb can work, 1 otherwise.
int run_doctor(bool json);

} // namespace rmapscope
