// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest selftest: real mappings, checked against the pagemap oracle (the brute-force answer
// a user has without rmapscope). Scenario numbers follow the walk issue.
#include "selftest.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctl_client.hpp"
#include "procs.hpp"
#include "tap.hpp"
#include "oracle.hpp"
#include "record.hpp"
#include "selftest_actions.hpp"
#include "walk_reply.hpp"

namespace rmapscope {
namespace {

using Key = std::tuple<int, uint64_t, uint64_t, unsigned>; // pid, vma_start, addr, pages

std::string walk_cmd(pid_t pid, const void *addr)
{
	return "walk pid=" + std::to_string(pid) + " addr=" + hex(reinterpret_cast<uint64_t>(addr));
}

// Compares the module's mappings of the folio with what pagemap says; "" when identical.
std::string diff_oracle(const WalkReply &w)
{
	if (w.err)
		return "walk failed: " + w.raw;
	std::set<Key> mod, orc;
	for (const auto &m : w.maps)
		for (int pid : m.pids)
			mod.insert({pid, m.vma_start, m.addr, m.pages});
	for (const auto &h : oracle_find(w.folio_pfn(), w.folio_pfn() + w.folio_pages()))
		orc.insert({h.pid, h.vma_start, h.addr, h.pages});
	if (mod == orc)
		return "";
	std::ostringstream d;
	for (const auto &k : mod)
		if (!orc.count(k))
			d << "module only: pid " << std::get<0>(k) << " vma " << hex(std::get<1>(k)) << " addr "
			  << hex(std::get<2>(k)) << " pages " << std::get<3>(k) << "\n";
	for (const auto &k : orc)
		if (!mod.count(k))
			d << "pagemap only: pid " << std::get<0>(k) << " vma " << hex(std::get<1>(k)) << " addr "
			  << hex(std::get<2>(k)) << " pages " << std::get<3>(k) << "\n";
	d << "module said:\n" << w.raw;
	return d.str();
}

bool has_pid(const WalkReply &w, pid_t pid)
{
	for (const auto &m : w.maps)
		if (std::find(m.pids.begin(), m.pids.end(), pid) != m.pids.end())
			return true;
	return false;
}

bool skip_names(const WalkReply &w, pid_t pid)
{
	for (const auto &s : w.skips)
		for (int p : parse_pids(s.get("pid").value_or("")))
			if (p == pid)
				return true;
	return false;
}

// Walks (pid, addr) and checks it against the oracle; returns the reply for more checks.
WalkReply walk_and_check(Tap &t, const std::string &what, pid_t pid, const void *addr)
{
	WalkReply w = walk_command(walk_cmd(pid, addr));
	t.ok(w.err == 0 && diff_oracle(w).empty(), what + ": walk matches pagemap", diff_oracle(w));
	return w;
}

void s1_private_anon(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 1);
	WalkReply w = walk_and_check(t, "1 private anon page", getpid(), p);
	t.ok(w.maps.size() == 1 && w.kind() == "anon" && w.maps[0].addr == reinterpret_cast<uint64_t>(p),
	     "1 private anon page: exactly one anon mapping, at the address", w.raw);
	munmap(p, kPage);
}

void s2_fork(Tap &t, int children)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 2);
	std::vector<Helper> kids;
	for (int i = 0; i < children; ++i)
		kids.emplace_back([] { return uint64_t{0}; });
	std::string what = "2 fork with " + std::to_string(children) + " children";
	WalkReply w = walk_and_check(t, what, getpid(), p);
	bool all = has_pid(w, getpid());
	for (auto &k : kids)
		all = all && has_pid(w, k.pid());
	t.ok(all && w.maps.size() == static_cast<size_t>(children) + 1, what + ": parent and every child listed", w.raw);

	// The same folio named by its PFN gives the same answer.
	settle_lru();
	uint64_t pfn = pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p)));
	WalkReply byp = walk_command("walk pfn=" + hex(pfn));
	t.ok(byp.err == 0 && diff_oracle(byp).empty() && byp.maps.size() == w.maps.size(),
	     what + ": walk by pfn matches pagemap", byp.err ? byp.raw : diff_oracle(byp));
	if (children == 64) {
		// Past max= the walk keeps max records but still reports how many it found.
		WalkReply cut = walk_command(walk_cmd(getpid(), p) + " max=8");
		t.ok(cut.err == 0 && cut.maps.size() == 8 && cut.walk.get("truncated") == "1" &&
			     cut.walk.get("maps") == "65",
		     what + ": max=8 keeps 8 records, says truncated=1 and maps=65", cut.raw);
	}
	kids.clear();
	munmap(p, kPage);
}

