// SPDX-License-Identifier: GPL-2.0
// make bench --share: share and phys, by each method, against the brute force a user has
// without rmapscope (every process's pagemap, and kpageflags), and share's cost per page against
// the number of sharers. Ratios from one boot; the longest hold of an rmap lock each command
// reports (lock_max_ns=).
#include "share.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "record.hpp"

namespace rmapscope {
namespace {

// Runs argv (searched in PATH) with its output thrown away, as a unit's ExecStart= runs it: no
// shell in between. Its exit status, or -1.
int spawn_quietly(std::vector<const char *> argv)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	argv.push_back(nullptr);
	pid_t pid;
	int st = -1;
	if (posix_spawnp(&pid, argv[0], &fa, nullptr, const_cast<char *const *>(argv.data()), environ) == 0 &&
	    waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		st = WEXITSTATUS(st);
	else
		st = -1;
	posix_spawn_file_actions_destroy(&fa);
	return st;
}

double seconds_of(const std::function<void()> &fn)
{
	auto a = std::chrono::steady_clock::now();
	fn();
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// A helper with `pages` anon pages and `sharers - 1` forked children that keep them shared.
Helper fork_tree(size_t pages, unsigned sharers)
{
	return Helper([pages, sharers] {
		void *p = map_anon(pages * kPage);
		madvise(p, pages * kPage, MADV_NOHUGEPAGE); // one folio per page: share's worst case
		touch_write(p, pages * kPage, 5);
		int ready[2];
		if (pipe(ready))
			return uint64_t{1};
		for (unsigned k = 1; k < sharers; ++k)
			if (fork() == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				char c = 1;
				if (write(ready[1], &c, 1) != 1)
					_exit(1);
				for (;;)
					pause();
			}
		for (unsigned k = 1; k < sharers; ++k) {
			char c;
			if (read(ready[0], &c, 1) != 1)
				return uint64_t{1};
		}
		return uint64_t{0};
	});
}

std::vector<int> pids()
{
	std::vector<int> out;
	if (auto *d = opendir("/proc")) {
		while (auto *de = readdir(d))
			if (int pid = std::atoi(de->d_name); pid > 0)
				out.push_back(pid);
		closedir(d);
	}
	return out;
}

// Calls fn(pfn) for every present entry of pid, read as a brute force would: maps, then one
// pread of pagemap per VMA.
template <class Fn> void each_pfn(int pid, Fn fn)
{
	std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
	int fd = open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	std::vector<uint64_t> buf;
	for (std::string line; std::getline(maps, line);) {
		unsigned long lo, hi;
		if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) != 2 || hi <= lo || line.find("[vsyscall]") != std::string::npos)
			continue;
		buf.resize((hi - lo) / kPage);
		ssize_t got = pread(fd, buf.data(), buf.size() * 8, static_cast<off_t>(lo / kPage * 8));
		for (ssize_t i = 0; i < got / 8; ++i)
			if (pm_present(buf[i]) && pm_pfn(buf[i]))
				fn(pm_pfn(buf[i]));
	}
	close(fd);
}

// The brute force of share: the target's PFNs in a bitmap, then every other process's pagemap
// probed against it; each process's distinct shared pages. Returns how many peers.
size_t brute_share(int target)
{
	std::vector<bool> mine, seen;
	each_pfn(target, [&](uint64_t pfn) {
		if (pfn >= mine.size())
			mine.resize(pfn + 1);
		mine[pfn] = true;
	});
	seen.resize(mine.size());
	size_t peers = 0;
	for (int pid : pids()) {
		if (pid == target)
			continue;
		std::vector<uint64_t> hit;
		each_pfn(pid, [&](uint64_t pfn) {
			if (pfn < mine.size() && mine[pfn] && !seen[pfn]) {
				seen[pfn] = true;
				hit.push_back(pfn);
			}
		});
		peers += !hit.empty();
		for (uint64_t pfn : hit)
			seen[pfn] = false;
	}
	return peers;
}

// The brute force of phys over all RAM: kpageflags read whole, then every process's pagemap,
// each PFN's LRU flag and its mappers counted. Returns how many processes own LRU pages.
size_t brute_phys()
{
	std::vector<uint64_t> flags;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	for (uint64_t buf[4096];;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		flags.insert(flags.end(), buf, buf + n / 8);
	}
	close(fd);
	std::vector<uint16_t> mappers(flags.size());
	size_t owners = 0;
	for (int pid : pids()) {
		bool any = false;
		each_pfn(pid, [&](uint64_t pfn) {
			if (pfn < flags.size() && (flags[pfn] >> 5 & 1)) {
				mappers[pfn]++;
				any = true;
			}
		});
		owners += any;
	}
	return owners;
}

// The brute force the first benchmark of share and phys used (docs/performance.md before the bulk
// comparison): a std::set of PFNs per process and one pread of /proc/kpageflags per PFN. Kept
// beside the efficient ones above so the ratios can be read against either.
size_t naive_share(int target)
{
	std::set<uint64_t> mine;
	each_pfn(target, [&](uint64_t pfn) { mine.insert(pfn); });
	size_t peers = 0;
	for (int pid : pids()) {
		if (pid == target)
			continue;
		std::set<uint64_t> theirs;
		each_pfn(pid, [&](uint64_t pfn) { theirs.insert(pfn); });
		size_t n = 0;
		for (uint64_t pfn : mine)
			n += theirs.count(pfn);
		peers += n > 0;
	}
	return peers;
}

size_t naive_phys()
{
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	std::map<uint64_t, bool> lru;
	std::map<uint64_t, unsigned> mappers;
	size_t owners = 0;
	for (int pid : pids()) {
		std::set<uint64_t> mine;
		each_pfn(pid, [&](uint64_t pfn) {
			auto it = lru.find(pfn);
			if (it == lru.end()) {
				uint64_t f = 0;
				it = lru.emplace(pfn, pread(fd, &f, 8, static_cast<off_t>(pfn * 8)) == 8 && (f >> 5 & 1)).first;
			}
			if (it->second)
				mine.insert(pfn);
		});
		for (uint64_t pfn : mine)
			mappers[pfn]++;
		owners += !mine.empty();
	}
	close(fd);
	return owners;
}

struct Reply {
	std::string raw;
	Record sum;
	long num(const char *k) const { return std::atol(sum.get(k).value_or("-1").c_str()); }
};

Reply ask(const std::string &cmd)
{
	Reply r;
	r.raw = ctl_transact(cmd).text;
	if (auto recs = parse_report(r.raw); recs && !recs->empty())
		r.sum = (*recs)[0];
	return r;
}

// One command's time (the faster of two, after a warm-up: TCG translates new code once).
// The fastest of four runs after one more: a boot's other work (khugepaged, kcompactd, the
// vmstat timers) lands on some runs and not others, and the fastest is the command's own cost.
double timed(const std::string &cmd, Reply &r)
{
	ask(cmd);
	double best = 0;
	for (int i = 0; i < 4; ++i) {
		double t = seconds_of([&] { r = ask(cmd); });
		best = i ? std::min(best, t) : t;
	}
	return best;
}

// The benchmarks' bystanders: 64 processes holding 16 MiB of touched anonymous memory each.
std::vector<Helper> make_bystanders()
{
	std::vector<Helper> out;
	for (int i = 0; i < 64; ++i)
		out.emplace_back([] {
			constexpr size_t len = 16 << 20;
			touch_write(map_anon(len), len, 1);
			return uint64_t{0};
		});
	return out;
}

// While it lives, the module keeps no command's tables for the next (module/kernel/scratch.c):
// each command allocates its own, as one run alone, or a timer's run minutes after the last, does.
class NoTablesKept {
public:
	NoTablesKept()
	{
		std::ifstream in(kKeep);
		std::getline(in, was_);
		ok_ = !was_.empty() && write_file(kKeep, "0");
		if (!ok_)
			std::fprintf(stderr, "# bench: cannot set %s\n", kKeep);
	}
	~NoTablesKept()
	{
		if (ok_)
			write_file(kKeep, was_);
	}
	bool ok() const { return ok_; }

private:
	static constexpr const char *kKeep = "/sys/module/rmapscope/parameters/scratch_keep_ms";
	std::string was_;
	bool ok_ = false;
};

// timed() with no table kept from the command before; -1 when that cannot be set.
double timed_cold(const std::string &cmd, Reply &r)
{
	NoTablesKept none;
	return none.ok() ? timed(cmd, r) : -1;
}

// For method=bulk (the default), the same command with no table kept from the one before, and
// its speedups over both brute forces, as record fields; "" for method=walk (seconds a run: the
// tables are not what it spends them on).
std::string cold_fields(const std::string &cmd, const std::string &method, double brute, double naive)
{
	if (method != "bulk")
		return "";
	Reply r;
	double t = timed_cold(cmd, r);
	if (t <= 0)
		return "";
	char buf[128];
	std::snprintf(buf, sizeof(buf), " cold_s=%.4f cold_speedup=%.1f cold_naive_speedup=%.1f", t, brute / t, naive / t);
	return buf;
}

} // namespace

