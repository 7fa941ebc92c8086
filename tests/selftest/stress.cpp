// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest stress: walkers against mutators (make stress, make check).
//
// Mutator processes keep changing the mappings the walkers look at: fork + touch + exit,
// munmap/mmap, mremap, MADV_DONTNEED/FREE/PAGEOUT/COLD, KSM merge and unmerge, THP collapse
// and split, mprotect, ftruncate of a mapped file, memory.reclaim of their cgroup, migration
// between two NUMA nodes, and (the controller) swapoff/swapon. Each publishes the addresses it
// maps in a table the walker processes read; walkers fire every verb of the parser, in each of
// its modes (verb_cases.hpp), at them, by pid+addr and by PFN, and walk random PFNs. Every errno
// a command returns must be one docs/debugfs.md documents for its verb, and every verb must
// have been answered at least once. A ledger of pages with known bytes (anon, shmem, an ext4 file) must
// read back intact at the end, in memory and, for the file, from disk after fsync and
// drop_caches. The kernel log (KASAN, lockdep, DEBUG_VM on the debug kernel) is checked by
// scripts/vm.
#include "stress.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "tap.hpp"
#include "verb_cases.hpp"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

namespace rmapscope {
namespace {

constexpr size_t kLedgerPages = 32, kSlots = 256, kMaxErrno = 134;
const size_t kHuge = thp_size(); // a PMD-mapped THP: 2 MiB with 4 KiB pages, 32 MiB with 16 KiB

// The mutations, written once: their names for the counts.
#define RS_MUTATIONS(X)                                                                            \
	X(fork_touch_exit) X(munmap_mmap) X(mremap) X(dontneed) X(madv_free) X(pageout) X(cold)    \
	X(ksm_merge) X(ksm_unmerge) X(collapse) X(split) X(mprotect) X(ftruncate) X(reclaim)       \
	X(migrate) X(rewrite) X(swapoff_swapon)
enum Mutation {
#define RS_ENUM(m) m_##m,
	RS_MUTATIONS(RS_ENUM)
#undef RS_ENUM
	kMutations
};
constexpr const char *kMutationNames[] = {
#define RS_NAME(m) #m,
	RS_MUTATIONS(RS_NAME)
#undef RS_NAME
};

// The commands: every case of verb_cases(), and a walk of a random PFN (the last).
constexpr size_t kMaxCases = 48;

const std::vector<VerbCase> &case_table()
{
	static const std::vector<VerbCase> cases = verb_cases(Target{}, nullptr);
	return cases;
}

// One published target: a page some mutator maps right now (pid 0: none).
struct Slot {
	std::atomic<int> pid;
	std::atomic<uint64_t> addr;
};

// Shared by every process of the run (MAP_SHARED | MAP_ANONYMOUS, made before the forks).
struct Shared {
	std::atomic<bool> stop;
	Slot slots[kSlots];
	std::atomic<uint64_t> mutations[kMutations];
	std::atomic<uint64_t> commands[kMaxCases][kMaxErrno + 1];
	std::atomic<uint64_t> undocumented;
	std::atomic<uint64_t> migrated;	    // published pages moved to the other node
	std::atomic<uint64_t> ledger_bad;   // ledger pages that read back wrong, in memory
	char first_undocumented[200];
};

Shared *g;

unsigned char pattern(unsigned who, unsigned region, size_t page, size_t off)
{
	return static_cast<unsigned char>(who * 131 + region * 37 + page * 7 + off * 3 + 1);
}

void fill(char *p, unsigned who, unsigned region, size_t pages)
{
	for (size_t i = 0; i < pages; ++i)
		for (size_t o = 0; o < kPage; o += 64)
			p[i * kPage + o] = static_cast<char>(pattern(who, region, i, o));
}

size_t count_bad(const char *p, unsigned who, unsigned region, size_t pages)
{
	size_t bad = 0;
	for (size_t i = 0; i < pages; ++i)
		for (size_t o = 0; o < kPage; o += 64)
			if (static_cast<unsigned char>(p[i * kPage + o]) != pattern(who, region, i, o)) {
				++bad;
				break;
			}
	return bad;
}

void publish(unsigned slot, const void *addr)
{
	g->slots[slot % kSlots].addr = reinterpret_cast<uint64_t>(addr);
	g->slots[slot % kSlots].pid = getpid();
}

int numa_nodes()
{
	int n = 0;
	while (access(("/sys/devices/system/node/node" + std::to_string(n)).c_str(), F_OK) == 0)
		++n;
	return n;
}

std::string ledger_path(unsigned who)
{
	return "/mnt/ext4/stress-ledger-" + std::to_string(who);
}

// --- a mutator ---------------------------------------------------------------------------------
enum Region { r_anon, r_shm, r_file };

[[noreturn]] void mutator(unsigned who, unsigned slot0, unsigned nslots, bool have_file)
{
	std::mt19937_64 rng(0x5eed + who);
	auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
	const size_t L = kLedgerPages * kPage;
	// The ledger: known bytes that must survive everything.
	char *anon = static_cast<char *>(map_anon(L));
	fill(anon, who, r_anon, kLedgerPages);
	int mfd = memfd_create("rmapscope-stress", 0);
	if (mfd < 0 || ftruncate(mfd, static_cast<off_t>(L)))
		_exit(3);
	char *shm = static_cast<char *>(mmap(nullptr, L, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0));
	fill(shm, who, r_shm, kLedgerPages);
	char *file = nullptr, *priv = nullptr;
	if (have_file) {
		file = static_cast<char *>(map_file(ledger_path(who), kLedgerPages, 0, MAP_SHARED, PROT_READ | PROT_WRITE));
		priv = static_cast<char *>(map_file(ledger_path(who), kLedgerPages, 0, MAP_PRIVATE, PROT_READ));
		if (!file || !priv)
			_exit(3);
		touch_read(priv, L);
	}
	// The scratch: a THP-able region, a KSM region of equal pages, a file that is truncated.
	// (thp_raw, thp_len) is what to munmap; thp the PMD-aligned, THP-able region inside it.
	char *thp_raw = nullptr, *thp = nullptr;
	size_t thp_len = 0;
	auto new_thp = [&] {
		thp_len = 2 * kHuge;
		thp_raw = static_cast<char *>(map_anon(thp_len));
		thp = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(thp_raw) + kHuge - 1) & ~(kHuge - 1));
		madvise(thp, kHuge, MADV_HUGEPAGE);
		touch_write(thp, kHuge, 0x7e);
	};
	new_thp();
	char *ksm = static_cast<char *>(map_anon(16 * kPage));
	std::memset(ksm, 0x4b, 16 * kPage);
	madvise(ksm, 16 * kPage, MADV_MERGEABLE);
	std::string trunc_path = "/mnt/ext4/stress-trunc-" + std::to_string(who);
	char *trunc = nullptr;
	if (have_file && !ext4_file(("stress-trunc-" + std::to_string(who)).c_str(), 16).empty())
		trunc = static_cast<char *>(map_file(trunc_path, 16, 0, MAP_SHARED));
	std::vector<pid_t> kids;
	const int nodes = numa_nodes();