void s3_cow(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 3);
	Helper reader([] { return uint64_t{0}; });
	Helper writer([p] {
		touch_write(p, kPage, 4); // breaks COW: the child gets its own page
		return uint64_t{0};
	});
	WalkReply w = walk_and_check(t, "3 COW broken by one child", getpid(), p);
	t.ok(has_pid(w, reader.pid()) && !has_pid(w, writer.pid()),
	     "3 COW: the writer is gone from the walk, the reader stays", w.raw);
	t.ok(skip_names(w, writer.pid()), "3 COW: the rmap tree still names the writer's VMA (skip line)", w.raw);
	munmap(p, kPage);
}

std::vector<Record> tree_records(const std::string &cmd, int &err)
{
	CtlReply r = ctl_transact(cmd);
	err = r.err;
	auto recs = parse_report(r.text);
	return recs ? *recs : std::vector<Record>{};
}

size_t count_kind(const std::vector<Record> &rs, const std::string &kind)
{
	return std::count_if(rs.begin(), rs.end(), [&](const Record &r) { return r.kind == kind; });
}

bool lists_pid(const std::vector<Record> &rs, const std::string &kind, int pid)
{
	for (const auto &r : rs)
		if (r.kind == kind)
			for (int p : parse_pids(r.get("pid").value_or("")))
				if (p == pid)
					return true;
	return false;
}

std::string dump(const std::vector<Record> &rs)
{
	std::string d;
	for (const auto &r : rs) {
		d += r.kind;
		for (const auto &[k, v] : r.fields)
			d += " " + k + "=" + v;
		d += "\n";
	}
	return d;
}