int run_share_bench()
{
	std::vector<Helper> bystanders = make_bystanders();
	{
		Helper tree = fork_tree(16384, 256); // 64 MiB shared by 256 processes
		double brute = std::min(seconds_of([&] { brute_share(tree.pid()); }), seconds_of([&] { brute_share(tree.pid()); }));
		double naive = seconds_of([&] { naive_share(tree.pid()); });
		for (const char *method : {"bulk", "walk"}) {
			Reply r;
			const std::string cmd = "share pid=" + std::to_string(tree.pid()) + " method=" + method;
			double mod = timed(cmd, r);
			std::printf("bench kind=share_dense method=%s target=64MiB sharers=256 bystanders=64x16MiB share_s=%.3f "
				    "bruteforce_s=%.3f speedup=%.2f naive_s=%.3f naive_speedup=%.2f rss=%ld peers=%ld lock_max_ms=%.2f%s\n",
				    method, mod, brute, brute / mod, naive, naive / mod, r.num("rss"), r.num("peers"),
				    r.num("lock_max_ns") / 1e6, cold_fields(cmd, method, brute, naive).c_str());
			std::fflush(stdout);
		}

		// The common question on a busy machine: a small process (4 MiB, shared with 3 children)
		// among the 64 bystanders and the 256-process tree. Brute force still reads everyone.
		Helper small = fork_tree(1024, 4);
		double sbrute = std::min(seconds_of([&] { brute_share(small.pid()); }), seconds_of([&] { brute_share(small.pid()); }));
		double snaive = seconds_of([&] { naive_share(small.pid()); });
		for (const char *method : {"bulk", "walk"}) {
			Reply r;
			const std::string cmd = "share pid=" + std::to_string(small.pid()) + " method=" + method;
			double mod = timed(cmd, r);
			std::printf("bench kind=share_small method=%s target=4MiB sharers=4 others=64x16MiB+256x64MiB share_s=%.4f "
				    "bruteforce_s=%.3f speedup=%.1f naive_s=%.3f naive_speedup=%.1f rss=%ld peers=%ld lock_max_ms=%.2f%s\n",
				    method, mod, sbrute, sbrute / mod, snaive, snaive / mod, r.num("rss"), r.num("peers"),
				    r.num("lock_max_ns") / 1e6, cold_fields(cmd, method, sbrute, snaive).c_str());
			std::fflush(stdout);
		}

		size_t owners = 0;
		double pbrute = std::min(seconds_of([&] { owners = brute_phys(); }), seconds_of([&] { owners = brute_phys(); }));
		double pnaive = seconds_of([&] { naive_phys(); });
		// young=0: no YOUNG column, which the brute force cannot give either; method=bulk then takes
		// the mapcount shortcut (module/kernel/phys.c).
		const std::pair<const char *, int> phys_runs[] = {{"bulk", 1}, {"walk", 1}, {"bulk", 0}};
		for (const auto &[method, young] : phys_runs) {
			Reply r;
			const std::string cmd = std::string("phys method=") + method + " young=" + std::to_string(young);
			double mod = timed(cmd, r);
			std::printf("bench kind=phys_all method=%s young=%d ram=all processes=%zu phys_s=%.3f bruteforce_s=%.3f "
				    "speedup=%.1f naive_s=%.2f naive_speedup=%.1f lock_max_ms=%.2f%s\n",
				    method, young, owners, mod, pbrute, pbrute / mod, pnaive, pnaive / mod, r.num("lock_max_ns") / 1e6,
				    cold_fields(cmd, method, pbrute, pnaive).c_str());
			std::fflush(stdout);
		}
	}
	bystanders.clear();

	// share's cost per page as sharers grow: 4 MiB shared by 1 .. 256 processes.
	for (unsigned n = 1; n <= 256; n *= 4) {
		Helper tree = fork_tree(1024, n);
		for (const char *method : {"bulk", "walk"}) {
			Reply r;
			double t = timed("share pid=" + std::to_string(tree.pid()) + " method=" + method, r);
			double rss = static_cast<double>(r.num("rss"));
			std::printf("bench kind=share_scaling method=%s sharers=%u rss=%.0f share_s=%.4f us_per_page=%.2f "
				    "us_per_page_per_sharer=%.3f\n",
				    method, n, rss, t, t * 1e6 / rss, t * 1e6 / rss / n);
			std::fflush(stdout);
		}
	}
	return 0;
}

