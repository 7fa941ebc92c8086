// SPDX-License-Identifier: GPL-2.0
// `rmapscope demo`: a page shared by a small fork tree, and what rmapscope says about it.
#include "demo.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "ctl_client.hpp"
#include "procs.hpp"
#include "oracle.hpp"

namespace rmapscope {

int run_demo(int (*show_walk)(long pid, const std::string &addr))
{
	// Before any process is made: does ctl answer at all? (The same words as every other verb.)
	CtlReply probe = ctl_transact("walk pid=1 addr=0x0");
	if (!probe.opened) {
		print_failure(probe);
		return 1;
	}
	char *page = static_cast<char *>(map_anon(kPage));
	touch_write(page, kPage, 42);
	char addr[32];
	std::snprintf(addr, sizeof(addr), "%p", static_cast<void *>(page));

	std::printf("A fork tree shares one anonymous page at %s:\n", addr);
	std::printf("  parent %d wrote it, then forked two children; child 1 forked a grandchild;\n", getpid());
	std::printf("  child 2 wrote to the page afterwards, so it got its own copy (COW).\n\n");
	std::fflush(stdout);
	int up[2];
	if (pipe(up))
		return 1;
	Helper child1([&up] {
		Helper *grand = new Helper([] { return uint64_t{0}; }); // lives until child1 exits
		uint64_t g = static_cast<uint64_t>(grand->pid());
		return write(up[1], &g, sizeof(g)) == sizeof(g) ? uint64_t{0} : uint64_t{1};
	});
	uint64_t grand = 0;
	if (read(up[0], &grand, sizeof(grand)) != sizeof(grand))
		return 1;
	Helper child2([page] {
		touch_write(page, kPage, 43);
		return uint64_t{0};
	});
	std::printf("  processes: parent %d, child1 %d, grandchild %lu, child2 %d (broke COW)\n\n", getpid(),
		    child1.pid(), static_cast<unsigned long>(grand), child2.pid());

	std::printf("$ rmapscope walk --pid %d --addr %s\n", getpid(), addr);
	std::fflush(stdout);
	int rc = show_walk(getpid(), addr);

	std::string cmd = "walk pid=" + std::to_string(getpid()) + " addr=" + addr + "\n";
	std::printf("\nThe raw ctl response to \"%s\":\n", cmd.substr(0, cmd.size() - 1).c_str());
	std::fputs(ctl_transact(cmd).text.c_str(), stdout);

	std::printf("\n$ rmapscope tree --pid %d --addr %s   # the anon_vma and its AVCs: child2's VMA too\n",
		    getpid(), addr);
	std::fputs(ctl_transact("tree" + cmd.substr(4)).text.c_str(), stdout);

	uint64_t pfn = pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(page)));
	std::printf("\nThe brute-force answer from every /proc/*/pagemap, for pfn 0x%lx:\n",
		    static_cast<unsigned long>(pfn));
	for (const auto &h : oracle_find(pfn, pfn + 1))
		std::printf("  pid %d maps it at 0x%lx\n", h.pid, static_cast<unsigned long>(h.addr));
	std::fflush(stdout);
	return rc;
}

} // namespace rmapscope