	auto republish = [&] {
		for (unsigned s = 0; s < nslots; ++s) {
			size_t i = s % kLedgerPages;
			const char *targets[] = {anon + i * kPage, shm + i * kPage, file ? file + i * kPage : anon,
						 priv ? priv + i * kPage : shm, thp + (s % (kHuge / kPage)) * kPage, ksm + (s % 16) * kPage,
						 trunc ? trunc + (s % 8) * kPage : anon};
			publish(slot0 + s, targets[s % 7]);
		}
	};
	republish();

	while (!g->stop) {
		for (auto it = kids.begin(); it != kids.end();)
			it = waitpid(*it, nullptr, WNOHANG) > 0 ? kids.erase(it) : it + 1;
		// The program uses its memory: what was paged out, discarded or moved comes back.
		touch_read(anon, L);
		touch_read(shm, L);
		if (file)
			touch_read(file, L);
		Mutation m = static_cast<Mutation>(pick(kMutations));
		bool done = true;
		switch (m) {
		case m_fork_touch_exit:
			if (kids.size() < 4) {
				pid_t c = fork();
				if (c == 0) {
					touch_read(anon, L);
					touch_read(shm, L);
					if (file)
						touch_read(file, L);
					touch_read(thp, kHuge);
					usleep(static_cast<useconds_t>(pick(20000)));
					_exit(0);
				}
				if (c > 0)
					kids.push_back(c);
			}
			break;
		case m_munmap_mmap:
			munmap(thp_raw, thp_len);
			new_thp();
			republish();
			break;
		case m_mremap: {
			// To a PMD boundary inside a new reservation, which becomes the region's.
			char *hole = static_cast<char *>(mmap(nullptr, 2 * kHuge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
			char *to = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(hole) + kHuge - 1) & ~(kHuge - 1));
			if (hole != MAP_FAILED && mremap(thp, kHuge, kHuge, MREMAP_MAYMOVE | MREMAP_FIXED, to) != MAP_FAILED) {
				munmap(thp_raw, thp_len);
				thp_raw = hole;
				thp_len = 2 * kHuge;
				thp = to;
				republish();
			} else {
				if (hole != MAP_FAILED)
					munmap(hole, 2 * kHuge);
				done = false; // the region was split by mprotect: not one VMA
			}
			break;
		}
		case m_dontneed:
			madvise(thp + pick(kHuge / kPage - 8) * kPage, 8 * kPage, MADV_DONTNEED);
			break;
		case m_madv_free:
			madvise(thp + pick(kHuge / kPage - 8) * kPage, 8 * kPage, MADV_FREE);
			break;
		case m_pageout: {
			char *r[] = {anon, shm, file ? file : anon, thp};
			madvise(r[pick(4)], pick(2) ? L : 4 * kPage, MADV_PAGEOUT);
			break;
		}
		case m_cold:
			madvise(pick(2) ? anon : shm, L, MADV_COLD);
			break;
		case m_ksm_merge:
			madvise(ksm, 16 * kPage, MADV_MERGEABLE);
			break;
		case m_ksm_unmerge:
			if (pick(2))
				madvise(ksm, 16 * kPage, MADV_UNMERGEABLE);
			else
				ksm[pick(16) * kPage] = 0x4b; // the same byte: breaks COW of a merged page
			break;
		case m_collapse:
			done = madvise(thp, kHuge, MADV_COLLAPSE) == 0;
			break;
		case m_split:
			done = who == 0 && write_file("/sys/kernel/debug/split_huge_pages", "1");
			break;
		case m_mprotect:
			mprotect(thp + pick(256) * kPage, 16 * kPage, pick(2) ? PROT_READ : PROT_READ | PROT_WRITE);
			break;
		case m_ftruncate:
			if (trunc) {
				// Only the second half is cut: the first stays mapped and published.
				done = truncate(trunc_path.c_str(), 8 * kPage) == 0 && truncate(trunc_path.c_str(), 16 * kPage) == 0;
			} else {
				done = false;
			}
			break;
		case m_reclaim:
			done = write_file("/sys/fs/cgroup/rmapscope-stress/memory.reclaim", std::to_string(64 * kPage));
			break;
		case m_migrate:
			if (nodes >= 2) {
				void *pages[8];
				int to[8], status[8];
				char *r[] = {anon, shm, file ? file : anon};
				char *base = r[pick(3)];
				for (int i = 0; i < 8; ++i) {
					pages[i] = base + pick(kLedgerPages) * kPage;
					to[i] = static_cast<int>(pick(static_cast<size_t>(nodes)));
				}
				done = syscall(SYS_move_pages, 0, 8, pages, to, status, 2 /* MPOL_MF_MOVE */) >= 0;
				for (int i = 0; done && i < 8; ++i)
					if (status[i] == to[i])
						++g->migrated;
			} else {
				done = false;
			}
			break;
		case m_rewrite: { // the same bytes again: dirties the page, breaks nothing
			size_t i = pick(kLedgerPages);
			char *r[] = {anon, shm, file ? file : anon};
			unsigned reg = static_cast<unsigned>(pick(file ? 3 : 2));
			for (size_t o = 0; o < kPage; o += 64)
				r[reg][i * kPage + o] = static_cast<char>(pattern(who, reg, i, o));
			break;
		}
		default:
			done = false;
		}
		if (done)
			++g->mutations[m];
		usleep(static_cast<useconds_t>(pick(2000)));
	}
	for (pid_t k : kids)
		waitpid(k, nullptr, 0);
	// Unpublish, then check the ledger in memory; the controller checks the file on disk.
	for (unsigned s = 0; s < nslots; ++s)
		g->slots[(slot0 + s) % kSlots].pid = 0;
	size_t bad = count_bad(anon, who, r_anon, kLedgerPages) + count_bad(shm, who, r_shm, kLedgerPages);
	if (file) {
		bad += count_bad(file, who, r_file, kLedgerPages);
		msync(file, L, MS_SYNC);
	}
	g->ledger_bad += bad;
	_exit(0);
}

