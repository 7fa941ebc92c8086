// SPDX-License-Identifier: GPL-2.0
// The guest's side of make postmortem (postmortem.hpp).
#include "postmortem.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "backing.hpp"
#include "ctl_client.hpp"
#include "ksm_page.hpp"
#include "oracle.hpp"
#include "procs.hpp"

namespace rmapscope {

namespace {

// The backing's name as one token ("ext4 MAP_SHARED" -> "ext4_MAP_SHARED").
std::string token(const char *name)
{
	std::string s = name;
	for (char &c : s)
		if (c == ' ')
			c = '_';
	return s;
}

// /dev/vportNpM of the virtio serial port named rmapscope.wake, or /dev/ttyS1 when there is none.
std::string wake_port()
{
	const std::string dir = "/sys/class/virtio-ports";
	if (DIR *d = opendir(dir.c_str())) {
		std::string found;
		while (dirent *e = readdir(d)) {
			std::ifstream name(dir + "/" + e->d_name + "/name");
			std::string n;
			if (std::getline(name, n) && n == "rmapscope.wake")
				found = std::string("/dev/") + e->d_name;
		}
		closedir(d);
		if (!found.empty())
			return found;
	}
	return "/dev/ttyS1";
}

} // namespace

// The pages the kernel's reclaim has scanned so far (every pgscan_* counter and pgrefill of
// /proc/vmstat): scanning asks folio_referenced(), which clears the accessed bits it finds.
unsigned long long reclaim_scanned()
{
	unsigned long long n = 0;
	std::ifstream in("/proc/vmstat");
	std::string key;
	unsigned long long v;
	while (in >> key >> v)
		if (key.rfind("pgscan", 0) == 0 || key == "pgrefill")
			n += v;
	return n;
}

int run_postmortem(const std::string &then)
{
	std::string records; // what is printed between the markers, kept for the live half
	// The module's records and the dump are a moment apart, and must see the same accessed bits.
	// An arm64 16 KiB guest once lost one in between; only an aging walk clears one, and the
	// likeliest is MGLRU's, which walks page tables whenever kswapd wakes (not proven). This run
	// turns MGLRU off, and says so.
	if (FILE *f = std::fopen("/sys/kernel/mm/lru_gen/enabled", "w")) {
		bool off = std::fputs("0", f) >= 0;
		off = std::fclose(f) == 0 && off;
		std::printf("postmortem: MGLRU %s\n", off ? "turned off for this run" : "could not be turned off");
	}
	std::vector<std::pair<const Backing *, std::unique_ptr<Helper>>> helpers;
	for (const Backing &b : kBackings) {
		// Whether this machine can make the backing at all, and if not why (the helper's own
		// attempt cannot say): tried here once and unmapped.
		if (std::string why; !b.make(why)) {
			std::printf("postmortem backing=%s unavailable: %s\n", token(b.name).c_str(), why.c_str());
			continue;
		}
		auto h = std::make_unique<Helper>([&b] {
			std::string why;
			auto r = b.make(why);
			if (!r)
				return uint64_t{0};
			char *at = r->at();
			for (int i = 0; i < 2; ++i) {
				int ready[2];
				if (pipe(ready) != 0)
					return uint64_t{0};
				if (fork() == 0) {
					prctl(PR_SET_PDEATHSIG, SIGKILL);
					if (i == 1 && b.cow)
						*reinterpret_cast<volatile char *>(at) = 0x77; // COW broken here
					char c = 1;
					(void)!write(ready[1], &c, 1);
					for (;;)
						pause();
				}
				char c;
				(void)!read(ready[0], &c, 1);
				close(ready[0]);
				close(ready[1]);
			}
			new Region(std::move(*r)); // stays mapped for the helper's life
			return reinterpret_cast<uint64_t>(at);
		});
		if (!h->value()) {
			std::printf("postmortem backing=%s unavailable\n", token(b.name).c_str());
			continue;
		}
		helpers.emplace_back(&b, std::move(h));
	}
	settle_lru();
	// The pages to record: one per backing, and a KSM page (its stable node's rmap_items).
	std::vector<std::pair<std::string, uint64_t>> pages;
	for (const auto &[b, h] : helpers) {
		uint64_t pfn = pfn_of(h->pid(), reinterpret_cast<const void *>(h->value()));
		if (!pfn)
			std::printf("postmortem backing=%s no-pfn\n", token(b->name).c_str());
		else
			pages.emplace_back(token(b->name), pfn);
	}
	KsmPage ksm; // five mappings in three processes, mapped until this run ends
	std::string why = ksm_unavailable();
	if (!why.empty())
		std::printf("postmortem backing=KSM unavailable: %s\n", why.c_str());
	else if (make_ksm_page(ksm, why))
		pages.emplace_back("KSM", ksm.pfn);
	else
		std::printf("postmortem backing=KSM failed: %s\n", why.c_str());
	// Reclaim before the first walk and after the dump: when it scanned nothing in between, no
	// accessed bit can have been cleared between the module's walk and the dump (compare).
	std::printf("postmortem-reclaim before=%llu\n", reclaim_scanned());
	for (const auto &[name, pfn] : pages) {
		std::string rec = "postmortem backing=" + name + " pfn=" + hex(pfn) + "\n" +
				  ctl_transact("walk pfn=" + hex(pfn)).text;
		// The tree too, of its own anon_vma and of the whole family (file: family is ignored).
		for (int family : {0, 1})
			rec += "postmortem-tree family=" + std::to_string(family) + "\n" +
			       ctl_transact("tree pfn=" + hex(pfn) + " family=" + std::to_string(family)).text;
		rec += "postmortem-end\n";
		std::fputs(rec.c_str(), stdout);
		records += rec;
	}
	std::printf("RMAPSCOPE-DUMP-NOW\n");
	std::fflush(stdout);
	// The host's line: on arm64 (one UART) the virtio serial port scripts/vm names
	// rmapscope.wake, elsewhere the second serial port (a ttyS1 exists on arm64 too, with no
	// UART behind it: the named port comes first).
	const std::string port = wake_port();
	int fd = open(port.c_str(), O_RDONLY | O_NOCTTY);
	if (fd < 0) {
		std::perror(("postmortem: " + port).c_str());
		return 1;
	}
	// A virtio port reads end-of-file while the host has not connected yet: read again until
	// the host's byte, for at most 300 s.
	alarm(300);
	char c = 0;
	ssize_t n = 0;
	for (int i = 0; i < 3000 && (n = read(fd, &c, 1)) == 0; ++i)
		usleep(100000);
	alarm(0);
	close(fd);
	std::printf("postmortem: the host %s\n", n == 1 ? "has dumped the guest" : "never answered");
	std::printf("postmortem-reclaim after=%llu\n", reclaim_scanned());
	if (n != 1)
		return 1;
	if (then.empty())
		return 0;
	// The live half: the same pages, still mapped as recorded, read through /proc/kcore.
	if (FILE *f = std::fopen("/tmp/postmortem-module.txt", "w")) {
		std::fputs(records.c_str(), f);
		std::fclose(f);
	}
	std::fflush(stdout);
	int st = std::system(then.c_str());
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

} // namespace rmapscope
