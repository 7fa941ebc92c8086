// SPDX-License-Identifier: GPL-2.0
// share pid= against two independent witnesses, on a fork tree that shares anon pages (COW, some
// broken by a write), a THP (one of its pages COW-broken in one child), a memfd and an ext4 file:
//  - the kernel's own /proc/<pid>/smaps_rollup (Rss, Pss, Shared_*, Private_*), less the [vdso]
//    VMA, whose pages have no rmap (share counts them as skips untracked=);
//  - a brute-force map PFN -> processes built from every /proc/<pid>/pagemap: the peers and
//    their page counts.
// Each witness is read before and after the command; a run where either changed in between
// (the selftest's own heap breaking COW with the tree) is retried.
#include "share.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "record.hpp"
#include "tap.hpp"

namespace rmapscope {
namespace {

struct Mem {
	long rss = 0, pss = 0, shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0; // kB
	bool operator==(const Mem &) const = default;
};

std::string mem_text(const Mem &m)
{
	std::ostringstream o;
	o << "Rss " << m.rss << " Pss " << m.pss << " Shared_Clean " << m.shared_clean << " Shared_Dirty "
	  << m.shared_dirty << " Private_Clean " << m.private_clean << " Private_Dirty " << m.private_dirty << " (kB)";
	return o.str();
}

void add_field(Mem &m, const std::string &line, int sign)
{
	static const std::pair<const char *, long Mem::*> keys[] = {
		{"Rss:", &Mem::rss}, {"Pss:", &Mem::pss}, {"Shared_Clean:", &Mem::shared_clean},
		{"Shared_Dirty:", &Mem::shared_dirty}, {"Private_Clean:", &Mem::private_clean},
		{"Private_Dirty:", &Mem::private_dirty},
	};
	for (const auto &[key, field] : keys)
		if (line.rfind(key, 0) == 0)
			m.*field += sign * std::atol(line.c_str() + std::strlen(key));
}

// smaps_rollup less the [vdso] VMA of /proc/<pid>/smaps. *vdso: whether it had resident pages.
Mem smaps_without_vdso(int pid, bool *vdso)
{
	Mem m;
	std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
	for (std::string line; std::getline(rollup, line);)
		add_field(m, line, 1);
	std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
	bool in_vdso = false;
	Mem v;
	for (std::string line; std::getline(smaps, line);) {
		unsigned long lo, hi;
		if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(':') > line.find(' '))
			in_vdso = line.size() >= 6 && line.compare(line.size() - 6, 6, "[vdso]") == 0;
		else if (in_vdso)
			add_field(v, line, 1);
	}
	*vdso = v.rss > 0;
	m.rss -= v.rss;
	m.pss -= v.pss;
	m.shared_clean -= v.shared_clean;
	m.shared_dirty -= v.shared_dirty;
	m.private_clean -= v.private_clean;
	m.private_dirty -= v.private_dirty;
	return m;
}

// /proc/kpageflags: KPF_ZERO_PAGE (bit 24), the shared zero page that rmap does not track.
bool zero_page(int kpf, uint64_t pfn)
{
	uint64_t flags = 0;
	return pread(kpf, &flags, 8, static_cast<off_t>(pfn * 8)) == 8 && (flags >> 24 & 1);
}

// Brute force: the target's present pages that rmap tracks (not the vdso, not the zero page),
// and for every other process how many of them it maps too.
struct Witness {
	unsigned long rss = 0;
	std::map<int, unsigned long> peers;
	bool operator==(const Witness &) const = default;
};

std::vector<uint64_t> present_pfns(int pid, bool skip_vdso)
{
	std::vector<uint64_t> out, buf;
	std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
	int fd = open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return out;
	for (std::string line; std::getline(maps, line);) {
		unsigned long lo, hi;
		if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) != 2 || hi <= lo || line.find("[vsyscall]") != std::string::npos)
			continue;
		if (skip_vdso && line.find("[vdso]") != std::string::npos)
			continue;
		buf.resize((hi - lo) / kPage);
		ssize_t got = pread(fd, buf.data(), buf.size() * 8, static_cast<off_t>(lo / kPage * 8));
		for (ssize_t i = 0; i < got / 8; ++i)
			if (pm_present(buf[i]) && pm_pfn(buf[i]))
				out.push_back(pm_pfn(buf[i]));
	}
	close(fd);
	return out;
}

