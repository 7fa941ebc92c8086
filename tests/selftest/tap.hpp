// SPDX-License-Identifier: GPL-2.0
// TAP output for the harness (rmapscope-selftest).
#pragma once

#include <string>

namespace rmapscope {

class Tap {
public:
	void ok(bool cond, const std::string &desc, const std::string &diag = "");
	void skip(const std::string &desc, const std::string &why);
	int failed() const { return failed_; }
	void plan() const;

private:
	int n_ = 0, failed_ = 0;
};

} // namespace rmapscope
