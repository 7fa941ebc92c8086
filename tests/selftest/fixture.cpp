// SPDX-License-Identifier: GPL-2.0
#include "fixture.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ctl_client.hpp"
#include "procs.hpp"
#include "oracle.hpp"
#include "walk_reply.hpp"

namespace rmapscope {

int fixture_share(unsigned n)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 3);
	std::vector<Helper> kids;
	for (unsigned i = 1; i < n; ++i)
		kids.emplace_back([] { return uint64_t{0}; });
	WalkReply w = walk_command("walk pid=" + std::to_string(getpid()) + " addr=" + hex(reinterpret_cast<uint64_t>(p)));
	std::printf("fixture kind=share pfn=%s sharers=%u maps=%zu err=%d\n", hex(w.folio_pfn()).c_str(), n,
		    w.maps.size(), w.err);
	return w.err ? 1 : 0;
}

namespace {
} // namespace

int fixture_reclaim(unsigned n, unsigned pages)
{
	// cgroup v2 with the memory controller; this process moves into its own group, so what it
	// faults is charged there and memory.reclaim reclaims that.
	const std::string root = "/sys/fs/cgroup", grp = root + "/rmapscope-fixture";
	mkdir(grp.c_str(), 0755);
	write_file(root + "/cgroup.subtree_control", "+memory");
	if (!write_file(grp + "/cgroup.procs", std::to_string(getpid()))) {
		std::printf("fixture kind=reclaim error=\"cannot join %s (cgroup2 with memory?)\"\n", grp.c_str());
		return 1;
	}
	char *p = static_cast<char *>(map_anon(pages * kPage));
	madvise(p, pages * kPage, MADV_NOHUGEPAGE);
	touch_write(p, pages * kPage, 9);
	std::vector<Helper> kids;
	for (unsigned i = 1; i < n; ++i)
		kids.emplace_back([] { return uint64_t{0}; });
	std::string pfns;
	for (unsigned i = 0; i < pages; ++i) {
		uint64_t e = pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p + i * kPage));
		pfns += (i ? "," : "") + hex(pm_pfn(e));
	}
	// Twice: the first pass may only age the pages (MGLRU, active lists).
	bool ok = write_file(grp + "/memory.reclaim", std::to_string(pages * kPage * 4));
	ok = write_file(grp + "/memory.reclaim", std::to_string(pages * kPage * 4)) || ok;
	std::printf("fixture kind=reclaim pfns=%s sharers=%u reclaim_ok=%d\n", pfns.c_str(), n, ok);
	kids.clear();
	munmap(p, pages * kPage);
	// Back to the root; the group stays (scripts/vm-init made it at boot, see there).
	write_file(root + "/cgroup.procs", std::to_string(getpid()));
	return 0;
}

} // namespace rmapscope