// --- a walker ----------------------------------------------------------------------------------
[[noreturn]] void walker(unsigned who, uint64_t max_pfn)
{
	std::mt19937_64 rng(0xa11 + who);
	auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
	while (!g->stop) {
		const Slot &s = g->slots[pick(kSlots)];
		int pid = s.pid;
		uint64_t addr = s.addr;
		const size_t ncases = case_table().size(), c = pick(ncases + 1);
		if (!pid && c != ncases)
			continue;
		std::string cmd;
		if (c == ncases) {
			cmd = "walk pfn=" + hex(pick(max_pfn)) + (pick(2) ? " format=json" : "");
		} else {
			Target t{pid, addr, pm_pfn(pagemap_entry(pid, addr)), addr, addr + 16 * kPage};
			cmd = verb_cases(t, nullptr)[c].command;
		}
		CtlReply r = ctl_transact(cmd);
		int err = r.err < 0 ? 0 : r.err;
		++g->commands[c][err <= int(kMaxErrno) ? err : kMaxErrno];
		const std::string verb = c == ncases ? "walk" : case_table()[c].verb;
		if (err && !documented_errnos(verb).count(err) && g->undocumented++ == 0)
			std::snprintf(g->first_undocumented, sizeof(g->first_undocumented), "%s: %s: %s", cmd.c_str(),
				      std::strerror(err), r.text.substr(0, 80).c_str());
	}
	_exit(0);
}

