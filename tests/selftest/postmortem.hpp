// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>

namespace rmapscope {

// rmapscope-selftest postmortem: the pages make postmortem checks tools/rmapscope-drgn on. For
// each backing, a helper maps the backing's region and forks two children that keep it (for a
// private backing the second writes the followed page first: its VMA is then a skip of the
// walk); the module's walk of the followed page is printed between "postmortem backing=NAME
// pfn=0x.." and "postmortem-end". Then "RMAPSCOPE-DUMP-NOW", and the guest waits (at most
// 300 s) for a line from the host on /dev/ttyS1 (arm64: the virtio port rmapscope.wake), which dumps it meanwhile
// (scripts/postmortem).
// With then (non-empty): the records are also written to /tmp/postmortem-module.txt, and once
// the host has answered, `sh -c then` runs while the pages are still mapped as recorded (the
// live half: rmapscope-drgn on /proc/kcore); its status is the run's.
int run_postmortem(const std::string &then);

} // namespace rmapscope