void s4_three_generations(Tap &t)
{
	char *p = static_cast<char *>(map_anon(2 * kPage));
	touch_write(p, 2 * kPage, 5);
	char *q = p + kPage; // the grandchild writes q: its COW copy hangs off its own anon_vma
	int up[2];
	if (pipe(up)) {
		t.ok(false, "4 three generations: pipe", std::strerror(errno));
		return;
	}
	Helper child([q, &up] {
		// The grandchild is forked by the child; it reports its pid up and waits for its parent.
		Helper *grand = new Helper([q] {
			touch_write(q, kPage, 6);
			return uint64_t{0};
		});
		uint64_t g = static_cast<uint64_t>(grand->pid());
		if (write(up[1], &g, sizeof(g)) != sizeof(g))
			_exit(3);
		return uint64_t{0};
	});
	uint64_t grand = 0;
	if (read(up[0], &grand, sizeof(grand)) != sizeof(grand))
		grand = 0;
	close(up[0]);
	close(up[1]);
	WalkReply w = walk_and_check(t, "4 three generations", getpid(), p);
	t.ok(has_pid(w, getpid()) && has_pid(w, child.pid()) && has_pid(w, static_cast<pid_t>(grand)),
	     "4 three generations: parent, child and grandchild all listed", w.raw);
	// The shared page's anon_vma is the root; all three VMAs hang off it.
	int err;
	auto root = tree_records(walk_cmd(getpid(), p).replace(0, 4, "tree"), err);
	t.ok(err == 0 && count_kind(root, "anon_vma") == 1 && root[1].get("root") == "1" &&
		     count_kind(root, "avc") == 3 && lists_pid(root, "avc", getpid()) && lists_pid(root, "avc", child.pid()) &&
		     lists_pid(root, "avc", static_cast<pid_t>(grand)),
	     "4 tree of the shared page: one root anon_vma with the 3 generations' VMAs", dump(root));
	// The grandchild's COW copy: its anon_vma, the child's, then the root.
	auto chain = tree_records(walk_cmd(static_cast<pid_t>(grand), q).replace(0, 4, "tree"), err);
	bool shape = err == 0 && count_kind(chain, "anon_vma") == 3 && chain.size() > 3 && chain[1].get("root") == "0" &&
		     chain[2].get("root") == "0" && chain[3].get("root") == "1" && chain[3].get("children") != "0";
	t.ok(shape && lists_pid(chain, "avc", static_cast<pid_t>(grand)) && !lists_pid(chain, "avc", getpid()),
	     "4 tree of the grandchild's copy: anon_vma chain of 3 levels up to the root", dump(chain));
	// format=json carries the same tree.
	CtlReply js = ctl_transact(walk_cmd(static_cast<pid_t>(grand), q).replace(0, 4, "tree") + " format=json");
	auto j = nlohmann::json::parse(js.text, nullptr, false);
	bool same = !j.is_discarded() && j["tree"]["kind"] == "anon" && j["tree"]["levels"].size() == 3 &&
		    j["tree"]["levels"][2]["root"] == true && j["tree"]["levels"][0]["root"] == false &&
		    j["tree"]["avcs"].size() == static_cast<size_t>(count_kind(chain, "avc")) &&
		    j["folio"]["pfn"] == parse_num(chain[0].get("pfn").value_or("0"));
	t.ok(js.err == 0 && same, "4 tree format=json: the same chain, levels and AVCs as the text", js.text);
	munmap(p, 2 * kPage);
}

