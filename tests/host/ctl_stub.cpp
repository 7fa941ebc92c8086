// SPDX-License-Identifier: GPL-2.0
// The host tests have no module: a ctl transaction is refused, as on a machine without it.
// (export_test.cpp drives tools/rmapscope/export.cpp from a reply written by hand instead.)
#include <iostream>

#include "../../tools/rmapscope/ctl_client.hpp"

namespace rmapscope {

CtlReply ctl_transact(const std::string &)
{
	return CtlReply{2, false, "no module on the host\n"};
}

void print_failure(const CtlReply &r)
{
	std::cerr << "rmapscope: " << r.text;
}

} // namespace rmapscope
