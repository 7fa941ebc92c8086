// SPDX-License-Identifier: GPL-2.0
// The tour's steps, run on this kernel: each builds one more piece of a scenario with the
// actors, then takes the module's tree (family=1) and walk of the page it follows, and checks
// both against the pagemap oracle and against what the step is meant to show.
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>
#include <tuple>

#include "ctl_client.hpp"
#include "graph.hpp" // json_u64()
#include "oracle.hpp"
#include "procs.hpp"
#include "tour.hpp"
#include "tour_actors.hpp"

namespace rmapscope {

using nlohmann::json;

namespace {

// The actors' slots.
enum { A, B, C, D, E, F, G };

json ctl_json(const std::string &cmd)
{
	CtlReply r = ctl_transact(cmd + " format=json\n");
	json j = r.err ? json() : json::parse(r.text, nullptr, false);
	if (r.err || j.is_discarded())
		return json{{"error", r.text}};
	return j;
}

int first_pid(const json &m)
{
	return m.contains("pids") && !m["pids"].empty() && m["pids"][0].is_number() ? m["pids"][0].get<int>() : -1;
}

uint64_t u64(const json &j, const char *k)
{
	return json_u64(j, k);
}

class Step {
public:
	Step(json &steps, const std::string &title, const std::string &explain) : steps_(steps)
	{
		j_["n"] = steps.size() + 1;
		j_["title"] = title;
		j_["explain"] = explain;
		j_["did"] = json::array();
		j_["views"] = json::array();
		j_["checks"] = json::array();
	}
	~Step() { steps_.push_back(j_); }
	Step(const Step &) = delete;
	Step &operator=(const Step &) = delete;

	void did(const std::string &what) { j_["did"].push_back(what); }
	bool check(bool ok, const std::string &what, const std::string &detail = "")
	{
		json c{{"ok", ok}, {"what", what}};
		if (!ok && !detail.empty())
			c["detail"] = detail;
		j_["checks"].push_back(c);
		return ok;
	}
	void skip(const std::string &why) { j_["skipped"] = why; }
	void note(const std::string &k, const json &v) { j_[k] = v; }
	// What this kernel did differently, after the explanation.
	void explain_more(const std::string &text) { j_["explain"] = j_["explain"].get<std::string>() + " " + text; }