Witness brute_force(int target)
{
	Witness w;
	int kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	std::vector<uint64_t> mine;
	for (uint64_t pfn : present_pfns(target, true))
		if (!zero_page(kpf, pfn))
			mine.push_back(pfn);
	close(kpf);
	w.rss = mine.size();
	std::vector<int> pids;
	if (auto *d = opendir("/proc")) {
		while (auto *de = readdir(d)) {
			int pid = std::atoi(de->d_name);
			if (pid > 0 && pid != target)
				pids.push_back(pid);
		}
		closedir(d);
	}
	for (int pid : pids) {
		std::vector<uint64_t> theirs = present_pfns(pid, false);
		if (theirs.empty())
			continue;
		std::set<uint64_t> set(theirs.begin(), theirs.end());
		unsigned long n = 0;
		for (uint64_t pfn : mine)
			n += set.count(pfn);
		if (n)
			w.peers[pid] = n;
	}
	return w;
}

struct ShareReply {
	bool ok = false;
	std::string raw;
	Record summary, skips;
	std::map<int, unsigned long> peers;
	long num(const char *key) const { return std::atol(summary.get(key).value_or("-1").c_str()); }
};

ShareReply share(int pid)
{
	ShareReply r;
	r.raw = ctl_transact("share pid=" + std::to_string(pid)).text;
	auto recs = parse_report(r.raw);
	if (!recs || recs->size() < 2 || (*recs)[0].kind != "share" || (*recs)[1].kind != "skips")
		return r;
	r.summary = (*recs)[0];
	r.skips = (*recs)[1];
	for (size_t i = 2; i < recs->size(); ++i)
		r.peers[std::atoi((*recs)[i].get("pid").value_or("0").c_str())] =
			std::strtoul((*recs)[i].get("pages").value_or("0").c_str(), nullptr, 10);
	r.ok = true;
	return r;
}

Mem share_mem(const ShareReply &r)
{
	return {r.num("rss") * 4, r.num("pss_bytes") >> 10, r.num("shared_clean") * 4, r.num("shared_dirty") * 4,
		r.num("private_clean") * 4, r.num("private_dirty") * 4};
}

std::string peers_text(const std::map<int, unsigned long> &p)
{
	std::string s;
	for (const auto &[pid, n] : p)
		s += std::to_string(pid) + ":" + std::to_string(n) + " ";
	return s;
}

