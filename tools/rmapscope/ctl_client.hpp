// SPDX-License-Identifier: GPL-2.0
// One ctl transaction: open, write the command, read the response from the same descriptor.
#pragma once

#include <string>

namespace rmapscope {

struct CtlReply {
	int err = 0;		// errno of the write (0 on success)
	std::string text;	// the response, or the "error ..." line
};

CtlReply ctl_transact(const std::string &command);

} // namespace rmapscope
