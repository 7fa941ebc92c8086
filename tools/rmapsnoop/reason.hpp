// SPDX-License-Identifier: GPL-2.0
// Why a walk happened, from the names of the frames on its kernel stack.
#pragma once

#include <string>
#include <vector>

namespace rmapsnoop {

struct Frame {
	std::string name, module;
};

// rmapscope, compaction, reclaim, ksm, page_idle, damon, migration or other (first that any frame
// shows, in that order: compaction migrates, and rmapscope calls the kernel's own functions).
std::string classify(const std::vector<Frame> &stack);
const std::vector<std::string> &reasons();

} // namespace rmapsnoop