void s5_mremap(Tap &t)
{
	char *p = static_cast<char *>(map_anon(2 * kPage));
	touch_write(p, 2 * kPage, 6);
	// Reserve a far-away hole and move the region there.
	char *hole = static_cast<char *>(mmap(nullptr, 64 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char *q = static_cast<char *>(mremap(p, 2 * kPage, 2 * kPage, MREMAP_MAYMOVE | MREMAP_FIXED, hole + 32 * kPage));
	WalkReply w = walk_and_check(t, "5 mremap", getpid(), q + kPage);
	t.ok(w.maps.size() == 1 && w.maps[0].addr == reinterpret_cast<uint64_t>(q + kPage) && q != p,
	     "5 mremap: found at the new address", w.raw);
	munmap(hole, 64 * kPage);
}

void s6_mprotect_split(Tap &t)
{
	char *p = static_cast<char *>(map_anon(4 * kPage));
	touch_write(p, 4 * kPage, 7);
	mprotect(p + kPage, kPage, PROT_READ);
	WalkReply w = walk_and_check(t, "6 VMA split by mprotect", getpid(), p + 2 * kPage);
	t.ok(w.maps.size() == 1 && w.maps[0].vma_start == reinterpret_cast<uint64_t>(p + 2 * kPage) &&
		     w.maps[0].vma_end == reinterpret_cast<uint64_t>(p + 4 * kPage) && w.maps[0].prot == "rw-p",
	     "6 mprotect: the walk names the split-off VMA", w.raw);
	WalkReply ro = walk_and_check(t, "6 VMA split (read-only part)", getpid(), p + kPage);
	t.ok(ro.maps.size() == 1 && ro.maps[0].prot == "r--p", "6 mprotect: read-only middle VMA", ro.raw);
	munmap(p, 4 * kPage);
}

void s7_shared_file(Tap &t)
{
	std::string f = ext4_file("shared", 16);
	if (f.empty()) {
		t.skip("7 MAP_SHARED ext4 file", "no ext4 scratch disk at /mnt/ext4");
		return;
	}
	char *a1 = static_cast<char *>(map_file(f, 16, 0, MAP_SHARED));
	char *a2 = static_cast<char *>(map_file(f, 16, 0, MAP_SHARED));
	touch_read(a1, 16 * kPage);
	touch_read(a2, 16 * kPage);
	Helper b([&f] { // offset 4 pages: file page 5 is at b + 1 page
		char *m = static_cast<char *>(map_file(f, 8, 4, MAP_SHARED));
		touch_read(m, 8 * kPage);
		return reinterpret_cast<uint64_t>(m);
	});
	Helper c([&f] {
		char *pad = static_cast<char *>(mmap(nullptr, 7 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		(void)pad; // shifts where the next mapping lands
		char *m = static_cast<char *>(map_file(f, 16, 0, MAP_SHARED));
		touch_read(m, 16 * kPage);
		return reinterpret_cast<uint64_t>(m);
	});
	WalkReply w = walk_and_check(t, "7 MAP_SHARED ext4 file", getpid(), a1 + 5 * kPage);
	int self = 0;
	for (const auto &m : w.maps)
		self += std::count(m.pids.begin(), m.pids.end(), getpid());
	t.ok(w.kind() == "file" && self == 2 && has_pid(w, b.pid()) && has_pid(w, c.pid()) && w.maps.size() == 4,
	     "7 MAP_SHARED file: 3 processes, twice in one, kind=file", w.raw);
	// b maps file pages 4..11 from b.value(); the folio holds pages [index, index + nr_pages)
	// (more than the one asked for where the page cache has large folios, as ext4 does on 7.x).
	uint64_t first = std::max<uint64_t>(parse_num(w.folio.get("index").value_or("0")), 4);
	uint64_t last = std::min<uint64_t>(parse_num(w.folio.get("index").value_or("0")) + w.folio_pages(), 12);
	bool b_ok = false;
	for (const auto &m : w.maps)
		if (m.pids == std::vector<int>{b.pid()})
			b_ok = m.addr == b.value() + (first - 4) * kPage && m.pages == last - first && m.file == f;
	t.ok(b_ok, "7 MAP_SHARED file: offset mapping at the right address, file path reported", w.raw);
	int err;
	auto tr = tree_records(walk_cmd(getpid(), a1 + 5 * kPage).replace(0, 4, "tree"), err);
	// i_mmap names every VMA of the file, touched or not: the helpers also inherited the
	// parent's two mappings without touching them (4 mappings in the walk, 8 VMAs here).
	std::set<std::pair<int, uint64_t>> tree_vmas, maps_vmas;
	for (const auto &r : tr)
		if (r.kind == "vma")
			for (int pid : parse_pids(r.get("pid").value_or("")))
				tree_vmas.insert({pid, parse_num(r.get("vma").value_or("0").substr(0, r.get("vma").value_or("").find('-')))});
	for (const auto &m : maps_of_file(f))
		maps_vmas.insert(m);
	t.ok(err == 0 && !tree_vmas.empty() && tree_vmas == maps_vmas && tr.back().get("vmas") == std::to_string(maps_vmas.size()),
	     "7 tree of the file page: i_mmap holds exactly the VMAs /proc/*/maps shows for the file", dump(tr));
	munmap(a1, 16 * kPage);
	munmap(a2, 16 * kPage);
}

// One message of one byte that can carry one fd (SCM_RIGHTS).
struct FdMessage {
	char byte = 'x';
	iovec iov{&byte, 1};
	alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
	msghdr msg{};
	FdMessage()
	{
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl;
		msg.msg_controllen = sizeof(ctl);
	}
};

bool send_fd(int sock, int fd)
{
	FdMessage m;
	cmsghdr *c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m.msg, 0) == 1;
}

int recv_fd(int sock)
{
	FdMessage m;
	if (recvmsg(sock, &m.msg, 0) != 1 || !CMSG_FIRSTHDR(&m.msg))
		return -1;
	int fd;
	std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m.msg)), sizeof(int));
	return fd;
}

