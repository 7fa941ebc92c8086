// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest faults: every allocation a command makes is failed once, in turn, for every
// verb of the parser in each of its modes (verb_cases.hpp).
//
// The kernel's per-task fault injection (/proc/thread-self/fail-nth, CONFIG_FAULT_INJECTION with
// FAILSLAB and FAIL_PAGE_ALLOC) fails the Nth allocation this task makes from then on. For each
// verb, N = 1, 2, ... until a run ends with the counter not used up: the command reached fewer
// than N allocation sites. Only this task's allocations fail, nobody else's. Each injected run
// must fail with ENOMEM and an "error ENOMEM <message>" response (or succeed, where the failed
// allocation had a fallback), and the same command without injection must then succeed. The VM
// runner then checks the kernel log (KASAN, lockdep, WARN) and kmemleak after rmmod.
#include "faults.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "tap.hpp"
#include "verb_cases.hpp"

namespace rmapscope {
namespace {

constexpr int kMaxSites = 400;

// The knobs of the kernel's fault attributes: fail GFP_KERNEL allocations too (by default only
// those that cannot sleep fail), and no stack dump per failure.
bool setup_fault_attrs(std::string &why)
{
	const std::pair<const char *, const char *> knobs[] = {
		{"failslab/ignore-gfp-wait", "N"},	   {"failslab/verbose", "0"},
		{"fail_page_alloc/ignore-gfp-wait", "N"}, {"fail_page_alloc/ignore-gfp-highmem", "N"},
		{"fail_page_alloc/min-order", "0"},	   {"fail_page_alloc/verbose", "0"},
	};
	for (const auto &[file, value] : knobs) {
		if (!write_file(std::string("/sys/kernel/debug/") + file, value)) {
			why = std::string("cannot set /sys/kernel/debug/") + file + " (no FAILSLAB/FAIL_PAGE_ALLOC with debugfs)";
			return false;
		}
	}
	return true;
}

// This thread's fail-nth, opened once: opening it again would itself allocate.
class FailNth {
public:
	FailNth() : fd_(open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC)) {}
	~FailNth()
	{
		if (fd_ >= 0)
			close(fd_);
	}
	FailNth(const FailNth &) = delete;
	FailNth &operator=(const FailNth &) = delete;
	bool ok() const { return fd_ >= 0; }
	void set(int n) const
	{
		std::string s = std::to_string(n);
		if (pwrite(fd_, s.data(), s.size(), 0) != ssize_t(s.size()))
			std::exit(2);
	}
	// What is left of the count: 0 once the failure was injected.
	int left() const
	{
		char b[16] = {};
		return pread(fd_, b, sizeof(b) - 1, 0) > 0 ? std::atoi(b) : -1;
	}

private:
	int fd_;
};

struct Run {
	ssize_t ret;	 // the write's (or the open's) result
	int err;	 // its errno
	std::string text; // what read() gave after it
};

// One transaction on ctl with the Nth allocation of the write failed (n = 0: none).
Run ctl_run(const FailNth &fail, const std::string &cmd, int n, int &left)
{
	Run r{-1, 0, ""};
	int fd = open(ctl_path().c_str(), O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r.err = errno;
		left = -1;
		return r;
	}
	if (n)
		fail.set(n);
	r.ret = write(fd, cmd.data(), cmd.size());
	r.err = r.ret < 0 ? errno : 0;
	left = n ? fail.left() : 1;
	fail.set(0);
	char buf[65536];
	ssize_t got = read(fd, buf, sizeof(buf));
	r.text = got > 0 ? std::string(buf, static_cast<size_t>(got)) : "(read: " + std::string(std::strerror(errno)) + ")";
	close(fd);
	return r;
}

// The version file, opened and read with the Nth allocation of the open failed.
Run version_run(const FailNth &fail, const std::string &, int n, int &left)
{
	Run r{-1, 0, ""};
	if (n)
		fail.set(n);
	int fd = open(debugfs_path("version").c_str(), O_RDONLY | O_CLOEXEC);
	r.err = fd < 0 ? errno : 0;
	left = n ? fail.left() : 1;
	fail.set(0);
	if (fd < 0)
		return r;
	char buf[8192];
	r.ret = read(fd, buf, sizeof(buf));
	r.text = r.ret > 0 ? std::string(buf, static_cast<size_t>(r.ret)) : "";
	close(fd);
	return r;
}

struct Case {
	std::string name;
	std::function<std::string()> command; // prepares the target (faults pages in), gives the command
	Run (*run)(const FailNth &, const std::string &, int, int &);
};

std::string at(const char *verb, const void *addr, const char *more = "")
{
	return std::string(verb) + " pid=" + std::to_string(getpid()) + " addr=" + hex(reinterpret_cast<uint64_t>(addr)) + more;
}

void sweep(Tap &t, const FailNth &fail, const Case &c)
{
	int sites = 0, absorbed = 0;
	std::string bad;
	bool ended = false;
	for (int n = 1; n <= kMaxSites && bad.empty(); ++n) {
		std::string cmd = c.command();
		int left = 0;
		Run r = c.run(fail, cmd, n, left);
		if (left < 0) {
			bad = "could not run: " + std::string(std::strerror(r.err));
			break;
		}
		if (left > 0) { // fewer than n sites: nothing was failed, and the command must succeed
			ended = true;
			if (r.err)
				bad = "the run past the last site failed: " + std::string(std::strerror(r.err)) + ": " + r.text;
			break;
		}
		++sites;
		if (r.err == 0)
			++absorbed;
		else if (r.err != ENOMEM)
			bad = "allocation " + std::to_string(n) + ": errno " + std::strerror(r.err) + " (not ENOMEM): " + r.text;
		else if (c.run == ctl_run && (r.text.rfind("error ENOMEM ", 0) != 0 || r.text.size() <= 14))
			bad = "allocation " + std::to_string(n) + ": ENOMEM, but the response is not an error line with a message: " + r.text;
		int clean_left = 0;
		Run again = c.run(fail, c.command(), 0, clean_left);
		if (bad.empty() && again.err)
			bad = "allocation " + std::to_string(n) + " failed, and then the command without injection failed too: " +
			      std::strerror(again.err) + ": " + again.text;
	}
	if (!ended && bad.empty())
		bad = "more than " + std::to_string(kMaxSites) + " allocation sites";
	t.ok(bad.empty() && sites > 0,
	     "faults: " + c.name + ": " + std::to_string(sites) + " allocation sites failed in turn (" + std::to_string(absorbed) +
		     " absorbed), each gave ENOMEM with a message, and the next command succeeded",
	     bad);
}

} // namespace

