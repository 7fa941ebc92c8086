// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest selftest: real mappings, checked against the pagemap oracle (the brute-force
// answer a user has without rmapscope). As in the kernel's selftests/mm/cow.c, a table of
// scenarios is crossed with the table of backings (backing.cpp), and one verdict function
// (verdict.cpp) judges every walk. Scenarios that belong to one backing are in one_backing.cpp,
// referenced and unmap in selftest_actions.cpp.
#include "selftest.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backing.hpp"
#include "ctl_client.hpp"
#include "one_backing.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "selftest_actions.hpp"
#include "share.hpp"
#include "tap.hpp"
#include "verdict.hpp"

namespace rmapscope {
namespace {

// One row of the table run on one backing.
struct Case {
	const Backing &b;
	Region &r;
	std::string what; // "scenario (backing)"
	int n;		  // the scenario's parameter (children to fork)
};

bool in_folio(const WalkReply &w, uint64_t pfn)
{
	return pfn >= w.folio_pfn() && pfn < w.folio_pfn() + w.folio_pages();
}

// A map line of pid in the VMA that starts at start, whose prot starts with prot.
bool has_vma(const WalkReply &w, pid_t pid, const void *start, const std::string &prot)
{
	for (const auto &m : w.maps)
		if (m.vma_start == reinterpret_cast<uint64_t>(start) && m.prot.rfind(prot, 0) == 0 &&
		    std::find(m.pids.begin(), m.pids.end(), pid) != m.pids.end())
			return true;
	return false;
}

// A process that maps the followed page. Shared file PTEs are not copied at fork (nor are a
// private file mapping's before it has an anon_vma), so each sharer faults its own in.
Helper sharer(const char *at)
{
	return Helper([at] {
		touch_read(at, kPage);
		return uint64_t{0};
	});
}

void one_mapping(Tap &t, const Case &c)
{
	verdict(t, c.what, walk_cmd(getpid(), c.r.at()),
		{.kind = c.b.kind, .level = c.b.level, .maps = 1, .listed = {getpid()}});
}

void fork_children(Tap &t, const Case &c)
{
	std::vector<Helper> kids;
	Expect e{.kind = c.b.kind, .level = c.b.level, .maps = c.n + 1, .listed = {getpid()}};
	for (int i = 0; i < c.n; ++i) {
		kids.push_back(sharer(c.r.at()));
		e.listed.push_back(kids.back().pid());
	}
	verdict(t, c.what, walk_cmd(getpid(), c.r.at()), e);
	settle_lru(); // a PFN names a page on the LRU
	verdict(t, c.what + ", the folio named by its PFN", "walk pfn=" + hex(pfn_of(getpid(), c.r.at())), e);
	if (c.n == 64) {
		// Past max= the walk keeps max records but still reports how many it found.
		WalkReply cut = walk_command(walk_cmd(getpid(), c.r.at()) + " max=8");
		t.ok(cut.err == 0 && cut.maps.size() == 8 && cut.walk.get("truncated") == "1" &&
			     cut.walk.get("maps") == "65",
		     c.what + ", max=8: 8 records kept, truncated=1, maps=65", cut.raw);
	}
}

void write_in_child(Tap &t, const Case &c)
{
	char *at = c.r.at();
	Helper reader = sharer(at);
	Helper writer([at] {
		touch_write(at, kPage, 0x44);
		return uint64_t{0};
	});
	Expect e{.kind = c.b.kind, .listed = {getpid(), reader.pid()}};
	if (!c.b.cow)
		e.listed.push_back(writer.pid());
	WalkReply w = verdict(t, c.what, walk_cmd(getpid(), at), e);
	// Where the backing copies, the writer's entry left the folio (pagemap). The tree still
	// names its VMA: on a map line if it maps other pages of a large folio, else on a skip line.
	bool left = !in_folio(w, pfn_of(writer.pid(), at));
	bool named = has_pid(w, writer.pid()) || skip_names(w, writer.pid());
	t.ok(w.err == 0 && left == c.b.cow && named,
	     c.what + (c.b.cow ? ": the writer's page was copied, the walk still names its VMA"
			       : ": the writer's page is still the shared one"),
	     w.raw);
}

void write_alone(Tap &t, const Case &c)
{
	uint64_t before = pfn_of(getpid(), c.r.at());
	touch_write(c.r.at(), kPage, 0x55);
	bool copied = pfn_of(getpid(), c.r.at()) != before;
	verdict(t, c.what, walk_cmd(getpid(), c.r.at()),
		{.kind = c.b.copy_on_first_write ? "anon" : c.b.kind, .maps = 1, .listed = {getpid()}});
	t.ok(copied == c.b.copy_on_first_write,
	     c.what + (c.b.copy_on_first_write ? ": the page was copied (pagemap)" : ": the page stayed (pagemap)"));
	if (copied) {
		settle_lru();
		verdict(t, c.what + ", the folio it left", "walk pfn=" + hex(before), {.kind = c.b.kind});
	}
}

void mremap_away(Tap &t, const Case &c)
{
	char *old = c.r.p();
	if (!c.r.move()) {
		t.ok(false, c.what + ": mremap", std::strerror(errno));
		return;
	}
	WalkReply w = verdict(t, c.what, walk_cmd(getpid(), c.r.at()),
			      {.kind = c.b.kind, .level = c.b.level, .maps = 1, .listed = {getpid()}});
	t.ok(c.r.p() != old && has_vma(w, getpid(), c.r.p(), "rw"), c.what + ": found in the VMA at the new address",
	     w.raw);
}

void mprotect_split(Tap &t, const Case &c)
{
	char *ro = c.r.p() + kPage;
	mprotect(ro, kPage, PROT_READ); // three VMAs; a PMD mapping is split into PTEs
	WalkReply w = verdict(t, c.what, walk_cmd(getpid(), c.r.at()), {.kind = c.b.kind, .level = "pte"});
	t.ok(has_vma(w, getpid(), c.r.at(), "rw"), c.what + ": the walk names the split-off VMA after the read-only one",
	     w.raw);
	WalkReply r = verdict(t, c.what + ", the read-only part", walk_cmd(getpid(), ro), {.kind = c.b.kind, .level = "pte"});
	t.ok(has_vma(r, getpid(), ro, "r--"), c.what + ": the walk names the read-only VMA", r.raw);
}

void sharer_exits(Tap &t, const Case &c)
{
	pid_t gone;
	{
		Helper h = sharer(c.r.at());
		gone = h.pid();
		verdict(t, c.what + ", before", walk_cmd(getpid(), c.r.at()),
			{.kind = c.b.kind, .maps = 2, .listed = {getpid(), gone}});
	} // the helper exits and is reaped
	verdict(t, c.what + ", after", walk_cmd(getpid(), c.r.at()),
		{.kind = c.b.kind, .maps = 1, .listed = {getpid()}, .absent = {gone}});
}

void threads(Tap &t, const Case &c)
{
	std::atomic<bool> stop{false};
	std::atomic<pid_t> tid{0};
	std::thread th([&] {
		tid = static_cast<pid_t>(syscall(SYS_gettid));
		while (!stop)
			usleep(1000);
	});
	while (!tid)
		usleep(1000);
	verdict(t, c.what + ": one mapping, listed once under the thread-group leader", walk_cmd(getpid(), c.r.at()),
		{.kind = c.b.kind, .level = c.b.level, .maps = 1, .listed = {getpid()}, .absent = {tid}});
	stop = true;
	th.join();
}

int clone_vm_child(void *arg)
{
	// Without CLONE_FILES the child has its own copy of the fd table: close the write end, or
	// it would never see EOF.
	int *fds = static_cast<int *>(arg);
	close(fds[1]);
	char ch;
	while (read(fds[0], &ch, 1) > 0) {
	}
	return 0;
}

void clone_vm(Tap &t, const Case &c)
{
	int go[2];
	if (pipe(go)) {
		t.ok(false, c.what + ": pipe", std::strerror(errno));
		return;
	}
	std::vector<char> stack(256 * 1024);
	pid_t child = clone(clone_vm_child, stack.data() + stack.size(), CLONE_VM | SIGCHLD, go);
	verdict(t, c.what + ": one mm, one mapping, owners=all lists both processes",
		walk_cmd(getpid(), c.r.at()) + " owners=all",
		{.kind = c.b.kind, .level = c.b.level, .maps = 1, .listed = {getpid(), child}});
	// By default only the mm's owner (this process, which created the mm) is named, and the walk
	// says that its mm is shared with another process.
	WalkReply w = walk_command(walk_cmd(getpid(), c.r.at()));
	bool only_owner = !w.err && w.maps.size() == 1 && w.maps[0].pids == std::vector<int>{getpid()};
	t.ok(only_owner && w.walk.get("owners") == "owner" && w.walk.get("shared_mms") == "1",
	     c.what + ": one mm, one mapping, by default its owner alone, shared_mms=1", w.raw);
	close(go[1]);
	waitpid(child, nullptr, 0);
	close(go[0]);
}

struct Scenario {
	const char *desc;
	void (*run)(Tap &, const Case &);
	int n = 0;
};

constexpr Scenario kScenarios[] = {
	{"one mapping", one_mapping},
	{"fork with 1 child", fork_children, 1},
	{"fork with 8 children", fork_children, 8},
	{"fork with 64 children", fork_children, 64},
	{"a write in one of two children", write_in_child},
	{"a write by the only mapper", write_alone},
	{"mremap to a new address", mremap_away},
	{"mprotect of the page before", mprotect_split},
	{"a sharer exits", sharer_exits},
	{"threads", threads},
	{"a CLONE_VM sharer", clone_vm},
};

} // namespace

int run_selftest()
{
	Tap t;
	// One CPU, so the per-CPU LRU batch settle_lru() pushes is the one our pages went to.
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	std::string probe = ctl_transact("walk pid=1 addr=0x0").text;
	if (probe.rfind("cannot open", 0) == 0) {
		t.ok(false, "ctl is available", probe);
		t.plan();
		return 1;
	}
	for (const Scenario &s : kScenarios)
		for (const Backing &b : kBackings) {
			std::string what = std::string(s.desc) + " (" + b.name + ")", why;
			std::optional<Region> r = b.make(why);
			if (!r)
				t.skip(what, why);
			else
				s.run(t, Case{b, *r, what, s.n});
		}
	run_one_backing_scenarios(t);
	run_action_scenarios(t);
	run_share_scenarios(t);
	t.plan();
	return t.failed();
}

} // namespace rmapscope
