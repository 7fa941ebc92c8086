// SPDX-License-Identifier: GPL-2.0
// Fixtures for tests outside the selftest (tests/vm/rmapsnoop.sh): known walks to trace.
#pragma once

namespace rmapscope {

// A page shared by n processes (this one and n-1 forked children), walked once through ctl.
// Prints "fixture kind=share pfn=0x.. sharers=n maps=m".
int fixture_share(unsigned n);
// pages of anon memory shared by n processes, charged to a fresh memory cgroup, then reclaimed
// through memory.reclaim. Prints "fixture kind=reclaim pfns=0x..,0x.. sharers=n".
int fixture_reclaim(unsigned n, unsigned pages);
// A zygote with four apps and three services sharing an ext4 "library": prints the process x
// process matrix (rmapscope share --all --json) for scripts/share-pictures, or with export_prom
// the file rmapscope export --prometheus writes (scripts/export-example).
int fixture_sharing(bool export_prom = false);

} // namespace rmapscope