	// The tree (family=1) and walk of one page, each checked against the pagemap oracle.
	json view(const std::string &name, const std::string &target, const std::string &file = "")
	{
		json v{{"name", name}, {"target", target}};
		v["tree"] = ctl_json("tree " + target + " family=1");
		v["walk"] = ctl_json("walk " + target);
		const json &w = v["walk"], &t = v["tree"];
		if (!check(!w.contains("error") && !t.contains("error"), name + ": tree and walk answer",
			   w.value("error", std::string()) + t.value("error", std::string()))) {
			j_["views"].push_back(v);
			return v;
		}
		uint64_t pfn = u64(w["folio"], "pfn"), n = u64(w["folio"], "nr_pages");
		std::set<std::tuple<int, uint64_t, uint64_t, uint64_t>> walk_maps, oracle_maps;
		for (const auto &m : w["maps"])
			walk_maps.insert({first_pid(m), u64(m, "vma_start"), u64(m, "addr"), u64(m, "pages")});
		v["oracle"] = json::array();
		for (const auto &h : oracle_find(pfn, pfn + n)) {
			oracle_maps.insert({h.pid, h.vma_start, h.addr, h.pages});
			v["oracle"].push_back({{"pid", h.pid}, {"vma_start", h.vma_start}, {"addr", h.addr}, {"pages", h.pages}});
		}
		check(walk_maps == oracle_maps,
		      name + ": the walk's mappings (process, VMA, address, pages) are the ones /proc/*/pagemap shows",
		      w.dump() + "\noracle: " + v["oracle"].dump());
		// The tree marks as mapped exactly the VMAs the walk found.
		std::set<std::pair<int, uint64_t>> marked, walked;
		const json &t_t = t["tree"];
		const char *list = t_t.value("kind", "") == std::string("file") ? "mappings"
				   : t_t.value("kind", "") == std::string("ksm") ? "rmap_items"
										 : "avcs";
		for (const auto &m : t_t[list])
			if (m.value("mapped", false))
				marked.insert({first_pid(m), u64(m, "vma_start")});
		for (const auto &m : w["maps"])
			walked.insert({first_pid(m), u64(m, "vma_start")});
		check(t_t.value("marked", false) && marked == walked,
		      name + ": the tree marks as mapped exactly the VMAs the walk maps", t.dump());
		if (!file.empty()) {
			std::set<std::pair<int, uint64_t>> listed, in_maps;
			for (const auto &m : t_t["mappings"])
				listed.insert({first_pid(m), u64(m, "vma_start")});
			for (const auto &pv : maps_of_file(file))
				in_maps.insert(pv);
			check(listed == in_maps, name + ": i_mmap holds exactly the VMAs /proc/*/maps shows for the file",
			      t.dump());
		}
		j_["views"].push_back(v);
		return v;
	}

private:
	json &steps_;
	json j_;
};

// The anon_vma (index into anon_vmas) that a process's VMA at vma_start has as its own, or -1.
int own_av(const json &tree, int pid, uint64_t vma_start)
{
	for (const auto &m : tree["tree"]["avcs"])
		if (first_pid(m) == pid && u64(m, "vma_start") == vma_start && m.value("own", false) && m["anon_vma"].is_number())
			return m["anon_vma"].get<int>();
	return -1;
}

const json *av_of(const json &tree, int id)
{
	for (const auto &a : tree["tree"]["anon_vmas"])
		if (a.value("id", -1) == id)
			return &a;
	return nullptr;
}

size_t count_avcs(const json &tree, int pid)
{
	size_t n = 0;
	for (const auto &m : tree["tree"]["avcs"])
		n += first_pid(m) == pid;
	return n;
}

size_t nr_maps(const json &view)
{
	return view["walk"]["maps"].size();
}

bool maps_pid(const json &view, int pid)
{
	for (const auto &m : view["walk"]["maps"])
		if (first_pid(m) == pid)
			return true;
	return false;
}

std::string read_line(const char *path)
{
	std::ifstream f(path);
	std::string s;
	std::getline(f, s);
	return s;
}

// A regular file of 4 pages for the i_mmap step: on the VM's ext4 disk, else in /var/tmp.
std::string tour_file()
{
	std::string p = ext4_file("rmapscope-tour", 4);
	if (!p.empty())
		return p;
	char tmpl[] = "/var/tmp/rmapscope-tour-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return "";
	std::vector<char> page(kPage);
	for (int i = 0; i < 4; ++i) {
		std::memset(page.data(), 'a' + i, page.size());
		if (write(fd, page.data(), page.size()) != static_cast<ssize_t>(page.size())) {
			close(fd);
			return "";
		}
	}
	fsync(fd);
	close(fd);
	return tmpl;
}

std::string at(Actors &act, int slot, uint64_t addr)
{
	return "pid=" + std::to_string(act.pid(slot)) + " addr=" + hex(addr);
}

// 4 KiB, 2 MiB: how the steps' texts name a size.
std::string size_text(uint64_t bytes)
{
	if (bytes >= (1ULL << 20) && bytes % (1ULL << 20) == 0)
		return std::to_string(bytes >> 20) + " MiB";
	return std::to_string(bytes >> 10) + " KiB";
}

} // namespace

json tour_record()
{
	// Sizes from the kernel: a 4096-byte page and a 2 MiB THP of 512 pages on x86-64; with 16 KiB
	// pages, 16384 bytes and 32 MiB of 2048.
	const std::string pg = std::to_string(kPage), thp = size_text(thp_size());
	const uint64_t nr = thp_size() / kPage;
	const std::string n = std::to_string(nr);
	json bundle;
	utsname u{};
	uname(&u);
	bundle["kernel"] = u.release;
	bundle["arch"] = u.machine;
	char when[32];
	time_t now = time(nullptr);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	bundle["date"] = when;
	bundle["steps"] = json::array();
	json &steps = bundle["steps"];

	Actors act;
	act.spawn(A);
	const int pa = act.pid(A);
	uint64_t p = 0;
	{
		Step s(steps, "One process, one anonymous page",
		       "The first write faults in `do_anonymous_page()`. Before it maps a page, `__anon_vma_prepare()` gives "
		       "the VMA an anon_vma, the root of a new family (its parent and root are itself), and links the two "
		       "with one anon_vma_chain (AVC): the AVC sits in the anon_vma's interval tree and on the VMA's "
		       "anon_vma_chain list. `folio_add_new_anon_rmap()` then stores the anon_vma in `folio->mapping` "
		       "(its low bit set: FOLIO_MAPPING_ANON, PAGE_MAPPING_ANON before 6.17) and the page's offset in `folio->index`: all that `rmap_walk_anon()` "
		       "needs to find the VMA again. The root counts itself among its children.");
		p = static_cast<uint64_t>(act.call(A, ActorOp::MapAnon, kPage, kNoHuge));
		act.call(A, ActorOp::Write, p, kPage, 'A');
		s.did("A: p = mmap(NULL, " + pg + ", PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
		s.did("A: madvise(p, " + pg + ", MADV_NOHUGEPAGE); p[0.." + std::to_string(kPage - 1) + "] = 'A'");
		json v = s.view("the page", at(act, A, p));
		const json *root = av_of(v["tree"], 0);
		s.check(v["tree"]["tree"]["anon_vmas"].size() == 1 && root && root->value("root", false) &&
				u64(*root, "children") == 1 && u64(*root, "active_vmas") == 1,
			"one anon_vma, the root: children 1 (itself), active_vmas 1 (A's VMA)", v["tree"].dump());
		s.check(nr_maps(v) == 1 && maps_pid(v, pa), "A alone maps the page", v["walk"].dump());
	}
	uint64_t p_start = 0;
	{
		Step s(steps, "fork(): a child and its own anon_vma",
		       "`dup_mmap()` copies each VMA. `anon_vma_fork()` first clones the parent VMA's AVCs "
		       "(`anon_vma_clone()`: B's VMA is linked into every anon_vma A's VMA is linked to, here the root), then "
		       "gives B's VMA an anon_vma of its own whose parent is A's, linked by a second AVC. `copy_page_range()` "
		       "copies A's page-table entry, write-protected in both processes, and the rmap of the page gains a "
		       "mapping (`page_try_dup_anon_rmap()` in 6.1, `folio_try_dup_anon_rmap_pte()` in later kernels). The "
		       "page still belongs to the root: `rmap_walk_anon()` searches only the folio's own anon_vma, whose "
		       "interval tree now holds both VMAs.");
		act.call(A, ActorOp::Fork, B);
		s.did("A: fork() = B");
		json v = s.view("the page", at(act, A, p));
		for (const auto &m : v["walk"]["maps"])
			p_start = u64(m, "vma_start");
		int own_b = own_av(v["tree"], act.pid(B), p_start);
		const json *bav = own_b >= 0 ? av_of(v["tree"], own_b) : nullptr;
		s.check(v["tree"]["tree"]["anon_vmas"].size() == 2 && bav && !bav->value("root", false) &&
				bav->value("parent", -1) == 0,
			"two anon_vmas: B's own, whose parent is A's (the root)", v["tree"].dump());
		s.check(count_avcs(v["tree"], pa) == 1 && count_avcs(v["tree"], act.pid(B)) == 2,
			"AVCs: A's VMA 1 (the root), B's VMA 2 (the root and its own)", v["tree"].dump());
		s.check(nr_maps(v) == 2 && maps_pid(v, act.pid(B)), "A and B map the page", v["walk"].dump());
	}
	{
		Step s(steps, "A grandchild",
		       "C's VMA is cloned from B's: AVCs to every anon_vma B's VMA is linked to (the root and B's), plus "
		       "one to C's own anon_vma, whose parent is B's. Three anon_vmas and six AVCs now, and one interval "
		       "tree (the root's) still names all three VMAs, so one search finds every process that can map the "
		       "page without the page knowing who faulted it.");
		act.call(B, ActorOp::Fork, C);
		s.did("B: fork() = C");
		json v = s.view("the page", at(act, A, p));
		int own_b = own_av(v["tree"], act.pid(B), p_start), own_c = own_av(v["tree"], act.pid(C), p_start);
		const json *cav = own_c >= 0 ? av_of(v["tree"], own_c) : nullptr;
		s.check(v["tree"]["tree"]["anon_vmas"].size() == 3 && cav && cav->value("parent", -1) == own_b,
			"three anon_vmas: C's own has B's as parent", v["tree"].dump());
		s.check(count_avcs(v["tree"], act.pid(C)) == 3 && v["tree"]["tree"]["avcs"].size() == 6,
			"C's VMA has 3 AVCs, the family 6", v["tree"].dump());
		s.check(nr_maps(v) == 3, "A, B and C map the page", v["walk"].dump());
	}
	{
		Step s(steps, "Copy on write in the child",
		       "B's write faults on the write-protected entry: `do_wp_page()` → `wp_page_copy()` allocates a new "
		       "page, and `folio_add_new_anon_rmap()` files it under B's VMA's own anon_vma (`vma->anon_vma`), not "
		       "the root. The old page loses B's mapping. The new page's chain starts at B's anon_vma (level 0) and "
		       "climbs to the root; B's interval tree also holds C's VMA, so a walk of the new page visits C too, "
		       "where no entry maps it (not marked in the picture).");
		act.call(B, ActorOp::Write, p, 1, 'B');
		s.did("B: p[0] = 'B' (a write to a page shared copy-on-write)");
		json nv = s.view("B's new copy", at(act, B, p));
		json ov = s.view("the old page", at(act, A, p));
		s.check(nr_maps(nv) == 1 && maps_pid(nv, act.pid(B)), "the new page: B alone maps it", nv["walk"].dump());
		const json &lv = nv["tree"]["tree"]["levels"];
		s.check(lv.size() == 2 && own_av(nv["tree"], act.pid(B), p_start) == 0,
			"the new page's anon_vma is B's own (level 0), under the root (level 1)", nv["tree"].dump());
		s.check(nr_maps(ov) == 2 && !maps_pid(ov, act.pid(B)), "the old page: A and C, not B", ov["walk"].dump());
	}
	{
		Step s(steps, "The middle process exits",
		       "`exit_mmap()` zaps B's entries (B's copy, mapped by B alone, is freed) and `unlink_anon_vmas()` "
		       "removes B's AVCs. B's anon_vma loses its only active VMA (active_vmas 0) but stays: C's VMA is "
		       "still linked to it, so its interval tree is not empty, and C's anon_vma still names it as parent.");
		int pb = act.pid(B);
		act.exit(B);
		s.did("B: exit(0)  (B's child C is reparented)");
		json v = s.view("the page", at(act, A, p));
		int own_c = own_av(v["tree"], act.pid(C), p_start);
		const json *cav = own_c >= 0 ? av_of(v["tree"], own_c) : nullptr;
		const json *bav = cav ? av_of(v["tree"], cav->value("parent", -1)) : nullptr;
		s.check(v["tree"]["tree"]["anon_vmas"].size() == 3 && bav && u64(*bav, "active_vmas") == 0 &&
				u64(*bav, "children") == 1,
			"B's anon_vma remains: active_vmas 0, children 1 (C's)", v["tree"].dump());
		s.check(nr_maps(v) == 2 && !maps_pid(v, pb) && count_avcs(v["tree"], pb) == 0,
			"A and C map the page; no AVC names B any more", v["walk"].dump());
	}
	{
		Step s(steps, "fork() reuses an anon_vma",
		       "When C forks D, `anon_vma_clone()` looks along C's chain for an anon_vma that no VMA has as its own "
		       "and that has at most one child (`maybe_reuse_anon_vma()` in 7.x, a test inside `anon_vma_clone()` "
		       "before). B's orphaned anon_vma qualifies, so D's VMA takes it as its own and `anon_vma_fork()` "
		       "allocates nothing: the family stays at three anon_vmas. Before 6.0 the kernel made this choice with "
		       "one `degree` counter, which counted children and VMAs together and could let two VMAs reuse one "
		       "anon_vma (CVE-2022-42703); num_children and num_active_vmas replaced it in 6.0-rc4.");
		act.call(C, ActorOp::Fork, D);
		s.did("C: fork() = D");
		json v = s.view("the page", at(act, A, p));
		int own_c = own_av(v["tree"], act.pid(C), p_start), own_d = own_av(v["tree"], act.pid(D), p_start);
		const json *cav = own_c >= 0 ? av_of(v["tree"], own_c) : nullptr;
		s.check(v["tree"]["tree"]["anon_vmas"].size() == 3 && cav && own_d == cav->value("parent", -2),
			"D's own anon_vma is B's old one (C's parent): reused, no new anon_vma", v["tree"].dump());
		const json *dav = own_d >= 0 ? av_of(v["tree"], own_d) : nullptr;
		s.check(dav && u64(*dav, "active_vmas") == 1, "the reused anon_vma has an active VMA again (D's)",
			v["tree"].dump());
		s.check(nr_maps(v) == 3 && maps_pid(v, act.pid(D)), "A, C and D map the page", v["walk"].dump());
	}
	std::string file = tour_file();
	{
		Step s(steps, "A file page and its i_mmap",
		       "A file page's `folio->mapping` is the file's address_space, and `rmap_walk_file()` searches its "
		       "i_mmap interval tree, under i_mmap_rwsem, for the VMAs whose file range covers `folio->index`. Every "
		       "mmap() of the file puts its VMA in i_mmap (`vma_interval_tree_insert()`), touched or not: D mapped "
		       "the page but never read it, and E mapped another part of the file. Only the processes that read "
		       "have page-table entries, made by their read faults (`filemap_fault()`, `filemap_map_pages()`): A "
		       "and C for page 0, E for page 2, and D none.");
		if (file.empty()) {
			s.skip("no file could be written");
		} else {
			act.spawn(E);
			uint64_t fa = static_cast<uint64_t>(act.call(A, ActorOp::MapFile, 4, 0, 0, file));
			uint64_t fc = static_cast<uint64_t>(act.call(C, ActorOp::MapFile, 4, 0, 0, file));
			act.call(D, ActorOp::MapFile, 4, 0, 0, file);
			uint64_t fe = static_cast<uint64_t>(act.call(E, ActorOp::MapFile, 2, 2, 0, file));
			act.call(A, ActorOp::Read, fa);
			act.call(C, ActorOp::Read, fc);
			act.call(E, ActorOp::Read, fe);
			s.did("A, C, D: mmap(NULL, 4 pages, PROT_READ, MAP_SHARED, fd, 0) of " + file);
			s.did("E: mmap(NULL, 2 pages, PROT_READ, MAP_SHARED, fd, 2 pages)");
			s.did("A, C: read page 0; E: read page 2; D: reads nothing");
			json v = s.view("page 0 of the file", at(act, A, fa), file);
			// The page cache may hold the file in one large folio (ext4 in 7.x): then E, which
			// read page 2, maps the same folio.
			uint64_t idx = u64(v["walk"]["folio"], "index"), n = u64(v["walk"]["folio"], "nr_pages");
			bool e_in = idx <= 2 && 2 < idx + n;
			if (n > 1)
				s.explain_more("Here the page cache holds the file in one " + std::to_string(n) +
					       "-page folio (large folios for regular files), so E, which read page 2, maps "
					       "that same folio: a walk is of the folio, not of one page.");
			s.check(v["tree"]["tree"]["mappings"].size() == 4 && nr_maps(v) == (e_in ? 3u : 2u) &&
					maps_pid(v, act.pid(C)) && maps_pid(v, act.pid(E)) == e_in && !maps_pid(v, act.pid(D)),
				std::string("i_mmap holds 4 VMAs (A, C, D, E); A and C map the folio") +
					(e_in ? ", and E (the folio covers page 2)" : "") + ", D does not",
				v["tree"].dump());
		}
	}
	{
		Step s(steps, "A KSM page",
		       "ksmd found three identical pages in MADV_MERGEABLE areas and replaced them by one KSM page "
		       "(`try_to_merge_one_page()`, `replace_page()`). Its `folio->mapping` points to a stable node "
		       "(tagged FOLIO_MAPPING_KSM, PAGE_MAPPING_KSM before 6.17), which keeps one rmap_item per "
		       "mapping. `rmap_walk_ksm()` goes down that list and, for each rmap_item, searches its anon_vma's interval tree at `rmap_item->address`. The "
		       "stable node is private to mm/ksm.c: the picture shows what `rmap_walk_ksm()` visits, with each "
		       "VMA's own anon_vma.");
		if (read_line("/sys/kernel/mm/ksm/run") != "1") {
			s.skip("KSM is not running (echo 1 > /sys/kernel/mm/ksm/run)");
		} else {
			uint64_t k[3];
			const int who[3] = {A, C, D};
			for (int i = 0; i < 3; ++i) {
				k[i] = static_cast<uint64_t>(act.call(who[i], ActorOp::MapAnon, kPage, kNoHuge | kMergeable));
				act.call(who[i], ActorOp::Write, k[i], kPage, 0x6b);
			}
			s.did("A, C, D: k = mmap(" + pg + ", MAP_PRIVATE|MAP_ANONYMOUS); madvise(k, " + pg + ", MADV_MERGEABLE); "
			      "fill k with 0x6b");
			s.did("wait until ksmd merged them (pagemap shows one PFN)");
			bool merged = false;
			for (int t = 0; t < 3000 && !merged; ++t) { // two ksmd passes; up to 30 s under TCG
				uint64_t a = pm_pfn(pagemap_entry(act.pid(A), k[0]));
				merged = a && a == pm_pfn(pagemap_entry(act.pid(C), k[1])) &&
					 a == pm_pfn(pagemap_entry(act.pid(D), k[2]));
				if (!merged)
					usleep(10000);
			}
			if (s.check(merged, "ksmd merged the three pages within 30 s")) {
				json v = s.view("the KSM page", at(act, A, k[0]));
				s.check(v["walk"]["folio"].value("kind", "") == std::string("ksm") && nr_maps(v) == 3 &&
						v["tree"]["tree"]["rmap_items"].size() == 3,
					"one KSM page, three rmap items, three mappings", v["tree"].dump());
			}
		}
	}
	{
		Step s(steps, "unmap of a shmem page, and reading it back",
		       "A MAP_SHARED|MAP_ANONYMOUS page lives in shmem's page cache: its `folio->mapping` is a shmem inode's "
		       "address_space, and both processes' VMAs are in its i_mmap. rmapscope's unmap calls "
		       "`try_to_unmap()`, which walks i_mmap with `try_to_unmap_one()` and clears every entry. The page "
		       "stays in the page cache, so nothing is lost: the next read faults it back in (`shmem_fault()`) "
		       "with the same bytes.");
		uint64_t sa = static_cast<uint64_t>(act.call(A, ActorOp::MapAnon, kPage, kNoHuge | kShared));
		act.call(A, ActorOp::Write, sa, kPage, 0x53);
		act.call(A, ActorOp::Fork, F);
		act.call(F, ActorOp::Read, sa);
		s.did("A: s = mmap(" + pg + ", MAP_SHARED|MAP_ANONYMOUS); fill s with 'S'; fork() = F; F reads s[0]");
		json before = s.view("before unmap", at(act, A, sa));
		uint64_t pfn = u64(before["walk"]["folio"], "pfn");
		json un = ctl_json("unmap " + at(act, A, sa));
		s.did("rmapscope unmap --pid A --addr s   (try_to_unmap)");
		s.note("unmap", un);
		json after = s.view("after unmap", "pfn=" + hex(pfn));
		s.check(nr_maps(before) == 2 && nr_maps(after) == 0 && un.contains("unmap") &&
				un["unmap"].value("unmapped", false),
			"before: A and F map it; after: nobody (the oracle agrees)", un.dump());
		int64_t byte = act.call(A, ActorOp::Read, sa);
		s.did("A: reads s[0] again");
		s.check(byte == 0x53 && pm_pfn(pagemap_entry(act.pid(A), sa)) == pfn,
			"A reads 'S' back, from the same page (pagemap shows the same PFN)", std::to_string(byte));
	}
	{
		Step s(steps, "A THP: mapped by a PMD, then by PTEs after a PMD split",
		       "A's " + thp + " aligned MADV_HUGEPAGE area is faulted as one transparent huge page mapped by a "
		       "single PMD (`do_huge_pmd_anonymous_page()`), and fork gives G a copy of that PMD entry "
		       "(`copy_huge_pmd()`), which maps the same folio. An mprotect() of one " + size_text(kPage) +
		       " page inside it "
		       "splits A's PMD into " + n + " PTEs (`__split_huge_pmd()`) and A's VMA into three. The folio "
		       "stays one " + n + "-page folio: PTE-mapped in A's three VMAs, still PMD-mapped in G. "
		       "`page_vma_mapped_walk()` finds both kinds.");
		uint64_t ta = static_cast<uint64_t>(act.call(A, ActorOp::MapAnon, thp_size(), kHuge));
		act.call(A, ActorOp::Write, ta, thp_size(), 0x54);
		s.did("A: t = " + thp + " aligned mmap(MAP_PRIVATE|MAP_ANONYMOUS); madvise(t, " + thp +
		      ", MADV_HUGEPAGE); fill t");
		json probe = ctl_json("walk " + at(act, A, ta));
		if (u64(probe["folio"], "nr_pages") != nr) {
			s.skip("the kernel gave no PMD-sized THP here (nr_pages " +
			       std::to_string(u64(probe["folio"], "nr_pages")) + ")");
		} else {
			act.call(A, ActorOp::Fork, G);
			s.did("A: fork() = G");
			json pmd = s.view("PMD-mapped", at(act, A, ta));
			bool all_pmd = nr_maps(pmd) == 2;
			for (const auto &m : pmd["walk"]["maps"])
				all_pmd = all_pmd && m.value("level", "") == std::string("pmd") && u64(m, "pages") == nr;
			s.check(all_pmd, "A and G map all " + n + " pages with one PMD each", pmd["walk"].dump());
			act.call(A, ActorOp::Mprotect, ta + thp_size() / 2, kPage, PROT_READ);
			s.did("A: mprotect(t + " + size_text(thp_size() / 2) + ", " + std::to_string(kPage) + ", PROT_READ)");
			json pte = s.view("after the split", at(act, A, ta));
			uint64_t a_pages = 0, a_vmas = 0;
			bool g_pmd = false;
			for (const auto &m : pte["walk"]["maps"]) {
				if (first_pid(m) == pa) {
					a_pages += u64(m, "pages");
					a_vmas++;
					a_pages = m.value("level", "") == std::string("pte") ? a_pages : 0;
				} else if (first_pid(m) == act.pid(G)) {
					g_pmd = m.value("level", "") == std::string("pmd");
				}
			}
			s.check(u64(pte["walk"]["folio"], "nr_pages") == nr && a_vmas == 3 && a_pages == nr && g_pmd,
				"one " + n + "-page folio: A maps it by PTEs in 3 VMAs, G still by a PMD", pte["walk"].dump());
		}
	}
	if (!file.empty())
		unlink(file.c_str());
	size_t failed = 0, checks = 0;
	for (const auto &st : steps)
		for (const auto &c : st["checks"]) {
			checks++;
			failed += !c.value("ok", false);
		}
	bundle["checks"] = checks;
	bundle["failed"] = failed;
	return bundle;
}

} // namespace rmapscope