void s8_memfd(Tap &t)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		t.skip("8 memfd shared by fd passing", std::string("no AF_UNIX socketpair: ") + std::strerror(errno));
		return;
	}
	Helper passed([&sv] { // gets the memfd over a socket and maps it itself
		int fd = recv_fd(sv[1]);
		char *m = static_cast<char *>(mmap(nullptr, 4 * kPage, PROT_READ, MAP_SHARED, fd, 0));
		touch_read(m, 4 * kPage);
		return reinterpret_cast<uint64_t>(m);
	}, false);
	int fd = memfd_create("rmapscope-selftest", 0);
	if (fd < 0 || ftruncate(fd, 4 * kPage)) {
		t.ok(false, "8 memfd: memfd_create and ftruncate", std::strerror(errno));
		return;
	}
	char *p = static_cast<char *>(mmap(nullptr, 4 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	touch_write(p, 4 * kPage, 8);
	Helper forked([p] { // inherits the mapping; shared file PTEs are not copied at fork, so touch
		touch_read(p, 4 * kPage);
		return uint64_t{0};
	});
	send_fd(sv[0], fd);
	passed.wait_ready(); // it has mapped and touched its view
	WalkReply w = walk_and_check(t, "8 memfd", getpid(), p + 2 * kPage);
	t.ok(w.kind() == "shmem" && has_pid(w, forked.pid()) && has_pid(w, passed.pid()) && w.maps.size() == 3,
	     "8 memfd: kind=shmem, shared by fork and by fd passing", w.raw);
	close(sv[0]);
	close(sv[1]);
	munmap(p, 4 * kPage);
	close(fd);
}

void s9_private_file_cow(Tap &t)
{
	std::string f = ext4_file("private", 4);
	if (f.empty()) {
		t.skip("9 MAP_PRIVATE file", "no ext4 scratch disk at /mnt/ext4");
		return;
	}
	char *p = static_cast<char *>(map_file(f, 4, 0, MAP_PRIVATE, PROT_READ | PROT_WRITE));
	touch_read(p, 4 * kPage);
	WalkReply before = walk_and_check(t, "9 MAP_PRIVATE file before COW", getpid(), p + kPage);
	t.ok(before.kind() == "file" && has_pid(before, getpid()), "9 before COW: a file folio", before.raw);
	uint64_t file_pfn = before.folio_pfn();
	touch_write(p + kPage, kPage, 9);
	settle_lru();
	WalkReply after = walk_and_check(t, "9 MAP_PRIVATE file after COW", getpid(), p + kPage);
	t.ok(after.kind() == "anon" && after.maps.size() == 1, "9 after COW: an anon folio with one mapping", after.raw);
	// The file folio no longer maps the written page here. Where it is large (ext4 on 7.x) it
	// still maps its other pages: the walk must say exactly which, as pagemap does.
	WalkReply old = walk_command("walk pfn=" + hex(file_pfn));
	uint64_t old_end = file_pfn + old.folio_pages();
	unsigned still = 0, mine = 0;
	for (int i = 0; i < 4; ++i) {
		uint64_t e = pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p + i * kPage));
		still += pm_present(e) && pm_pfn(e) >= file_pfn && pm_pfn(e) < old_end;
	}
	for (const auto &m : old.maps)
		if (std::count(m.pids.begin(), m.pids.end(), getpid()))
			mine += m.pages;
	uint64_t written = pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p + kPage));
	t.ok(old.err == 0 && diff_oracle(old).empty() && mine == still &&
		     !(pm_pfn(written) >= file_pfn && pm_pfn(written) < old_end),
	     "9 after COW: the file folio no longer maps the written page here", old.raw);
	munmap(p, 4 * kPage);
}

