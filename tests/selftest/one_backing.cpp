// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest: the scenarios that belong to one backing by nature, checked with the same
// verdict as the crossed table (selftest.cpp): an anon_vma chain over three generations, a
// file's i_mmap, a memfd passed over a socket, a KSM page, and the pages rmap cannot walk.
#include "one_backing.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "ctl_client.hpp"
#include "ksm_page.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "verdict.hpp"

namespace rmapscope {
namespace {

void anon_vma_chain(Tap &t)
{
	char *p = static_cast<char *>(map_anon(2 * kPage));
	touch_write(p, 2 * kPage, 5);
	char *q = p + kPage; // the grandchild writes q: its COW copy hangs off its own anon_vma
	int up[2];
	if (pipe(up)) {
		t.ok(false, "anon_vma chain: pipe", std::strerror(errno));
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
	verdict(t, "anon_vma chain: the shared page is mapped by parent, child and grandchild", walk_cmd(getpid(), p),
		{.kind = "anon", .maps = 3, .listed = {getpid(), child.pid(), static_cast<pid_t>(grand)}});
	// The shared page's anon_vma is the root; all three VMAs hang off it.
	int err;
	auto root = tree_records(tree_cmd(getpid(), p), err);
	t.ok(err == 0 && count_kind(root, "anon_vma") == 1 && root[1].get("root") == "1" &&
		     count_kind(root, "avc") == 3 && lists_pid(root, "avc", getpid()) && lists_pid(root, "avc", child.pid()) &&
		     lists_pid(root, "avc", static_cast<pid_t>(grand)),
	     "anon_vma chain: the shared page's tree is one root anon_vma with the 3 generations' VMAs", dump(root));
	// The grandchild's COW copy: its anon_vma, the child's, then the root.
	auto chain = tree_records(tree_cmd(static_cast<pid_t>(grand), q), err);
	bool shape = err == 0 && count_kind(chain, "anon_vma") == 3 && chain.size() > 3 && chain[1].get("root") == "0" &&
		     chain[2].get("root") == "0" && chain[3].get("root") == "1" && chain[3].get("children") != "0";
	t.ok(shape && lists_pid(chain, "avc", static_cast<pid_t>(grand)) && !lists_pid(chain, "avc", getpid()),
	     "anon_vma chain: the grandchild's copy hangs off 3 levels of anon_vma up to the root", dump(chain));
	// format=json carries the same tree.
	CtlReply js = ctl_transact(tree_cmd(static_cast<pid_t>(grand), q) + " format=json");
	auto j = nlohmann::json::parse(js.text, nullptr, false);
	bool same = !j.is_discarded() && j["tree"]["kind"] == "anon" && j["tree"]["levels"].size() == 3 &&
		    j["tree"]["levels"][2]["root"] == true && j["tree"]["levels"][0]["root"] == false &&
		    j["tree"]["avcs"].size() == static_cast<size_t>(count_kind(chain, "avc")) &&
		    j["folio"]["pfn"] == parse_num(chain[0].get("pfn").value_or("0"));
	t.ok(js.err == 0 && same, "anon_vma chain: tree format=json has the same levels and AVCs as the text", js.text);
	munmap(p, 2 * kPage);
}

void file_i_mmap(Tap &t)
{
	std::string f = ext4_file("shared", 16);
	if (f.empty()) {
		t.skip("i_mmap of an ext4 file", "no ext4 scratch disk at /mnt/ext4");
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
	WalkReply w = verdict(t, "i_mmap: 3 processes map the file page, one of them twice", walk_cmd(getpid(), a1 + 5 * kPage),
			      {.kind = "file", .maps = 4, .listed = {getpid(), b.pid(), c.pid()}});
	// b maps file pages 4..11 from b.value(); the folio holds pages [index, index + nr_pages)
	// (more than the one asked for where the page cache has large folios, as ext4 does on 7.x).
	uint64_t first = std::max<uint64_t>(parse_num(w.folio.get("index").value_or("0")), 4);
	uint64_t last = std::min<uint64_t>(parse_num(w.folio.get("index").value_or("0")) + w.folio_pages(), 12);
	bool b_ok = false;
	for (const auto &m : w.maps)
		if (m.pids == std::vector<int>{b.pid()})
			b_ok = m.addr == b.value() + (first - 4) * kPage && m.pages == last - first && m.file == f;
	t.ok(b_ok, "i_mmap: a mapping at a file offset is found at the right address, with the file's path", w.raw);
	int err;
	auto tr = tree_records(tree_cmd(getpid(), a1 + 5 * kPage), err);
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
	     "i_mmap: the tree holds exactly the VMAs /proc/*/maps shows for the file", dump(tr));
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

void memfd_passed(Tap &t)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		t.skip("memfd passed over a socket", std::string("no AF_UNIX socketpair: ") + std::strerror(errno));
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
		t.ok(false, "memfd passed over a socket: memfd_create and ftruncate", std::strerror(errno));
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
	verdict(t, "memfd passed over a socket: shared by fork and by SCM_RIGHTS", walk_cmd(getpid(), p + 2 * kPage),
		{.kind = "shmem", .maps = 3, .listed = {getpid(), forked.pid(), passed.pid()}});
	close(sv[0]);
	close(sv[1]);
	munmap(p, 4 * kPage);
	close(fd);
}

void ksm(Tap &t)
{
	if (std::string why = ksm_unavailable(); !why.empty()) {
		t.skip("KSM", why);
		return;
	}
	KsmPage k;
	std::string why;
	if (!make_ksm_page(k, why)) {
		t.ok(false, "KSM: ksmd merged the five mappings within 30 s", why);
		return;
	}
	WalkReply w = verdict(t, "KSM: five mappings in three processes", walk_cmd(getpid(), k.p),
			      {.kind = "ksm", .maps = 5, .listed = {getpid(), k.b->pid(), k.c->pid()}});
	t.ok(std::to_string(w.maps.size()) == w.folio.get("mapcount").value_or(""),
	     "KSM: one map line per mapping (repeated visits merged), as many as mapcount", w.raw);
	int err;
	auto tr = tree_records(tree_cmd(getpid(), k.p), err);
	t.ok(err == 0 && count_kind(tr, "rmap_item") == 5 && tr.back().get("kind") == "ksm",
	     "KSM: the tree of the page has its 5 rmap items", dump(tr));
}

void refusals(Tap &t)
{
	char *z = static_cast<char *>(map_anon(kPage));
	touch_read(z, kPage); // a read fault maps the shared zero page
	WalkReply w = walk_command(walk_cmd(getpid(), z));
	t.ok(w.err == ENXIO && w.raw.rfind("error ENXIO ", 0) == 0, "refusal: the zero page gives ENXIO with a message", w.raw);
	// A read fault in an aligned THP region maps the huge zero page (use_zero_page=1).
	const size_t kHuge = thp_size();
	char *raw = static_cast<char *>(map_anon(2 * kHuge));
	char *h = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(raw) + kHuge - 1) & ~(kHuge - 1));
	madvise(h, kHuge, MADV_HUGEPAGE);
	touch_read(h, kPage);
	w = walk_command(walk_cmd(getpid(), h + 3 * kPage));
	if (!thp_configured())
		t.skip("refusal: the huge zero page", no_thp_reason());
	else if (!pm_present(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(h))))
		t.skip("refusal: the huge zero page", "the read fault mapped nothing here");
	else
		t.ok(w.err == ENXIO && w.raw.rfind("error ENXIO ", 0) == 0, "refusal: the huge zero page gives ENXIO too", w.raw);
	munmap(raw, 2 * kHuge);
	char *u = static_cast<char *>(map_anon(kPage));
	w = walk_command(walk_cmd(getpid(), u));
	t.ok(w.err == ENOENT && w.raw.rfind("error ENOENT no page mapped", 0) == 0,
	     "refusal: an unpopulated address gives ENOENT", w.raw);
	t.ok(!pm_present(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(u))),
	     "refusal: the unpopulated address is still absent in pagemap afterwards (nothing faulted in)");
	munmap(z, kPage);
	munmap(u, kPage);
}

} // namespace

void run_one_backing_scenarios(Tap &t)
{
	anon_vma_chain(t);
	file_i_mmap(t);
	memfd_passed(t);
	ksm(t);
	refusals(t);
}

} // namespace rmapscope