// The fork tree, built inside a helper so that its root is quiescent: anon pages (64), a THP
// where the kernel gives one, a memfd (16 pages) and an ext4 file (16 pages, if the scratch disk
// is there); then three children: one writes to 8 anon pages and one page of the THP (COW
// broken), one unmaps the memfd, one does nothing. Returns when all three are ready.
uint64_t build_tree()
{
	constexpr size_t kAnon = 64, kShm = 16;
	touch_write(map_anon(kAnon * kPage), kAnon * kPage, 1);
	char *anon = static_cast<char *>(map_anon(kAnon * kPage));
	touch_write(anon, kAnon * kPage, 2);
	size_t huge = 2 << 20;
	char *raw = static_cast<char *>(map_anon(2 * huge));
	char *thp = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(raw) + huge - 1) & ~(huge - 1));
	madvise(thp, huge, MADV_HUGEPAGE);
	touch_write(thp, huge, 3);
	int mfd = memfd_create("rmapscope-share", 0);
	char *shm = nullptr;
	if (mfd >= 0 && ftruncate(mfd, kShm * kPage) == 0) {
		shm = static_cast<char *>(mmap(nullptr, kShm * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0));
		if (shm != MAP_FAILED)
			touch_write(shm, kShm * kPage, 4);
	}
	std::string path = ext4_file("share-file", 16);
	if (!path.empty())
		if (void *f = map_file(path, 16, 0, MAP_SHARED))
			touch_read(f, 16 * kPage);
	int ready[2];
	if (pipe(ready))
		return 1;
	for (int k = 0; k < 3; ++k) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (k == 0) {
				touch_write(anon, 8 * kPage, 9);
				thp[0] = 9; // COW on one page of the THP: the THP is then mapped unevenly
			}
			if (k == 1 && shm && shm != MAP_FAILED)
				munmap(shm, kShm * kPage);
			settle_lru();
			char c = 1;
			if (write(ready[1], &c, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	for (int k = 0; k < 3; ++k) {
		char c;
		if (read(ready[0], &c, 1) != 1)
			return 1;
	}
	settle_lru();
	return 0;
}

std::vector<int> children_of(int parent)
{
	std::vector<int> kids;
	if (auto *d = opendir("/proc")) {
		while (auto *de = readdir(d)) {
			int pid = std::atoi(de->d_name);
			if (pid <= 0)
				continue;
			std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
			std::string s((std::istreambuf_iterator<char>(st)), std::istreambuf_iterator<char>());
			size_t rp = s.rfind(')');
			int ppid = 0;
			if (rp != std::string::npos && std::sscanf(s.c_str() + rp + 2, "%*c %d", &ppid) == 1 && ppid == parent)
				kids.push_back(pid);
		}
		closedir(d);
	}
	return kids;
}

// "folio" when the kernel counts mappings per folio (CONFIG_NO_PAGE_MAPCOUNT): smaps then
// averages a large folio's mapcount over its pages (folio_average_page_mapcount()).
std::string mapcount_model()
{
	std::ifstream f(debugfs_path("version"));
	std::string v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	size_t p = v.find("mapcount=");
	return p == std::string::npos ? "" : v.substr(p + 9, v.find_first_of(" \n", p) - p - 9);
}

void check_target(Tap &t, const char *who, int pid)
{
	const bool per_folio = mapcount_model() == "folio";
	for (int attempt = 1;; ++attempt) {
		bool vdso = false;
		Mem before = smaps_without_vdso(pid, &vdso);
		Witness wb = brute_force(pid);
		ShareReply r = share(pid);
		Mem after = smaps_without_vdso(pid, &vdso);
		Witness wa = brute_force(pid);
		if (!(before == after && wb == wa) && attempt < 4)
			continue;	// something changed the sharing while we looked: look again
		std::string tag = std::string("share of ") + who + ": ";
		std::string diag = "attempt " + std::to_string(attempt) + (before == after && wb == wa ? "" : " (witnesses still moving)") +
				   "\nmodule said:\n" + r.raw;
		if (!r.ok) {
			t.ok(false, tag + "the command answers", diag);
			return;
		}
		t.ok(r.skips.get("raced") == "0" && r.skips.get("too_many_mappings") == "0" && r.skips.get("large") == "0",
		     tag + "every present page walked (no raced, too_many_mappings or large skips)", diag);
		Mem m = share_mem(r);
		t.ok(m.rss == before.rss && r.num("rss") == static_cast<long>(wb.rss),
		     tag + "rss equals smaps_rollup's Rss and the pagemap count",
		     "smaps: " + mem_text(before) + "\nshare: " + mem_text(m) + "\npagemap: " + std::to_string(wb.rss) + " pages\n" + diag);
		// Pss: smaps_rollup rounds the sum over every VMA once; less the vdso's own rounded Pss,
		// the remainder can be 1 kB off.
		long pss_slack = vdso ? 1 : 0;
		bool pss_ok = std::labs(m.pss - before.pss) <= pss_slack;
		bool split_ok = m.shared_clean == before.shared_clean && m.shared_dirty == before.shared_dirty &&
				m.private_clean == before.private_clean && m.private_dirty == before.private_dirty;
		std::string why = "smaps: " + mem_text(before) + "\nshare: " + mem_text(m) + "\n" + diag;
		if (per_folio && !(pss_ok && split_ok))
			t.skip(tag + "pss, shared and private equal smaps_rollup's",
			       "CONFIG_NO_PAGE_MAPCOUNT: smaps divides a large folio's pages by its average mapcount, share each "
			       "page by its own: smaps " + mem_text(before) + ", share " + mem_text(m));
		else
			t.ok(pss_ok && split_ok, tag + "pss, shared and private equal smaps_rollup's", why);
		t.ok(r.peers == wb.peers, tag + "its peers and their pages equal the brute-force pagemap map",
		     "share: " + peers_text(r.peers) + "\npagemap: " + peers_text(wb.peers) + "\n" + diag);
		return;
	}
}

// phys's witness: every process's distinct PFNs that are on an LRU list (a tail page counts with
// its head's flags; the zero page and hugetlb are not LRU folios), from pagemap and kpageflags.
struct PhysWitness {
	std::map<int, std::set<uint64_t>> pfns;
	std::set<uint64_t> all;
};

bool lru_page(int kpf, uint64_t pfn)
{
	constexpr int kLru = 5, kHead = 15, kTail = 16, kHuge = 17, kZero = 24;
	uint64_t f = 0;
	for (unsigned back = 0; back <= 512; ++back, --pfn) {
		if (pread(kpf, &f, 8, static_cast<off_t>(pfn * 8)) != 8)
			return false;
		if (!(f >> kTail & 1) || (f >> kHead & 1))
			break;
	}
	return (f >> kLru & 1) && !(f >> kHuge & 1) && !(f >> kZero & 1);
}

PhysWitness phys_witness()
{
	PhysWitness w;
	int kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	std::map<uint64_t, bool> lru; // each PFN's flags read once, however many map it
	if (auto *d = opendir("/proc")) {
		while (auto *de = readdir(d)) {
			int pid = std::atoi(de->d_name);
			if (pid <= 0)
				continue;
			for (uint64_t pfn : present_pfns(pid, false)) {
				auto it = lru.find(pfn);
				if (it == lru.end())
					it = lru.emplace(pfn, lru_page(kpf, pfn)).first;
				if (it->second) {
					w.pfns[pid].insert(pfn);
					w.all.insert(pfn);
				}
			}
		}
		closedir(d);
	}
	close(kpf);
	return w;
}

struct PhysOwner {
	unsigned long pages = 0, shared = 0;
	bool operator==(const PhysOwner &) const = default;
};

std::map<int, PhysOwner> expected_owners(const PhysWitness &w, const std::vector<int> &pids)
{
	std::map<uint64_t, unsigned> mappers;
	for (const auto &[pid, set] : w.pfns)
		for (uint64_t pfn : set)
			mappers[pfn]++;
	std::map<int, PhysOwner> out;
	for (int pid : pids) {
		auto it = w.pfns.find(pid);
		if (it == w.pfns.end())
			continue;
		for (uint64_t pfn : it->second) {
			out[pid].pages++;
			out[pid].shared += mappers[pfn] > 1;
		}
	}
	return out;
}

std::string owners_text(const std::map<int, PhysOwner> &m)
{
	std::string s;
	for (const auto &[pid, o] : m)
		s += std::to_string(pid) + ":" + std::to_string(o.pages) + "/" + std::to_string(o.shared) + " ";
	return s;
}

// phys over all RAM: the tree's processes' pages and shared pages, and the pages mapped by
// anyone, against the witness.
void check_phys(Tap &t, const std::vector<int> &tree)
{
	for (int attempt = 1;; ++attempt) {
		PhysWitness before = phys_witness();
		std::string raw = ctl_transact("phys").text;
		PhysWitness after = phys_witness();
		bool still = true;
		for (int pid : tree)
			still = still && before.pfns[pid] == after.pfns[pid];
		if (!still && attempt < 4)
			continue;
		std::string diag = "attempt " + std::to_string(attempt) + (still ? "" : " (witness still moving)") + "\n" +
				   raw.substr(0, 2000);
		auto recs = parse_report(raw);
		if (!recs || recs->size() < 2 || (*recs)[0].kind != "phys") {
			t.ok(false, "phys over all RAM answers", diag);
			return;
		}
		const Record &sum = (*recs)[0];
		std::map<int, PhysOwner> got;
		for (size_t i = 2; i < recs->size(); ++i) {
			const Record &r = (*recs)[i];
			int pid = std::atoi(r.get("pid").value_or("0").c_str());
			if (r.kind == "owner" && std::find(tree.begin(), tree.end(), pid) != tree.end())
				got[pid] = {std::strtoul(r.get("pages").value_or("0").c_str(), nullptr, 10),
					    std::strtoul(r.get("shared").value_or("0").c_str(), nullptr, 10)};
		}
		std::map<int, PhysOwner> want = expected_owners(before, tree);
		t.ok(got == want && got.size() == tree.size(),
		     "phys over all RAM: each fork-tree process's pages and shared pages equal its pagemap's LRU pages",
		     "phys: " + owners_text(got) + "\npagemap: " + owners_text(want) + "\n" + diag);
		// The union includes this process, whose heap moves while it reads /proc: the two must
		// agree up to how much the union itself moved between the witness before and after.
		unsigned long mapped = std::strtoul(sum.get("mapped").value_or("0").c_str(), nullptr, 10), moved = 0;
		for (uint64_t pfn : before.all)
			moved += !after.all.count(pfn);
		for (uint64_t pfn : after.all)
			moved += !before.all.count(pfn);
		long diff = static_cast<long>(mapped) - static_cast<long>(before.all.size());
		t.ok(static_cast<unsigned long>(std::labs(diff)) <= moved,
		     "phys over all RAM: pages mapped by anyone equal the union of every pagemap's LRU pages (" +
			     std::string(moved ? "up to what the union moved meanwhile" : "exactly") + ")",
		     "phys mapped=" + std::to_string(mapped) + ", pagemap " + std::to_string(before.all.size()) + " before, " +
			     std::to_string(after.all.size()) + " after, " + std::to_string(moved) + " pages moved\n" + diag);
		return;
	}
}

} // namespace