uint64_t highest_pfn()
{
	// The highest PFN a page of this process sits on, times two: enough to reach past RAM.
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 1);
	uint64_t pfn = pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p)));
	munmap(p, kPage);
	return pfn ? 2 * pfn + 1024 : 1 << 20;
}

std::string errno_name(int e)
{
	static const std::pair<int, const char *> names[] = {
		{0, "ok"},	   {EINVAL, "EINVAL"}, {ESRCH, "ESRCH"}, {EFAULT, "EFAULT"}, {ENOENT, "ENOENT"},
		{ENXIO, "ENXIO"}, {ERANGE, "ERANGE"}, {ENODEV, "ENODEV"}, {EOPNOTSUPP, "EOPNOTSUPP"},
		{EBUSY, "EBUSY"}, {EINTR, "EINTR"}, {ENOMEM, "ENOMEM"}, {EAGAIN, "EAGAIN"}, {EPERM, "EPERM"},
	};
	for (const auto &[n, s] : names)
		if (n == e)
			return s;
	return "errno" + std::to_string(e);
}

} // namespace

int run_stress(unsigned seconds, unsigned mutators, unsigned walkers)
{
	Tap t;
	void *mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		t.ok(false, "stress: shared memory", std::strerror(errno));
		t.plan();
		return 1;
	}
	g = new (mem) Shared{};
	// Everything the run faults is charged to one memory cgroup, which the mutators reclaim.
	mkdir("/sys/fs/cgroup/rmapscope-stress", 0755);
	write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	write_file("/sys/fs/cgroup/rmapscope-stress/cgroup.procs", std::to_string(getpid()));
	write_file("/sys/kernel/mm/ksm/pages_to_scan", "1000\n");
	bool have_file = true;
	for (unsigned i = 0; i < mutators; ++i) {
		std::string f = ext4_file(("stress-ledger-" + std::to_string(i)).c_str(), kLedgerPages);
		int fd = f.empty() ? -1 : open(f.c_str(), O_RDWR);
		if (fd < 0) {
			have_file = false;
			break;
		}
		std::vector<char> buf(kLedgerPages * kPage);
		fill(buf.data(), i, r_file, kLedgerPages);
		have_file = pwrite(fd, buf.data(), buf.size(), 0) == ssize_t(buf.size()) && fsync(fd) == 0;
		close(fd);
	}
	const uint64_t max_pfn = highest_pfn();
	if (case_table().size() >= kMaxCases) {
		t.ok(false, "stress: the cases fit the table", std::to_string(case_table().size()));
		t.plan();
		return 1;
	}
	const unsigned per = static_cast<unsigned>(kSlots / mutators);
	std::vector<pid_t> procs;
	std::fflush(stdout);
	for (unsigned i = 0; i < mutators; ++i)
		if (pid_t p = fork(); p == 0)
			mutator(i, i * per, per, have_file);
		else
			procs.push_back(p);
	usleep(200000);
	for (unsigned i = 0; i < walkers; ++i)
		if (pid_t p = fork(); p == 0)
			walker(i, max_pfn);
		else
			procs.push_back(p);
	// The controller: swap off and on again now and then, while the rest runs.
	auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
	unsigned swaps = 0;
	while (std::chrono::steady_clock::now() < end) {
		sleep(1);
		if (++swaps % 7 == 0 && swapoff("/dev/zram0") == 0) {
			swapon("/dev/zram0", 0);
			++g->mutations[m_swapoff_swapon];
		}
	}
	g->stop = true;
	int crashed = 0;
	for (pid_t p : procs) {
		int st = 0;
		waitpid(p, &st, 0);
		crashed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	// The ledger files, read back from disk: fsync'ed by their mutators, then the page cache dropped.
	size_t disk_bad = 0;
	if (have_file) {
		drop_caches();
		for (unsigned i = 0; i < mutators; ++i) {
			std::vector<char> buf(kLedgerPages * kPage);
			int fd = open(ledger_path(i).c_str(), O_RDONLY);
			if (fd < 0 || pread(fd, buf.data(), buf.size(), 0) != ssize_t(buf.size()))
				disk_bad += kLedgerPages;
			else
				disk_bad += count_bad(buf.data(), i, r_file, kLedgerPages);
			if (fd >= 0)
				close(fd);
		}
	}

	uint64_t total = 0;
	std::map<std::string, uint64_t> answered; // by verb
	for (const std::string &v : parser_verbs())
		answered[v] = 0;
	for (size_t c = 0; c <= case_table().size(); ++c) {
		const bool random_pfn = c == case_table().size();
		std::string line = "# stress commands case='" + (random_pfn ? std::string("walk pfn= (random)") : case_table()[c].name) + "'";
		uint64_t n = 0;
		for (size_t e = 0; e <= kMaxErrno; ++e)
			if (uint64_t k = g->commands[c][e]) {
				line += " " + errno_name(static_cast<int>(e)) + "=" + std::to_string(k);
				n += k;
			}
		total += n;
		answered[random_pfn ? "walk" : case_table()[c].verb] += g->commands[c][0];
		std::printf("%s total=%lu\n", line.c_str(), static_cast<unsigned long>(n));
	}
	std::string muts = "# stress mutations";
	unsigned kinds = 0;
	uint64_t mutations = 0;
	for (int m = 0; m < kMutations; ++m) {
		muts += std::string(" ") + kMutationNames[m] + "=" + std::to_string(g->mutations[m].load());
		kinds += g->mutations[m] > 0;
		mutations += g->mutations[m];
	}
	muts += " total=" + std::to_string(mutations);
	std::printf("%s\n# stress migrated_pages=%lu numa_nodes=%d seconds=%u mutators=%u walkers=%u\n", muts.c_str(),
		    static_cast<unsigned long>(g->migrated.load()), numa_nodes(), seconds, mutators, walkers);
	t.ok(crashed == 0, "stress: every mutator and walker exited cleanly (" + std::to_string(crashed) + " did not)");
	std::string missing, counts;
	verb_cases(Target{}, &missing);
	bool every = missing.empty();
	for (const auto &[v, n] : answered) {
		counts += " " + v + "=" + std::to_string(n);
		every = every && n > 0;
	}
	t.ok(every, "stress: every verb of the parser was answered at least once:" + counts,
	     missing.empty() ? "" : "verbs with no case in verb_cases.cpp: " + missing);
	t.ok(total > 0 && g->undocumented == 0,
	     "stress: " + std::to_string(total) + " commands, every errno one docs/debugfs.md gives its verb (" +
		     std::to_string(g->undocumented.load()) + " not)",
	     g->first_undocumented);
	std::string none;
	for (int m = 0; m < kMutations; ++m)
		if (!g->mutations[m])
			none += std::string(" ") + kMutationNames[m];
	t.ok(kinds >= 12, "stress: " + std::to_string(kinds) + " of " + std::to_string(int(kMutations)) +
				  " kinds of mutation happened (none of:" + (none.empty() ? " -" : none) + ")");
	t.ok(g->ledger_bad == 0, "stress: the ledger reads back intact in memory (anon, shmem" + std::string(have_file ? ", ext4 file)" : ")") +
				 ": " + std::to_string(g->ledger_bad.load()) + " pages wrong");
	if (have_file)
		t.ok(disk_bad == 0, "stress: the ledger files read back intact from disk after fsync and drop_caches (" +
					    std::to_string(disk_bad) + " pages wrong)");
	else
		t.skip("stress: the ledger files on disk", "no ext4 scratch disk at /mnt/ext4");
	t.plan();
	return t.failed();
}

} // namespace rmapscope
