// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest hammer: rmapscope walkers aimed at the pages of other processes, for the
// peer-suite comparison (tests/vm/peer.sh): the kernel's own mm selftests run once alone and once
// with this hammering the pages of their processes, and must give the same results. Every verb
// of the parser, in each of its modes (verb_cases.hpp), is aimed at them; the commands sent and
// answered are counted per verb.
#include "hammer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "share_oracle.hpp"
#include "verb_cases.hpp"

namespace rmapscope {
namespace {

volatile sig_atomic_t stop_now;
void on_stop(int) { stop_now = 1; }

std::vector<int> pids_of(const std::string &comm)
{
	std::vector<int> out;
	DIR *d = opendir("/proc");
	if (!d)
		return out;
	while (dirent *e = readdir(d)) {
		int pid = std::atoi(e->d_name);
		if (pid <= 0)
			continue;
		std::ifstream f("/proc/" + std::string(e->d_name) + "/comm");
		std::string c;
		if (std::getline(f, c) && c == comm)
			out.push_back(pid);
	}
	closedir(d);
	return out;
}

// The VMAs of pid, as [start, end).
std::vector<std::pair<uint64_t, uint64_t>> vmas_of(int pid)
{
	std::vector<std::pair<uint64_t, uint64_t>> v;
	std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
	std::string line;
	while (std::getline(maps, line)) {
		unsigned long lo, hi;
		if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) == 2 && line.find("[vsyscall]") == std::string::npos)
			v.emplace_back(lo, hi);
	}
	return v;
}

constexpr size_t kMaxVerbs = 16;

// The present pages of [lo, hi) in pid, from one read of its pagemap.
std::vector<uint64_t> present_in(int pid, uint64_t lo, uint64_t hi)
{
	std::vector<uint64_t> out, buf((hi - lo) / kPage);
	int fd = open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return out;
	ssize_t got = pread(fd, buf.data(), buf.size() * 8, static_cast<off_t>(lo / kPage * 8));
	close(fd);
	for (ssize_t i = 0; i < got / 8; ++i)
		if (pm_present(buf[i]))
			out.push_back(lo + static_cast<uint64_t>(i) * kPage);
	return out;
}

struct Counts {
	std::atomic<uint64_t> commands, answered;
	std::atomic<uint64_t> sent[kMaxVerbs], ok[kMaxVerbs];	// by parser_verbs() index
};

size_t verb_index(const std::string &verb)
{
	const std::vector<std::string> verbs = parser_verbs();
	for (size_t i = 0; i < verbs.size(); ++i)
		if (verbs[i] == verb)
			return i;
	return kMaxVerbs - 1;
}

[[noreturn]] void hammer(const std::string &comm, unsigned seed, Counts *c)
{
	std::mt19937_64 rng(seed);
	while (!stop_now) {
		std::vector<int> pids = pids_of(comm);
		if (pids.empty()) {
			usleep(2000);
			continue;
		}
		int pid = pids[rng() % pids.size()];
		auto vmas = vmas_of(pid);
		if (vmas.empty())
			continue;
		// A present page of a random VMA: up to 4096 of its entries from a random place, read at
		// once (a short test maps a few pages in large reservations; one random address rarely
		// lands on them).
		// When that window has none, the next ones (wrapping, 64 at most: 1 GiB of a larger
		// VMA): a test that lives a second must not depend on a random window's luck.
		auto [lo, hi] = vmas[rng() % vmas.size()];
		uint64_t pages = (hi - lo) / kPage, from = pages > 4096 ? rng() % (pages - 4096 + 1) : 0;
		std::vector<uint64_t> present;
		for (uint64_t w = 0; present.empty() && w < std::min<uint64_t>(64, (pages + 4095) / 4096); ++w) {
			uint64_t at = (from + w * 4096) % pages;
			present = present_in(pid, lo + at * kPage, std::min<uint64_t>(hi, lo + (at + 4096) * kPage));
		}
		if (present.empty())
			continue;
		uint64_t addr = present[rng() % present.size()];
		Target t{pid, addr, pm_pfn(pagemap_entry(pid, addr)), addr, std::min<uint64_t>(addr + 16 * kPage, hi)};
		std::vector<VerbCase> cases = verb_cases(t, nullptr);
		size_t pick = rng() % cases.size();
		// unmap answers only at a file or shmem page (an anonymous one is refused): at one of
		// those, one command in eight is its unmap, so that every run can see it answered.
		if (!(kpageflags(t.pfn) & (1ULL << 12 /* KPF_ANON */)) && rng() % 8 == 0)
			for (size_t i = 0; i < cases.size(); ++i)
				if (cases[i].verb == "unmap")
					pick = i;
		const VerbCase &vc = cases[pick];
		CtlReply r = ctl_transact(vc.command);
		size_t v = verb_index(vc.verb);
		++c->commands;
		++c->sent[v];
		c->answered += r.err == 0;
		c->ok[v] += r.err == 0;
	}
	_exit(0);
}

} // namespace

int run_hammer(const std::string &comm, unsigned walkers)
{
	auto *c = static_cast<Counts *>(mmap(nullptr, sizeof(Counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	if (c == MAP_FAILED)
		return 1;
	new (c) Counts{};
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	std::vector<pid_t> kids;
	for (unsigned i = 0; i < walkers; ++i)
		if (pid_t p = fork(); p == 0)
			hammer(comm, 0x4a11 + i, c);
		else if (p > 0)
			kids.push_back(p);
	while (!stop_now)
		pause();
	for (pid_t k : kids)
		kill(k, SIGTERM);
	for (pid_t k : kids)
		waitpid(k, nullptr, 0);
	std::string verbs;
	const std::vector<std::string> names = parser_verbs();
	for (size_t v = 0; v < names.size(); ++v)
		verbs += (v ? "," : "") + names[v] + ":" + std::to_string(c->ok[v].load()) + "/" + std::to_string(c->sent[v].load());
	std::printf("hammer comm=%s commands=%lu answered=%lu verbs=%s\n", comm.c_str(),
		    static_cast<unsigned long>(c->commands.load()), static_cast<unsigned long>(c->answered.load()), verbs.c_str());
	return 0;
}

} // namespace rmapscope
