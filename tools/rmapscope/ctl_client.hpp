// SPDX-License-Identifier: GPL-2.0
// One ctl transaction: open, write the command, read the response from the same descriptor.
#pragma once

#include <string>

namespace rmapscope {

struct CtlReply {
	int err = 0;		 // errno of the open or the write (0 on success)
	bool opened = true;	 // false: ctl could not be opened, and text says why and what to do
	std::string text;	 // the response, the module's "error ..." line, or why ctl did not open
};

// The path of a file of rmapscope's debugfs directory.
std::string debugfs_path(const std::string &file);

// Where ctl's transactions are served: debugfs's ctl, or /dev/rmapscope when the kernel is locked
// down to integrity (the module then makes the device instead).
std::string ctl_path();
CtlReply ctl_transact(const std::string &command);

// Why a file of rmapscope's debugfs directory cannot be opened (err: the open's errno), and
// what to do about it: one line, ending in a newline.
std::string explain_open_failure(const std::string &path, int err);

// Prints a failed reply as every verb does: "rmapscope: " and the module's error line (or why
// ctl could not be opened) on stderr.
void print_failure(const CtlReply &r);

} // namespace rmapscope