void s10_ksm(Tap &t)
{
	std::ifstream run("/sys/kernel/mm/ksm/run");
	int on = 0;
	if (!(run >> on) || on != 1) {
		t.skip("10 KSM", "KSM is not running on this kernel");
		return;
	}
	auto make = [] {
		char *m = static_cast<char *>(map_anon(kPage));
		std::memset(m, 0x5a, kPage);
		madvise(m, kPage, MADV_MERGEABLE);
		return m;
	};
	// The helpers fork after p exists, so each maps the merged page twice: its inherited copy
	// of p and its own page. Five mappings in all, and rmap_walk_ksm() reaches the inherited
	// ones twice (once more in its search_new_forks pass).
	char *p = make();
	Helper b([&make] { return reinterpret_cast<uint64_t>(make()); });
	Helper c([&make] { return reinterpret_cast<uint64_t>(make()); });
	// All five mappings must show the one KSM page before the walk: ksmd replaces each mm's
	// page as it scans that mm, so three of them can be merged while the helpers' inherited
	// copies are not yet.
	bool merged = false;
	const uint64_t at = reinterpret_cast<uint64_t>(p);
	for (int i = 0; i < 3000 && !merged; ++i) { // ksmd needs two passes; up to 30 s under TCG
		uint64_t a = pm_pfn(pagemap_entry(getpid(), at));
		merged = a == pm_pfn(pagemap_entry(b.pid(), b.value())) && a == pm_pfn(pagemap_entry(c.pid(), c.value())) &&
			 a == pm_pfn(pagemap_entry(b.pid(), at)) && a == pm_pfn(pagemap_entry(c.pid(), at));
		if (!merged)
			usleep(10000);
	}
	if (!merged) {
		t.ok(false, "10 KSM: ksmd merged the three pages within 30 s");
		return;
	}
	WalkReply w = walk_and_check(t, "10 KSM", getpid(), p);
	t.ok(w.kind() == "ksm" && w.maps.size() == 5 && has_pid(w, b.pid()) && has_pid(w, c.pid()),
	     "10 KSM: kind=ksm, five mappings in three processes", w.raw);
	t.ok(std::to_string(w.maps.size()) == w.folio.get("mapcount").value_or(""),
	     "10 KSM: one map line per mapping (repeated visits merged), as many as mapcount", w.raw);
	int err;
	auto tr = tree_records(walk_cmd(getpid(), p).replace(0, 4, "tree"), err);
	t.ok(err == 0 && count_kind(tr, "rmap_item") == 5 && tr.back().get("kind") == "ksm",
	     "10 tree of the KSM page: its 5 rmap items", dump(tr));
	munmap(p, kPage);
}

void s11_thp(Tap &t)
{
	constexpr size_t kHuge = 2 << 20;
	char *raw = static_cast<char *>(map_anon(2 * kHuge));
	char *p = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(raw) + kHuge - 1) & ~(kHuge - 1));
	madvise(p, kHuge, MADV_HUGEPAGE);
	touch_write(p, kHuge, 11);
	WalkReply w = walk_command(walk_cmd(getpid(), p + 5 * kPage));
	if (w.err || w.folio_pages() != 512) {
		t.skip("11 PMD-mapped THP", "no THP was allocated (nr_pages=" + std::to_string(w.folio_pages()) + ")");
		munmap(raw, 2 * kHuge);
		return;
	}
	t.ok(diff_oracle(w).empty(), "11 PMD-mapped THP: walk matches pagemap", diff_oracle(w));
	t.ok(w.maps.size() == 1 && w.maps[0].level == "pmd" && w.maps[0].pages == 512,
	     "11 PMD-mapped THP: level=pmd pages=512", w.raw);
	mprotect(p + kPage, kPage, PROT_READ); // splits the PMD mapping and the VMA
	WalkReply s = walk_and_check(t, "11 THP after partial mprotect", getpid(), p + 5 * kPage);
	unsigned total = 0;
	bool pte = !s.maps.empty();
	for (const auto &m : s.maps) {
		total += m.pages;
		pte = pte && m.level == "pte";
	}
	t.ok(s.folio_pages() == 512 && pte && total == 512 && s.maps.size() == 3,
	     "11 THP after mprotect: PTE-mapped, 512 pages across 3 VMAs", s.raw);
	munmap(raw, 2 * kHuge);
}