// make bench --census: the one-pass census (phys sets=1: every process's rss, pss and uss and
// who shares with whom) against what monitoring reads today, every process's smaps_rollup (pss
// alone, no pairs), on a fork tree of n processes sharing 64 MiB and 64 bystanders of 16 MiB,
// for n = 64, 128 and 256: the census must be faster, and its cost per mapping (page-table entry
// of any process) must not grow with n. Also the whole `rmapscope export` (the census, its JSON
// read and the pairs made in userspace), as a user runs it.
int run_census_bench()
{
	std::vector<Helper> bystanders = make_bystanders();
	for (unsigned n = 64; n <= 256; n *= 2) {
		Helper tree = fork_tree(16384, n); // 64 MiB shared by n processes
		const std::vector<int> all = pids();
		unsigned long long kb = 0;
		const auto rollups = [&] {
			kb = 0;
			for (int pid : all) {
				std::ifstream f("/proc/" + std::to_string(pid) + "/smaps_rollup");
				for (std::string line; std::getline(f, line);)
					if (line.rfind("Pss:", 0) == 0)
						kb += std::strtoull(line.c_str() + 4, nullptr, 10);
			}
		};
		rollups();
		double smaps = std::min(seconds_of(rollups), seconds_of(rollups));
		Reply r;
		double census = timed("phys sets=1 young=0", r);
		unsigned long mappings = 0, owners = 0;
		if (auto recs = parse_report(r.raw))
			for (const Record &rec : *recs)
				if (rec.kind == "owner") {
					mappings += std::strtoul(rec.get("rss").value_or("0").c_str(), nullptr, 10);
					owners++;
				}
		// What export asks for: the same census as JSON (the text above is what phys prints).
		Reply rj;
		double census_json = timed("phys sets=1 young=0 format=json", rj);
		// The whole command as the systemd unit runs it: exec'd directly, no shell. Best of three.
		const auto best_of_3 = [](const std::function<void()> &fn) {
			fn(); // its code translated and its pages cached once, as a timer's second run finds them
			return std::min({seconds_of(fn), seconds_of(fn), seconds_of(fn)});
		};
		double exp = best_of_3([] {
			if (spawn_quietly({"rmapscope", "export", "--prometheus", "/tmp/bench.prom"}) != 0)
				std::fprintf(stderr, "# bench --census: rmapscope export failed\n");
		});
		// A new process's own start (exec, page faults; under TCG its code translated) and the
		// module's version file read: what export pays once per run and a long-running reader of
		// smaps_rollup does not. Not `rmapscope --version`: CLI11 answers it with a C++
		// exception, whose first throw in a process sorts the unwind tables of the whole static
		// binary (25 ms under TCG, three times the rest).
		double st = best_of_3([] {
			if (spawn_quietly({"rmapscope", "version"}) != 0)
				std::fprintf(stderr, "# bench --census: rmapscope version failed\n");
		});
		// The same with no table kept from an earlier command: what a timer's run meets when its
		// runs are further apart than scratch_keep_ms.
		double exp_cold = -1, census_cold = -1;
		{
			NoTablesKept none;
			if (none.ok())
				exp_cold = best_of_3([] { spawn_quietly({"rmapscope", "export", "--prometheus", "/tmp/bench.prom"}); });
		}
		Reply rc;
		census_cold = timed_cold("phys sets=1 young=0 format=json", rc);
		std::printf("bench kind=census processes=%u bystanders=64x16MiB shared=64MiB owners=%lu mappings=%lu sets=%ld "
			    "census_s=%.3f census_json_s=%.3f census_cold_s=%.3f export_s=%.3f export_cold_s=%.3f start_s=%.3f smaps_rollup_s=%.3f speedup=%.2f export_speedup=%.2f export_cold_speedup=%.2f "
			    "export_work_speedup=%.2f census_us_per_mapping=%.4f smaps_us_per_mapping=%.4f pss_kb_all=%llu "
			    "lock_max_ms=%.2f\n",
			    n, owners, mappings, r.num("nr_sets"), census, census_json, census_cold, exp, exp_cold, st, smaps, smaps / census, smaps / exp, smaps / exp_cold,
			    smaps / (exp - st),
			    census * 1e6 / static_cast<double>(mappings), smaps * 1e6 / static_cast<double>(mappings), kb,
			    r.num("lock_max_ns") / 1e6);
		std::fflush(stdout);
	}
	return 0;
}

} // namespace rmapscope