int run_faults()
{
	Tap t;
	FailNth fail;
	std::string why;
	if (!fail.ok() || !setup_fault_attrs(why)) {
		t.skip("faults: the fault-injection sweep", fail.ok() ? why : "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
		t.plan();
		return 0;
	}
	// Targets: an anon page shared with a child, a page of a shared ext4 file (its path is
	// resolved), a memfd page (unmap), and an 8-page range.
	char *anon = static_cast<char *>(map_anon(8 * kPage));
	touch_write(anon, 8 * kPage, 0x61);
	Helper child([] { return uint64_t{0}; });
	char *shm = nullptr;
	int mfd = memfd_create("rmapscope-faults", 0);
	if (mfd >= 0 && ftruncate(mfd, kPage) == 0)
		shm = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0));
	std::string file = ext4_file("faults", 1);
	char *fp = file.empty() ? nullptr : static_cast<char *>(map_file(file, 1, 0, MAP_SHARED));
	if (!shm || shm == MAP_FAILED) {
		t.ok(false, "faults: a memfd page", std::strerror(errno));
		t.plan();
		return 1;
	}
	touch_write(shm, kPage, 0x62);
	auto target = [](char *p, size_t pages) {
		uint64_t a = reinterpret_cast<uint64_t>(p);
		return Target{getpid(), a, pm_pfn(pagemap_entry(getpid(), a)), a, a + pages * kPage};
	};
	// Every case of every verb at the anon page, but unmap, which is aimed at the memfd page
	// (an anon page's unmap is refused before anything is allocated).
	std::string missing;
	std::vector<Case> cases;
	const std::vector<VerbCase> at_anon = verb_cases(target(anon, 8), &missing), at_shm = verb_cases(target(shm, 1), nullptr);
	for (size_t i = 0; i < at_anon.size(); ++i) {
		bool unmap = at_anon[i].verb == "unmap";
		std::string cmd = (unmap ? at_shm : at_anon)[i].command;
		cases.push_back({at_anon[i].name, [cmd, unmap, shm] {
					 settle_lru(); // a PFN names a page on the LRU
					 if (unmap)
						 touch_read(shm, kPage); // fault it back in
					 return cmd;
				 },
				 ctl_run});
	}
	t.ok(missing.empty(), "faults: every verb of the parser has a case", "no case for: " + missing);
	cases.push_back({"version (open)", [] { return std::string(); }, version_run});
	if (fp) {
		touch_read(fp, kPage);
		cases.push_back({"walk of a file page (its path)", [&] { return at("walk", fp); }, ctl_run});
		cases.push_back({"tree of a file page", [&] { return at("tree", fp); }, ctl_run});
	} else {
		t.skip("faults: walk of a file page", "no ext4 scratch disk at /mnt/ext4");
	}
	// Tables kept between commands (module/kernel/scratch.c) would be handed out without an
	// allocation: keep none during the sweep, so each command reaches every allocation site.
	const std::string keep = "/sys/module/rmapscope/parameters/scratch_keep_ms";
	std::string kept_ms;
	{
		std::ifstream in(keep);
		std::getline(in, kept_ms);
	}
	bool off = !kept_ms.empty() && write_file(keep, "0");
	t.ok(off, "faults: " + keep + " set to 0 for the sweep (it was " + kept_ms + ")", std::strerror(errno));
	for (const Case &c : cases)
		sweep(t, fail, c);
	if (off && !write_file(keep, kept_ms))
		t.ok(false, "faults: " + keep + " set back to " + kept_ms, std::strerror(errno));
	// The data behind it all is intact: the pages read back what was written.
	bool intact = anon[0] == 0x61 && anon[7 * kPage] == 0x61 && shm[0] == 0x62;
	t.ok(intact, "faults: the pages read back what was written before the sweep");
	t.plan();
	return t.failed();
}

} // namespace rmapscope
