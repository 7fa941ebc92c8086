// SPDX-License-Identifier: GPL-2.0
#include "fixture.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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

void name(const std::string &comm)
{
	prctl(PR_SET_NAME, comm.c_str());
}

} // namespace

int fixture_sharing(bool export_prom)
{
	// A "library": 256 pages of a file on the ext4 scratch disk, mapped read-only and private
	// as a loader maps a library's text, by a fork tree and by unrelated services.
	std::string lib = ext4_file("libdemo.so", 256);
	if (lib.empty()) {
		std::printf("fixture kind=sharing error=\"no ext4 scratch disk\"\n");
		return 1;
	}
	auto map_lib = [&lib] {
		void *p = map_file(lib, 256, 0, MAP_PRIVATE, PROT_READ);
		if (p)
			touch_read(p, 256 * kPage);
		return p;
	};
	std::vector<Helper> procs;
	// A zygote: 8 MiB of anon memory and the library, then four apps forked from it. fork()
	// copies no page-table entries of a file mapping without anon pages (copy_page_range()
	// leaves them to faults): an app maps the library's pages only once it reads them, as
	// app-3 and app-4 do. app-1 and app-2 write to half of the anon memory (COW broken there).
	procs.emplace_back([&] {
		name("zygote");
		char *anon = static_cast<char *>(map_anon(2048 * kPage));
		madvise(anon, 2048 * kPage, MADV_NOHUGEPAGE);
		touch_write(anon, 2048 * kPage, 1);
		void *text = map_lib();
		// Kept until the zygote is released (_exit): then the apps see their pipes close.
		auto *apps = new std::vector<Helper>;
		for (int i = 1; i <= 4; ++i)
			apps->emplace_back([anon, text, i] {
				name("app-" + std::to_string(i));
				if (i <= 2)
					touch_write(anon, 1024 * kPage, static_cast<unsigned char>(10 + i));
				else if (text)
					touch_read(text, 256 * kPage);
				return uint64_t{0};
			});
		return uint64_t{0};
	});
	// Three services that map only the library.
	for (int i = 1; i <= 3; ++i)
		procs.emplace_back([&, i] {
			name("svc-" + std::to_string(i));
			map_lib();
			return uint64_t{0};
		});
	settle_lru();
	// The matrix (docs/sharing.md), or with export the textfile export writes (README, docs/export).
	int rc = std::system(export_prom ? "rmapscope export --prometheus /tmp/rmapscope.prom --top 12 --pairs 12 && cat /tmp/rmapscope.prom"
					 : "rmapscope share --all --top 12 --json");
	return rc == 0 ? 0 : 1;
}

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