void s12_refusals(Tap &t)
{
	char *z = static_cast<char *>(map_anon(kPage));
	touch_read(z, kPage); // a read fault maps the shared zero page
	WalkReply w = walk_command(walk_cmd(getpid(), z));
	t.ok(w.err == ENXIO && w.raw.rfind("error ENXIO ", 0) == 0, "12 zero page: ENXIO with a message", w.raw);
	// A read fault in an aligned THP region maps the huge zero page (use_zero_page=1).
	constexpr size_t kHuge = 2 << 20;
	char *raw = static_cast<char *>(map_anon(2 * kHuge));
	char *h = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(raw) + kHuge - 1) & ~(kHuge - 1));
	madvise(h, kHuge, MADV_HUGEPAGE);
	touch_read(h, kPage);
	w = walk_command(walk_cmd(getpid(), h + 3 * kPage));
	if (!pm_present(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(h))))
		t.skip("12 huge zero page", "the read fault mapped nothing here");
	else
		t.ok(w.err == ENXIO && w.raw.rfind("error ENXIO ", 0) == 0, "12 huge zero page: ENXIO too", w.raw);
	munmap(raw, 2 * kHuge);
	char *u = static_cast<char *>(map_anon(kPage));
	w = walk_command(walk_cmd(getpid(), u));
	t.ok(w.err == ENOENT && w.raw.rfind("error ENOENT no page mapped", 0) == 0,
	     "12 unpopulated address: ENOENT", w.raw);
	t.ok(!pm_present(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(u))),
	     "12 unpopulated address: still absent in pagemap afterwards (nothing faulted in)");
	munmap(z, kPage);
	munmap(u, kPage);
}

int clone_vm_child(void *arg)
{
	// Without CLONE_FILES the child has its own copy of the fd table: close the write end, or
	// it would never see EOF.
	int *fds = static_cast<int *>(arg);
	close(fds[1]);
	char c;
	while (read(fds[0], &c, 1) > 0) {
	}
	return 0;
}

void s13_threads_and_clone_vm(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 13);
	std::atomic<bool> stop{false};
	std::thread th([&stop] {
		while (!stop)
			usleep(1000);
	});
	WalkReply w = walk_and_check(t, "13 threads", getpid(), p);
	t.ok(w.maps.size() == 1 && w.maps[0].pids == std::vector<int>{getpid()},
	     "13 threads: one mapping, listed once under the thread-group leader", w.raw);
	stop = true;
	th.join();

	int go[2];
	if (pipe(go)) {
		t.ok(false, "13 CLONE_VM: pipe", std::strerror(errno));
		return;
	}
	std::vector<char> stack(256 * 1024);
	pid_t child = clone(clone_vm_child, stack.data() + stack.size(), CLONE_VM | SIGCHLD, go);
	WalkReply s = walk_and_check(t, "13 CLONE_VM sharer", getpid(), p);
	bool both = s.maps.size() == 1 && s.maps[0].pids.size() == 2 && has_pid(s, getpid()) && has_pid(s, child);
	t.ok(both, "13 CLONE_VM: one mm, one mapping, both processes in pid=", s.raw);
	close(go[1]);
	waitpid(child, nullptr, 0);
	close(go[0]);
	munmap(p, kPage);
}

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
	s1_private_anon(t);
	for (int n : {1, 8, 64})
		s2_fork(t, n);
	s3_cow(t);
	s4_three_generations(t);
	s5_mremap(t);
	s6_mprotect_split(t);
	s7_shared_file(t);
	s8_memfd(t);
	s9_private_file_cow(t);
	s10_ksm(t);
	s11_thp(t);
	s12_refusals(t);
	s13_threads_and_clone_vm(t);
	run_action_scenarios(t);
	t.plan();
	return t.failed();
}

} // namespace rmapscope
