// SPDX-License-Identifier: GPL-2.0
// The referenced and unmap scenarios, checked against independent evidence: pagemap (present
// bits, PFNs), bytes read back after a refault, and bytes read back from disk after
// drop_caches. Numbering follows the referenced/unmap issue: R for referenced, U for unmap.
#include "selftest_actions.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <vector>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "walk_reply.hpp"

namespace rmapscope {
namespace {

std::string target(pid_t pid, const void *addr)
{
	return " pid=" + std::to_string(pid) + " addr=" + hex(reinterpret_cast<uint64_t>(addr));
}

long field(const Record &r, const char *key)
{
	return std::strtol(r.get(key).value_or("-999").c_str(), nullptr, 0);
}

bool present(pid_t pid, const void *addr)
{
	return pm_present(pagemap_entry(pid, reinterpret_cast<uint64_t>(addr)));
}

// A sharer that reads its mapping when told to, and sends back the first kEcho bytes it read:
// a forked Helper whose setup serves a pipe.
constexpr size_t kEcho = 16;
class Toucher {
public:
	explicit Toucher(const void *addr)
	{
		if (pipe(cmd_) || pipe(ack_))
			std::exit(2);
		int in = cmd_[0], out = ack_[1];
		helper_ = new Helper(
			[in, out, addr] {
				char c, echo[kEcho];
				while (read(in, &c, 1) == 1 && c == 't') {
					touch_read(addr, kPage);
					std::memcpy(echo, addr, kEcho);
					if (write(out, echo, kEcho) != ssize_t(kEcho))
						break;
				}
				return uint64_t{0};
			},
			false);
		close(cmd_[0]);
		close(ack_[1]);
	}
	Toucher(const Toucher &) = delete;
	Toucher &operator=(const Toucher &) = delete;
	// The child reads its page; returns the bytes it saw.
	std::string touch()
	{
		char c = 't', echo[kEcho];
		if (write(cmd_[1], &c, 1) != 1 || read(ack_[0], echo, kEcho) != ssize_t(kEcho))
			std::exit(2);
		return std::string(echo, kEcho);
	}
	pid_t pid() const { return helper_->pid(); }
	~Toucher()
	{
		char c = 'q';
		if (write(cmd_[1], &c, 1) != 1) {
		}
		helper_->wait_ready();
		delete helper_;
		close(cmd_[1]);
		close(ack_[0]);
	}

private:
	int cmd_[2], ack_[2];
	Helper *helper_ = nullptr;
};

void r1_touch_then_again(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 7);
	// Faulted a moment ago, so still in this CPU's LRU batch: the PFN path drains it first.
	WalkReply byp = walk_command("walk pfn=" + hex(pfn_of(getpid(), p)));
	t.ok(byp.err == 0 && byp.maps.size() == 1, "R0 walk by pfn of a page faulted a moment ago: found", byp.raw);
	WalkReply a = walk_command("referenced" + target(getpid(), p));
	bool young_before = a.maps.size() == 1 && a.maps[0].young;
	t.ok(a.err == 0 && field(a.action, "refs") > 0 && young_before,
	     "R1 touched anon page: referenced > 0 and the map line showed young=1 before the call", a.raw);
	t.ok(a.action.get("effects").value_or("").find("young_cleared") != std::string::npos,
	     "R1 the response states that the young bit was cleared", a.raw);
	WalkReply b = walk_command("referenced" + target(getpid(), p));
	t.ok(b.err == 0 && field(b.action, "refs") == 0 && b.maps.size() == 1 && !b.maps[0].young,
	     "R1 untouched since: referenced = 0 and young=0 before the call", b.raw);
	t.ok(present(getpid(), p) && p[0] == 7, "R1 the page stays mapped with its data", "");
	munmap(p, kPage);
}

void r2_two_of_three(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	touch_write(p, kPage, 9);
	Toucher a(p), b(p);
	std::string cmd = "referenced" + target(getpid(), p);
	WalkReply clear = walk_command(cmd);
	t.ok(clear.err == 0 && clear.maps.size() == 3, "R2 anon page shared by 3 processes: 3 mappings", clear.raw);
	touch_read(p, kPage);
	a.touch();
	WalkReply r = walk_command(cmd);
	int young = 0;
	for (const auto &m : r.maps)
		young += m.young;
	t.ok(r.err == 0 && field(r.action, "refs") == 2 && young == 2,
	     "R2 touched by 2 of 3 sharers: referenced = 2, two maps young before", r.raw);
	b.touch();
	WalkReply one = walk_command(cmd);
	t.ok(one.err == 0 && field(one.action, "refs") == 1, "R2 then by the third alone: referenced = 1", one.raw);
	munmap(p, kPage);
}

void r3_range(Tap &t)
{
	constexpr size_t kPages = 16384, kHole = 256; // 64 MiB populated, then 1 MiB never touched
	size_t len = (kPages + kHole) * kPage;
	char *p = static_cast<char *>(map_anon(len));
	madvise(p, len, MADV_NOHUGEPAGE); // one folio per page, so pages and folios count alike
	touch_write(p, kPages * kPage, 1);
	std::string cmd = "referenced pid=" + std::to_string(getpid()) + " start=" +
			  hex(reinterpret_cast<uint64_t>(p)) + " end=" + hex(reinterpret_cast<uint64_t>(p) + len);
	CtlReply first = ctl_transact(cmd);
	for (size_t i = 0; i < kPages; i += 2) // the known half: every even page
		touch_read(p + i * kPage, kPage);
	CtlReply r = ctl_transact(cmd);
	auto recs = parse_report(r.text);
	Record range = recs && !recs->empty() ? recs->front() : Record{};
	t.ok(first.err == 0 && r.err == 0 && field(range, "pages") == long(kPages) &&
		     field(range, "pages_referenced") == long(kPages / 2) && field(range, "skipped_folios") == 0,
	     "R3 range scan of 64 MiB with every even page touched: exact counts", r.text.substr(0, 600));
	bool hole_absent = true;
	for (size_t i = kPages; i < kPages + kHole; ++i)
		hole_absent = hole_absent && !present(getpid(), p + i * kPage);
	t.ok(hole_absent, "R3 the scan faulted nothing in: the untouched MiB is still absent in pagemap", "");
	CtlReply again = ctl_transact(cmd);
	auto recs2 = parse_report(again.text);
	Record range2 = recs2 && !recs2->empty() ? recs2->front() : Record{};
	t.ok(again.err == 0 && field(range2, "pages_referenced") == 0, "R3 scanned again at once: nothing referenced",
	     again.text.substr(0, 600));
	CtlReply det = ctl_transact("referenced pid=" + std::to_string(getpid()) + " start=" +
				    hex(reinterpret_cast<uint64_t>(p)) + " end=" +
				    hex(reinterpret_cast<uint64_t>(p) + 8 * kPage) + " detail=1");
	auto drecs = parse_report(det.text);
	int pages = 0;
	bool pfns_match = true;
	if (drecs)
		for (const auto &rec : *drecs)
			if (rec.kind == "page") {
				uint64_t addr = parse_num(rec.get("addr").value_or("0"));
				pfns_match = pfns_match && parse_num(rec.get("pfn").value_or("0")) ==
								   pfn_of(getpid(), reinterpret_cast<void *>(addr));
				++pages;
			}
	t.ok(det.err == 0 && pages == 8 && pfns_match, "R3 detail=1: one line per page, PFNs as pagemap has them",
	     det.text);
	munmap(p, len);
}

void u1_shared_file_three(Tap &t)
{
	std::string f = ext4_file("unmap3", 4);
	if (f.empty()) {
		t.skip("U1 MAP_SHARED ext4 page in 3 processes", "no ext4 scratch disk at /mnt/ext4");
		return;
	}
	char *p = static_cast<char *>(map_file(f, 4, 0, MAP_SHARED, PROT_READ | PROT_WRITE));
	char *page = p + 2 * kPage;
	std::memcpy(page, "rmapscope-U1-abc", kEcho);
	Toucher a(page), b(page);
	a.touch();
	b.touch();
	WalkReply u = walk_command("unmap" + target(getpid(), page));
	// The folio may be large (ext4 has large folios on 7.x): every present entry of every mapping
	// counts once in mapcount, so before = the pages the three mappings had (fault-around decides
	// how many each one has).
	long gone = 0, entries = 0;
	for (const auto &m : u.maps) {
		gone += m.gone;
		entries += m.pages;
	}
	t.ok(u.err == 0 && u.maps.size() == 3 && field(u.action, "mapcount_before") == entries &&
		     field(u.action, "mapcount_after") == 0 &&
		     u.action.get("unmapped") == "1" && gone == 3,
	     "U1 unmap of a file page mapped by 3 processes: mapcount = entries walked -> 0, all 3 gone", u.raw);
	t.ok(!present(getpid(), page) && !present(a.pid(), page) && !present(b.pid(), page),
	     "U1 pagemap: absent in all 3 processes", "");
	std::string want(page, kEcho); // refaults here
	std::string ra = a.touch(), rb = b.touch();
	t.ok(want == "rmapscope-U1-abc" && ra == want && rb == want && present(a.pid(), page) && present(b.pid(), page),
	     "U1 every process reads the same bytes back after refault", want + " | " + ra + " | " + rb);
	munmap(p, 4 * kPage);
	unlink(f.c_str());
}

void u2_thousand_dirty(Tap &t)
{
	constexpr size_t n = 1000;
	std::string f = ext4_file("unmap1000", n);
	if (f.empty()) {
		t.skip("U2 1000 dirty MAP_SHARED ext4 pages", "no ext4 scratch disk at /mnt/ext4");
		return;
	}
	char *p = static_cast<char *>(map_file(f, n, 0, MAP_SHARED, PROT_READ | PROT_WRITE));
	for (size_t i = 0; i < n; ++i)
		std::memset(p + i * kPage, static_cast<int>(0xA5 ^ (i & 0xff)), kPage);
	// One unmap per folio: a page already gone went with an earlier large folio.
	size_t folios = 0, ok = 0, pages = 0, dirty_before = 0;
	std::string first_err;
	for (size_t i = 0; i < n; ++i) {
		if (!present(getpid(), p + i * kPage))
			continue;
		WalkReply u = walk_command("unmap" + target(getpid(), p + i * kPage));
		bool good = u.err == 0 && u.action.get("unmapped") == "1" && u.maps.size() == 1 && u.maps[0].gone;
		folios++;
		ok += good;
		pages += good ? u.maps[0].pages : 0;
		dirty_before += good && u.maps[0].dirty;
		if (!good && first_err.empty())
			first_err = u.raw;
	}
	size_t absent = 0;
	for (size_t i = 0; i < n; ++i)
		absent += !present(getpid(), p + i * kPage);
	t.ok(ok == folios && pages == n && absent == n, "U2 1000 dirty file pages unmapped, all absent in pagemap",
	     std::to_string(ok) + "/" + std::to_string(folios) + " folios unmapped, " + std::to_string(pages) +
		     " pages, " + std::to_string(absent) + " absent; " + first_err);
	t.ok(dirty_before == folios, "U2 every folio's mapping was dirty before its unmap",
	     std::to_string(dirty_before) + "/" + std::to_string(folios));
	munmap(p, n * kPage);
	int fd = open(f.c_str(), O_RDWR);
	fsync(fd);
	drop_caches();
	std::vector<unsigned char> buf(n * kPage);
	bool read_all = pread(fd, buf.data(), buf.size(), 0) == ssize_t(buf.size());
	close(fd);
	size_t bad = 0;
	for (size_t i = 0; read_all && i < buf.size(); ++i)
		bad += buf[i] != static_cast<unsigned char>(0xA5 ^ ((i / kPage) & 0xff));
	t.ok(read_all && bad == 0, "U2 after fsync and drop_caches, read() returns the pattern in every byte",
	     std::to_string(bad) + " bad bytes");
	unlink(f.c_str());
}

void u3_swapcache_anon(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	std::memset(p, 0x3c, kPage);
	if (madvise(p, kPage, MADV_PAGEOUT) != 0 || present(getpid(), p)) {
		t.skip("U3 anon page in the swap cache", "MADV_PAGEOUT did not swap the page out (no swap?)");
		munmap(p, kPage);
		return;
	}
	// A child inherits the swap entry, so the swap slot has two users: the fault that brings the
	// page back here must keep it in the swap cache (no kernel frees a slot still in use, and
	// none bypasses the swap cache for a shared entry, zram or not).
	Helper holder([] { return uint64_t(0); });
	touch_read(p, kPage);
	WalkReply w = walk_command("walk" + target(getpid(), p));
	if (w.folio.get("flags").value_or("").find("swapcache") == std::string::npos) {
		t.skip("U3 anon page in the swap cache", "the page came back without the swap cache: " + w.raw);
		munmap(p, kPage);
		return;
	}
	WalkReply u = walk_command("unmap" + target(getpid(), p));
	t.ok(u.err == 0 && u.action.get("unmapped") == "1" && !present(getpid(), p),
	     "U3 anon page in the swap cache: unmap allowed, absent in pagemap", u.raw);
	bool intact = true;
	for (size_t i = 0; i < kPage; ++i)
		intact = intact && static_cast<unsigned char>(p[i]) == 0x3c;
	t.ok(intact, "U3 content intact after refault from swap", "");
	munmap(p, kPage);
}

void u4_shmem(Tap &t)
{
	char *p = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	std::memcpy(p, "shmem-U4", 8);
	WalkReply u = walk_command("unmap" + target(getpid(), p));
	t.ok(u.err == 0 && u.kind() == "shmem" && u.action.get("unmapped") == "1" && !present(getpid(), p),
	     "U4 shmem page: unmapped, absent in pagemap", u.raw);
	t.ok(std::memcmp(p, "shmem-U4", 8) == 0, "U4 content intact after refault", "");
	munmap(p, kPage);
}

void u5_anon_refused(Tap &t)
{
	char *p = static_cast<char *>(map_anon(kPage));
	std::memset(p, 0x5a, kPage);
	uint64_t pfn = pfn_of(getpid(), p);
	WalkReply u = walk_command("unmap" + target(getpid(), p));
	t.ok(u.err == EPERM && u.raw.rfind("error EPERM", 0) == 0, "U5 plain anon page: unmap refused with EPERM",
	     u.raw);
	t.ok(present(getpid(), p) && pfn_of(getpid(), p) == pfn && static_cast<unsigned char>(p[100]) == 0x5a,
	     "U5 still mapped, same PFN, same data", "");
	munmap(p, kPage);
}

void u6_shmem_thp(Tap &t)
{
	if (!thp_configured()) {
		t.skip("U6 PMD-mapped shmem THP", no_thp_reason());
		return;
	}
	const size_t huge = thp_size();
	char *raw = static_cast<char *>(
		mmap(nullptr, 2 * huge, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	char *p = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(raw) + huge - 1) & ~(huge - 1));
	madvise(p, huge, MADV_HUGEPAGE);
	std::memset(p, 0x6b, huge);
	WalkReply w = walk_command("walk" + target(getpid(), p));
	if (w.maps.size() != 1 || w.maps[0].level != "pmd") {
		t.skip("U6 PMD-mapped shmem THP", "no PMD-mapped shmem THP here (shmem_enabled?): " + w.raw.substr(0, 200));
		munmap(raw, 2 * huge);
		return;
	}
	WalkReply u = walk_command("unmap" + target(getpid(), p));
	t.ok(u.err == 0 && u.action.get("unmapped") == "1" &&
		     u.action.get("flags").value_or("").find("split_huge_pmd") != std::string::npos &&
		     !present(getpid(), p) && !present(getpid(), p + huge - kPage),
	     "U6 PMD-mapped shmem THP: split and unmapped, absent in pagemap", u.raw);
	bool intact = true;
	for (size_t i = 0; i < huge; i += kPage)
		intact = intact && static_cast<unsigned char>(p[i]) == 0x6b;
	t.ok(intact, "U6 content intact after refault", "");
	munmap(raw, 2 * huge);
}

void u7_mlocked_refused(Tap &t)
{
	char *p = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	std::memset(p, 0x77, kPage);
	if (mlock(p, kPage) != 0) {
		t.skip("U7 mlocked page", "mlock failed");
		munmap(p, kPage);
		return;
	}
	WalkReply u = walk_command("unmap" + target(getpid(), p));
	t.ok(u.err == EPERM && u.raw.find("mlock") != std::string::npos && present(getpid(), p),
	     "U7 mlocked shmem page: unmap refused with EPERM, still mapped", u.raw);
	WalkReply r = walk_command("referenced" + target(getpid(), p));
	t.ok(r.err == 0 && r.action.get("vm_flags").value_or("").find("locked") != std::string::npos &&
		     r.action.get("effects").value_or("").find("mlock_restored") != std::string::npos,
	     "U7 referenced on it reports vm_flags locked and the mlock restored", r.raw);
	munlock(p, kPage);
	munmap(p, kPage);
}

} // namespace

void run_action_scenarios(Tap &t)
{
	r1_touch_then_again(t);
	r2_two_of_three(t);
	r3_range(t);
	u1_shared_file_three(t);
	u2_thousand_dirty(t);
	u3_swapcache_anon(t);
	u4_shmem(t);
	u5_anon_refused(t);
	u6_shmem_thp(t);
	u7_mlocked_refused(t);
}

} // namespace rmapscope