void run_share_scenarios(Tap &t)
{
	Helper root(build_tree);
	if (root.value()) {
		t.ok(false, "share: the fork tree is built");
		return;
	}
	std::vector<int> kids = children_of(root.pid());
	std::sort(kids.begin(), kids.end());	// fork order
	static const char *const kWho[] = {"a child that broke COW on 8 pages and a THP page", "a child that unmapped the memfd",
					   "a child that changed nothing"};
	check_target(t, "a fork tree's root", root.pid());
	for (size_t k = 0; k < kids.size() && k < 3; ++k)
		check_target(t, kWho[k], kids[k]);
	t.ok(kids.size() == 3, "share: the fork tree has its three children", std::to_string(kids.size()));
	std::vector<int> tree = kids;
	tree.push_back(root.pid());
	check_phys(t, tree);
}

namespace {

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

} // namespace

// make bench: share against its brute-force answer, phys against its brute-force answer, and
// share's cost per page against the number of sharers. Ratios from one boot.
int run_share_bench()
{
	std::vector<Helper> bystanders;
	for (int i = 0; i < 64; ++i)
		bystanders.emplace_back([] {
			constexpr size_t len = 16 << 20;
			touch_write(map_anon(len), len, 1);
			return uint64_t{0};
		});
	{
		Helper tree = fork_tree(16384, 256); // 64 MiB shared by 256 processes
		ShareReply r;
		Witness w;
		share(tree.pid()); // warm up (TCG translates new code once)
		double mod = seconds_of([&] { r = share(tree.pid()); });
		double brute = seconds_of([&] { w = brute_force(tree.pid()); });
		// Peers whose count differs: the selftest itself (its heap breaks COW with the tree's
		// pre-fork pages while the brute force allocates) is expected among them.
		std::string differ;
		for (const auto &[pid, n] : w.peers)
			if (r.peers.count(pid) ? r.peers.at(pid) != n : true)
				differ += std::to_string(pid) + (pid == getpid() ? "(self)" : "") + ":" +
					  std::to_string(r.peers.count(pid) ? r.peers.at(pid) : 0) + "/" + std::to_string(n) + ",";
		std::printf("bench kind=share_vs_bruteforce target=64MiB sharers=256 bystanders=64x16MiB share_s=%.3f "
			    "bruteforce_s=%.3f speedup=%.2f rss=%ld peers=%zu bruteforce_peers=%zu differ=%s\n",
			    mod, brute, brute / mod, r.num("rss"), r.peers.size(), w.peers.size(),
			    differ.empty() ? "none" : differ.c_str());
		std::fflush(stdout);

		// The common question on a busy machine: a small process (4 MiB, shared with 3 children)
		// among the 64 bystanders and the 256-process tree. Brute force still reads everyone.
		Helper small = fork_tree(1024, 4);
		ShareReply rs;
		Witness ws;
		share(small.pid());
		double smod = seconds_of([&] { rs = share(small.pid()); });
		double sbrute = seconds_of([&] { ws = brute_force(small.pid()); });
		std::printf("bench kind=share_small_vs_bruteforce target=4MiB sharers=4 others=64x16MiB+256x64MiB share_s=%.4f "
			    "bruteforce_s=%.3f speedup=%.1f rss=%ld peers=%zu bruteforce_peers=%zu\n",
			    smod, sbrute, sbrute / smod, rs.num("rss"), rs.peers.size(), ws.peers.size());
		std::fflush(stdout);

		std::string raw;
		PhysWitness pw;
		ctl_transact("phys");
		double phys = seconds_of([&] { raw = ctl_transact("phys").text; });
		double pbrute = seconds_of([&] {
			pw = phys_witness();
			std::vector<int> all;
			for (const auto &[pid, set] : pw.pfns)
				all.push_back(pid);
			expected_owners(pw, all);
		});
		std::printf("bench kind=phys_vs_bruteforce ram=all processes=%zu phys_s=%.3f bruteforce_s=%.3f speedup=%.1f\n",
			    pw.pfns.size(), phys, pbrute, pbrute / phys);
		std::fflush(stdout);
	}
	bystanders.clear();

	// share's cost per page as sharers grow: 4 MiB shared by 1 .. 256 processes.
	for (unsigned n = 1; n <= 256; n *= 4) {
		Helper tree = fork_tree(1024, n);
		share(tree.pid());
		ShareReply r;
		double t = seconds_of([&] { r = share(tree.pid()); });
		// Every page of the tree's root is shared by all n: its own 1024 and what it inherited.
		double rss = static_cast<double>(r.num("rss"));
		std::printf("bench kind=share_scaling sharers=%u rss=%.0f share_s=%.4f us_per_page=%.2f "
			    "us_per_page_per_sharer=%.3f\n",
			    n, rss, t, t * 1e6 / rss, t * 1e6 / rss / n);
		std::fflush(stdout);
	}
	return 0;
}

} // namespace rmapscope
