// SPDX-License-Identifier: GPL-2.0
// share and phys against witnesses built without rmapscope (share_oracle.hpp), by both methods:
// - a fork tree that shares anon pages (COW, some broken by a write), a THP (one of its pages
//   COW-broken in one child), a memfd and an ext4 file;
// - a process that maps a memfd twice, with children that inherited both mappings and one that
//   maps it a third time: every page of it once per peer;
// - the names phys gives memfd, SysV shm, shared anonymous memory and a deleted file, against
//   /proc/PID/maps;
// - a 1 TiB PROT_NONE reservation beside populated memory: it adds no time;
// - SIGKILL during the slowest command there is: the command ends at once;
// - a tmpfs unmounted while phys runs over its page: phys holds nothing of it;
// - hugetlb pages counted as such;
// - the census (phys sets=1) of both trees: every process and every pair against the same
//   witnesses.
// Each witness is read before and after the commands; a run where it changed in between (the
// selftest's own heap breaking COW with the tree) is retried.
#include "share.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctl_client.hpp"
#include "methods.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "record.hpp"
#include "share_oracle.hpp"
#include "tap.hpp"

namespace rmapscope {
namespace {

struct ShareReply {
	bool ok = false;
	std::string raw;
	Record summary, skips;
	std::map<int, unsigned long> peers;
	std::map<int, unsigned long> peer_pss;	// bytes
	long num(const char *key) const { return std::atol(summary.get(key).value_or("-1").c_str()); }
};

ShareReply share(int pid, const char *method)
{
	ShareReply r;
	r.raw = ctl_transact("share pid=" + std::to_string(pid) + " method=" + method).text;
	auto recs = parse_report(r.raw);
	if (!recs || recs->size() < 2 || (*recs)[0].kind != "share" || (*recs)[1].kind != "skips")
		return r;
	r.summary = (*recs)[0];
	r.skips = (*recs)[1];
	for (size_t i = 2; i < recs->size(); ++i) {
		int pid = std::atoi((*recs)[i].get("pid").value_or("0").c_str());
		r.peers[pid] = std::strtoul((*recs)[i].get("pages").value_or("0").c_str(), nullptr, 10);
		r.peer_pss[pid] = std::strtoul((*recs)[i].get("pss_bytes").value_or("0").c_str(), nullptr, 10);
	}
	r.ok = true;
	return r;
}

template <class V> std::string map_text(const std::map<int, V> &m)
{
	std::string s;
	for (const auto &[k, v] : m)
		s += std::to_string(k) + ":" + std::to_string(v) + " ";
	return s;
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

// share pid= by both methods against the oracle, and against smaps_rollup.
void check_target(Tap &t, const std::string &who, int pid)
{
	const bool per_folio = mapcount_model() == "folio";
	for (int attempt = 1;; ++attempt) {
		Smaps before = smaps_without_vdso(pid);
		Snapshot sb = snapshot();
		ShareReply walk = share(pid, "walk"), bulk = share(pid, "bulk");
		Smaps after = smaps_without_vdso(pid);
		Snapshot sa = snapshot();
		bool still = before == after && sb.entries.count(pid) && sa.pfns_by_pid() == sb.pfns_by_pid() && sa.count == sb.count;
		if (!still && attempt < 4)
			continue;	// something changed the sharing while we looked: look again
		const std::string tag = "share of " + who + ": ";
		const ShareOracle o = share_oracle(sb, pid);
		const std::string diag = "attempt " + std::to_string(attempt) + (still ? "" : " (witnesses still moving)") +
					 "\nmethod=walk said:\n" + walk.raw + "method=bulk said:\n" + bulk.raw;
		t.ok(walk.ok && bulk.ok, tag + "both methods answer", diag);
		if (!walk.ok || !bulk.ok)
			return;
		for (const ShareReply *r : {&walk, &bulk}) {
			const std::string m = std::string(" (method=") + (r == &walk ? "walk" : "bulk") + ")";
			t.ok(r->skips.get("raced") == "0" && r->skips.get("too_many_mappings") == "0" && r->skips.get("large") == "0",
			     tag + "every present page counted, no raced, too_many_mappings or large skips" + m, diag);
			long shared = r->num("shared_clean") + r->num("shared_dirty"), priv = r->num("private_clean") + r->num("private_dirty");
			t.ok(r->num("rss") == o.rss && r->num("uss") == o.uss && shared == o.shared && priv == o.uss &&
				     r->num("pss_bytes") == static_cast<long>(o.pss >> 12),
			     tag + "rss, pss, uss, shared and private equal the per-page entry counts of every pagemap" + m,
			     "pagemap: rss " + std::to_string(o.rss) + " uss " + std::to_string(o.uss) + " shared " +
				     std::to_string(o.shared) + " pss_bytes " + std::to_string(o.pss >> 12) + "\n" + diag);
			std::map<int, unsigned long> opss;
			for (const auto &[p, v] : o.peer_pss)
				opss[p] = static_cast<unsigned long>(v >> 12);
			t.ok(r->peers == o.peers && r->peer_pss == opss,
			     tag + "its peers, each page once, and their pss equal the pagemap intersection" + m,
			     "share: " + map_text(r->peers) + "\npagemap: " + map_text(o.peers) + "\nshare pss: " +
				     map_text(r->peer_pss) + "\npagemap pss: " + map_text(opss) + "\n" + diag);
		}
		// smaps_rollup: exact where the kernel keeps per-page mapcounts; with
		// CONFIG_NO_PAGE_MAPCOUNT it averages over each large folio, so it may differ by the
		// pages of unevenly mapped large folios (and rounds the vdso's Pss apart: 1 kB).
		const long kb = static_cast<long>(kPage >> 10); // smaps counts kB
		Smaps m = {bulk.num("rss") * kb,	 bulk.num("pss_bytes") >> 10, bulk.num("shared_clean") * kb,
			   bulk.num("shared_dirty") * kb, bulk.num("private_clean") * kb, bulk.num("private_dirty") * kb};
		long slack = per_folio ? o.uneven_large * kb : 0, vdso = before.vdso ? 1 : 0;
		bool exact = m.rss == before.rss && std::labs(m.pss - before.pss) <= vdso && m.shared_clean == before.shared_clean &&
			     m.shared_dirty == before.shared_dirty && m.private_clean == before.private_clean &&
			     m.private_dirty == before.private_dirty;
		bool bounded = m.rss == before.rss && std::labs(m.pss - before.pss) <= slack + vdso &&
			       std::labs(m.shared_clean + m.shared_dirty - before.shared_clean - before.shared_dirty) <= slack &&
			       std::labs(m.private_clean + m.private_dirty - before.private_clean - before.private_dirty) <= slack;
		t.ok(exact || (per_folio && bounded),
		     tag + (per_folio ? "rss equals smaps_rollup's, pss and shared/private within its averaging over " +
						std::to_string(o.uneven_large) + " pages of unevenly mapped large folios"
				      : std::string("rss, pss, shared and private equal smaps_rollup's")),
		     "smaps: " + before.text() + "\nshare: " + m.text() + "\n" + diag);
		std::string differ = methods_differ("share pid=" + std::to_string(pid));
		t.ok(differ.empty(), tag + "method=walk and method=bulk agree field for field", differ);
		return;
	}
}

struct PhysOwner {
	unsigned long pages = 0, shared = 0;
	bool operator==(const PhysOwner &) const = default;
};

std::string owners_text(const std::map<int, PhysOwner> &m)
{
	std::string s;
	for (const auto &[pid, o] : m)
		s += std::to_string(pid) + ":" + std::to_string(o.pages) + "/" + std::to_string(o.shared) + " ";
	return s;
}

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

// phys over all RAM, by each method (and by the bulk one's mapcount shortcut, young=0): the
// tree's processes' pages and shared pages, and the pages mapped by anyone, against the witness;
// its buckets add up.
void check_phys(Tap &t, const std::vector<int> &tree)
{
	for (const char *method : {"bulk", "walk", "bulk young=0"}) {
		const std::string m = std::string(" (method=") + method + ")";
		for (int attempt = 1;; ++attempt) {
			PhysWitness before = phys_witness(snapshot());
			std::string raw = ctl_transact(std::string("phys method=") + method).text;
			PhysWitness after = phys_witness(snapshot());
			bool still = true;
			for (int pid : tree)
				still = still && before.pfns[pid] == after.pfns[pid];
			if (!still && attempt < 4)
				continue;
			std::string diag = "attempt " + std::to_string(attempt) + (still ? "" : " (witness still moving)") + "\n" +
					   raw.substr(0, 2000);
			auto recs = parse_report(raw);
			if (!recs || recs->size() < 2 || (*recs)[0].kind != "phys") {
				t.ok(false, "phys over all RAM answers" + m, diag);
				break;
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
			     "phys over all RAM: each fork-tree process's pages and shared pages equal its pagemap's LRU pages" + m,
			     "phys: " + owners_text(got) + "\npagemap: " + owners_text(want) + "\n" + diag);
			// The union includes this process, whose heap moves while it reads /proc: the two
			// must agree up to how much the union itself moved between the witness before and after.
			unsigned long mapped = std::strtoul(sum.get("mapped").value_or("0").c_str(), nullptr, 10), moved = 0;
			for (uint64_t pfn : before.all)
				moved += !after.all.count(pfn);
			for (uint64_t pfn : after.all)
				moved += !before.all.count(pfn);
			long diff = static_cast<long>(mapped) - static_cast<long>(before.all.size());
			t.ok(static_cast<unsigned long>(std::labs(diff)) <= moved,
			     "phys over all RAM: pages mapped by anyone equal the union of every pagemap's LRU pages (" +
				     std::string(moved ? "up to what the union moved meanwhile" : "exactly") + ")" + m,
			     "phys mapped=" + std::to_string(mapped) + ", pagemap " + std::to_string(before.all.size()) + " before, " +
				     std::to_string(after.all.size()) + " after, " + std::to_string(moved) + " pages moved\n" + diag);
			std::string unbalanced = phys_buckets_unbalanced(raw);
			t.ok(unbalanced.empty(), "phys over all RAM: every PFN in one bucket, every LRU page in one of lru's" + m,
			     unbalanced);
			break;
		}
	}
}

// `rmapscope export --json -` with every process and pair given its own entry: its output, or ""
// when it failed.
std::string run_export_json()
{
	std::string out;
	if (FILE *f = popen("rmapscope export --json - --top 100000 --pairs 100000 2>/dev/null", "r")) {
		char buf[4096];
		for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;)
			out.append(buf, n);
		if (pclose(f) != 0)
			out.clear();
	}
	return out;
}

// The exported bytes of the tree's processes against smaps_rollup, and its pairs against the
// pagemap intersection: the same witnesses as the census's, for what the user's command writes.
void check_export(Tap &t, const std::string &exported, const std::vector<int> &procs, std::map<int, Smaps> &smaps,
		  const Snapshot &sb, PhysWitness &w, bool per_folio, const std::string &diag)
{
	nlohmann::json j = nlohmann::json::parse(exported, nullptr, false);
	if (j.is_discarded() || !j.contains("processes") || !j.contains("pairs")) {
		t.ok(false, "export --json: one JSON text with processes and pairs", exported.substr(0, 2000));
		return;
	}
	std::map<int, nlohmann::json> proc;
	for (const auto &p : j["processes"])
		if (p["pid"].is_string() && p["pid"] != "other")
			proc[std::atoi(p["pid"].get<std::string>().c_str())] = p;
	std::string bad;
	for (int pid : procs) {
		if (!proc.count(pid)) {
			bad += std::to_string(pid) + ": not exported\n";
			continue;
		}
		const nlohmann::json &p = proc[pid];
		const Smaps &sm = smaps[pid];
		const long slack = per_folio ? share_oracle(sb, pid).uneven_large * static_cast<long>(kPage >> 10) : 0;
		const long rss = p.value("rss_bytes", 0L) >> 10, pss = p.value("pss_bytes", 0L) >> 10,
			   uss = p.value("uss_bytes", 0L) >> 10, shared = p.value("shared_bytes", 0L) >> 10;
		if (rss != sm.rss || std::labs(pss - sm.pss) > slack + (sm.vdso ? 1 : 0) ||
		    std::labs(uss - sm.private_clean - sm.private_dirty) > slack ||
		    std::labs(shared - sm.shared_clean - sm.shared_dirty) > slack)
			bad += std::to_string(pid) + ": smaps_rollup " + sm.text() + "; exported rss " + std::to_string(rss) +
			       " kB pss " + std::to_string(pss) + " kB uss " + std::to_string(uss) + " kB shared " +
			       std::to_string(shared) + " kB\n";
	}
	t.ok(bad.empty(), "export: each fork-tree process's rss, pss, uss and shared bytes equal its smaps_rollup's", bad + diag);
	std::map<std::pair<int, int>, long> exported_pairs;
	for (const auto &p : j["pairs"]) {
		long bytes = 0;
		for (const auto &[kind, v] : p["shared_bytes"].items())
			bytes += v.get<long>();
		int a = p.value("pid_a", 0), b = p.value("pid_b", 0);
		exported_pairs[{std::min(a, b), std::max(a, b)}] = bytes;
	}
	std::string pairs;
	for (size_t a = 0; a < procs.size(); ++a)
		for (size_t b = a + 1; b < procs.size(); ++b) {
			long want = 0;
			for (uint64_t pfn : w.pfns[procs[a]])
				want += w.pfns[procs[b]].count(pfn);
			want *= static_cast<long>(kPage);
			auto key = std::make_pair(std::min(procs[a], procs[b]), std::max(procs[a], procs[b]));
			long got = exported_pairs.count(key) ? exported_pairs[key] : 0;
			if (got != want)
				pairs += std::to_string(key.first) + "-" + std::to_string(key.second) + ": exported " +
					 std::to_string(got) + " bytes, pagemap " + std::to_string(want) + "\n";
		}
	t.ok(pairs.empty(), "export: each pair of fork-tree processes' shared bytes equal the intersection of their pagemaps",
	     pairs + diag);
}

// The census (phys sets=1, what share --all and export read), by each method, for the fork
// tree's quiescent processes: each one's rss, pss, uss and shared against the per-page entry
// counts of every pagemap and against smaps_rollup (as share pid= is checked), and every pair's
// pages both map against the intersection of their pagemaps' LRU pages; the sets split the
// mapped pages exactly once.
void check_census(Tap &t, const std::vector<int> &procs)
{
	const bool per_folio = mapcount_model() == "folio";
	for (const char *method : {"bulk", "walk"}) {
		const std::string m = std::string(" (method=") + method + ")";
		for (int attempt = 1;; ++attempt) {
			std::map<int, Smaps> smaps;
			for (int pid : procs)
				smaps[pid] = smaps_without_vdso(pid);
			Snapshot sb = snapshot();
			std::string raw = ctl_transact(std::string("phys sets=1 young=0 method=") + method).text;
			// What the user's command makes of the same census, read as a monitoring engine
			// would read it (its JSON: the same figures as the .prom file, in bytes).
			const std::string exported = std::string(method) == "bulk" ? run_export_json() : "";
			Snapshot sa = snapshot();
			bool still = true;
			for (int pid : procs) {
				still = still && smaps[pid] == smaps_without_vdso(pid) && sb.entries.count(pid) &&
					sa.pfns_by_pid()[pid] == sb.pfns_by_pid()[pid];
			}
			auto recs = parse_report(raw);
			// A folio whose lock someone else held (phys never waits for one) is not looked at:
			// on 16 KiB pages a THP the deferred-split shrinker was trying to split once was
			// (skips locked=2048). That is the kernel busy with the page, not an answer.
			const bool locked = recs && recs->size() > 1 && (*recs)[1].get("locked").value_or("0") != "0";
			if ((!still || locked) && attempt < 4)
				continue;
			std::string diag = "attempt " + std::to_string(attempt) + (still ? "" : " (witnesses still moving)") +
					   (locked ? " (folios locked by someone else)" : "") + "\n" + raw.substr(0, 3000);
			if (!recs || recs->size() < 2 || (*recs)[0].kind != "phys") {
				t.ok(false, "census (phys sets=1) answers" + m, diag);
				break;
			}
			std::map<int, const Record *> owner;	// by pid
			std::map<std::string, int> pid_of_id;
			std::vector<std::pair<std::set<int>, unsigned long>> sets;	// pids, pages
			unsigned long set_pages = 0;
			for (const Record &r : *recs) {
				if (r.kind == "owner") {
					int pid = std::atoi(r.get("pid").value_or("0").c_str());
					owner[pid] = &r;
					pid_of_id[r.get("id").value_or("?")] = pid;
				}
			}
			for (const Record &r : *recs) {
				if (r.kind != "set")
					continue;
				std::set<int> who;
				std::string ids = r.get("owners").value_or("-");
				for (size_t at = 0; ids != "-" && at < ids.size();) {
					size_t comma = ids.find(',', at);
					who.insert(pid_of_id[ids.substr(at, comma == std::string::npos ? std::string::npos : comma - at)]);
					at = comma == std::string::npos ? ids.size() : comma + 1;
				}
				unsigned long pages = std::strtoul(r.get("pages").value_or("0").c_str(), nullptr, 10);
				sets.push_back({who, pages});
				set_pages += pages;
			}
			const Record &sum = (*recs)[0];
			const auto num = [](const Record &r, const char *k) { return std::atol(r.get(k).value_or("-1").c_str()); };
			t.ok(set_pages + num(sum, "sets_dropped") == static_cast<unsigned long>(num(sum, "mapped")) &&
				     num(sum, "sets_dropped") == 0 && num(sum, "nr_sets") == static_cast<long>(sets.size()),
			     "census: every mapped page of RAM in exactly one set of processes, none dropped" + m,
			     "sets hold " + std::to_string(set_pages) + " pages, sets_dropped " + std::to_string(num(sum, "sets_dropped")) +
				     ", mapped " + std::to_string(num(sum, "mapped")) + "\n" + diag);
			std::string bad, bad_smaps, bad_sets;
			const long kb = static_cast<long>(kPage >> 10);
			for (int pid : procs) {
				const std::string who = std::to_string(pid);
				if (!owner.count(pid)) {
					bad += who + ": not listed\n";
					continue;
				}
				const Record &r = *owner[pid];
				const ShareOracle o = share_oracle(sb, pid);
				long rss = num(r, "rss"), uss = num(r, "uss"), pss = num(r, "pss_bytes"), pages = num(r, "pages");
				if (rss != o.rss || uss != o.uss || pss != static_cast<long>(o.pss >> 12))
					bad += who + ": census rss " + std::to_string(rss) + " uss " + std::to_string(uss) + " pss_bytes " +
					       std::to_string(pss) + "; pagemap rss " + std::to_string(o.rss) + " uss " + std::to_string(o.uss) +
					       " pss_bytes " + std::to_string(o.pss >> 12) + "\n";
				const Smaps &sm = smaps[pid];
				long slack = per_folio ? o.uneven_large * kb : 0, vdso = sm.vdso ? 1 : 0;
				bool ok = rss * kb == sm.rss && std::labs((pss >> 10) - sm.pss) <= slack + vdso &&
					  std::labs((rss - uss) * kb - sm.shared_clean - sm.shared_dirty) <= slack &&
					  std::labs(uss * kb - sm.private_clean - sm.private_dirty) <= slack;
				if (!ok)
					bad_smaps += who + ": smaps_rollup " + sm.text() + "; census rss " + std::to_string(rss * kb) +
						     " kB pss " + std::to_string(pss >> 10) + " kB private " + std::to_string(uss * kb) +
						     " kB shared " + std::to_string((rss - uss) * kb) + " kB\n";
				unsigned long in_sets = 0;
				for (const auto &[who_set, n] : sets)
					in_sets += who_set.count(pid) ? n : 0;
				if (in_sets != static_cast<unsigned long>(pages))
					bad_sets += who + ": owner pages " + std::to_string(pages) + ", its sets " + std::to_string(in_sets) + "\n";
			}
			t.ok(bad.empty(), "census: each fork-tree process's rss, uss and pss equal the per-page entry counts of every pagemap" + m,
			     bad + diag);
			t.ok(bad_smaps.empty(),
			     "census: each fork-tree process's rss, pss, shared and private equal smaps_rollup's" +
				     std::string(per_folio ? " (pss and shared/private within its averaging over unevenly mapped large folios)" : "") + m,
			     bad_smaps + diag);
			t.ok(bad_sets.empty(), "census: each process's pages are the pages of the sets it is in" + m, bad_sets + diag);
			// Pairs: the pages both map, from the sets, against the intersection of their pagemaps.
			PhysWitness w = phys_witness(sb);
			std::string pairs;
			unsigned npairs = 0;
			for (size_t a = 0; a < procs.size(); ++a)
				for (size_t b = a + 1; b < procs.size(); ++b) {
					unsigned long got = 0, want = 0;
					for (const auto &[who_set, n] : sets)
						got += who_set.count(procs[a]) && who_set.count(procs[b]) ? n : 0;
					for (uint64_t pfn : w.pfns[procs[a]])
						want += w.pfns[procs[b]].count(pfn);
					++npairs;
					if (got != want)
						pairs += std::to_string(procs[a]) + "-" + std::to_string(procs[b]) + ": census " +
							 std::to_string(got) + ", pagemap " + std::to_string(want) + "\n";
				}
			t.ok(pairs.empty(),
			     "census: the pages each of " + std::to_string(npairs) +
				     " pairs of fork-tree processes both map equal the intersection of their pagemaps" + m,
			     pairs + diag);
			if (!exported.empty())
				check_export(t, exported, procs, smaps, sb, w, per_folio, diag);
			break;
		}
	}
}

// phys referenced=1 goes in chunks of 65536 PFNs from start_pfn (module/kernel/phys.c). A THP
// that a chunk's end splits must be taken once, by the chunk its head is in; it was taken by the
// next chunk too, for its pages there (found by reading, 2026-12-02), and then lru and the
// buckets add up to more than the range's PFNs. A helper makes THPs until one lies high enough
// in RAM for a range starting at PFN 0 or above to split it (a small guest fills RAM from low
// PFNs up).
void check_phys_split_thp(Tap &t)
{
	constexpr uint64_t kChunk = 65536;
	const std::string name = "phys referenced=1 over a range whose 65536-PFN chunk ends inside a THP: "
				 "the THP counted once, every PFN in one bucket (THP)";
	if (std::string why = no_thp_reason(); !why.empty()) {
		t.skip(name, why);
		return;
	}
	const uint64_t nr = thp_size() / kPage;
	Helper h([nr] {
		const size_t huge = nr * kPage;
		for (int i = 0; nr && i < 128; ++i) {
			char *raw = static_cast<char *>(map_anon(2 * huge));
			char *thp = reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(raw) + huge - 1) & ~(huge - 1));
			madvise(thp, huge, MADV_HUGEPAGE);
			touch_write(thp, huge, 6);
			uint64_t pfn = pfn_of(getpid(), thp);
			if (pfn + nr / 2 >= kChunk && (kpageflags(pfn) >> 22 & 1))
				return pfn;
		}
		return uint64_t{0};
	});
	const uint64_t head = h.value();
	if (!head) {
		t.skip(name, "128 THP-sized regions written after MADV_HUGEPAGE, and none is a THP (kpageflags bit 22) at PFN >= " +
				     std::to_string(kChunk - nr / 2) + " (THP size " + std::to_string(nr) + " pages)");
		return;
	}
	const uint64_t start = head + nr / 2 - kChunk, end = head + nr;
	std::string raw = ctl_transact("phys start_pfn=" + hex(start) + " end_pfn=" + hex(end) + " referenced=1").text;
	std::string unbalanced = phys_buckets_unbalanced(raw);
	t.ok(unbalanced.empty(), name, "THP head PFN " + hex(head) + "\n" + unbalanced);
}

// Makes every present page of this process's private writable mappings its own (a write of the
// byte already there breaks COW): a helper forked from the harness then shares no page with it,
// and the harness's own allocations while it reads /proc cannot move the sharing being measured.
void own_every_page()
{
	std::vector<std::pair<uint64_t, uint64_t>> rw;
	std::ifstream maps("/proc/self/maps");
	for (std::string line; std::getline(maps, line);) {
		uint64_t lo = 0, hi = 0;
		char perms[8] = "";
		if (std::sscanf(line.c_str(), "%" SCNx64 "-%" SCNx64 " %7s", &lo, &hi, perms) == 3 &&
		    perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p')
			rw.emplace_back(lo, hi);
	}
	for (const auto &[lo, hi] : rw)
		for (uint64_t a = lo; a < hi; a += kPage)
			if (pm_present(pagemap_entry(getpid(), a))) {
				volatile char *c = reinterpret_cast<volatile char *>(a);
				*c = *c;
			}
}

// The fork tree, built inside a helper so that its root is quiescent: anon pages (64), a THP
// where the kernel gives one, a memfd (16 pages) and an ext4 file (16 pages, if the scratch disk
// is there); then three children: one writes to 8 anon pages and one page of the THP (COW
// broken), one unmaps the memfd, one does nothing. Returns when all three are ready.
uint64_t build_tree()
{
	constexpr size_t kAnon = 64, kShm = 16;
	own_every_page();
	touch_write(map_anon(kAnon * kPage), kAnon * kPage, 1);
	char *anon = static_cast<char *>(map_anon(kAnon * kPage));
	touch_write(anon, kAnon * kPage, 2);
	size_t huge = thp_size();
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

// A memfd of 32 pages mapped twice (a W^X JIT's two views), inherited by three children; the
// first child maps it a third time. Returns when all are ready.
uint64_t build_double_map()
{
	constexpr size_t kPages = 32;
	own_every_page();
	int fd = memfd_create("rmapscope-twice", 0);
	if (fd < 0 || ftruncate(fd, kPages * kPage))
		return 1;
	char *a = static_cast<char *>(mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	char *b = static_cast<char *>(mmap(nullptr, kPages * kPage, PROT_READ, MAP_SHARED, fd, 0));
	if (a == MAP_FAILED || b == MAP_FAILED)
		return 1;
	touch_write(a, kPages * kPage, 7);
	touch_read(b, kPages * kPage);
	int ready[2];
	if (pipe(ready))
		return 1;
	for (int k = 0; k < 3; ++k) {
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (k == 0) {
				char *c = static_cast<char *>(mmap(nullptr, kPages * kPage, PROT_READ, MAP_SHARED, fd, 0));
				if (c != MAP_FAILED)
					touch_read(c, kPages * kPage);
			}
			char ch = 1;
			if (write(ready[1], &ch, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	for (int k = 0; k < 3; ++k) {
		char ch;
		if (read(ready[0], &ch, 1) != 1)
			return 1;
	}
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
	std::sort(kids.begin(), kids.end()); // fork order
	return kids;
}

// One page of each kind of shared memory that has no name of its own in the filesystem, and
// a deleted file: what phys must name as /proc/PID/maps does. The helper's value: the address
// of the first; they follow one page apart in the order of kNamed.
constexpr const char *kNamed[] = {"memfd", "SysV shm", "shared anonymous memory", "a deleted tmpfs file"};

uint64_t build_named()
{
	char *at[4] = {};
	int fd = memfd_create("rmapscope-named", 0);
	if (fd >= 0 && ftruncate(fd, kPage) == 0)
		at[0] = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	int id = shmget(IPC_PRIVATE, kPage, IPC_CREAT | 0600);
	if (id >= 0) {
		at[1] = static_cast<char *>(shmat(id, nullptr, 0));
		shmctl(id, IPC_RMID, nullptr); // goes with its last detach
	}
	at[2] = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	mkdir("/tmp/rs-named", 0700);
	mount("rs-named", "/tmp/rs-named", "tmpfs", 0, nullptr);
	int f = open("/tmp/rs-named/gone", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f >= 0 && ftruncate(f, kPage) == 0)
		at[3] = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0));
	unlink("/tmp/rs-named/gone");
	// One table of addresses at a fixed place the parent reads through /proc/PID/mem.
	static uint64_t table[4];
	for (int i = 0; i < 4; ++i) {
		if (!at[i] || at[i] == MAP_FAILED)
			return 0;
		touch_write(at[i], kPage, static_cast<unsigned char>(0x40 + i));
		table[i] = reinterpret_cast<uint64_t>(at[i]);
	}
	settle_lru();
	return reinterpret_cast<uint64_t>(table);
}

// The file line phys gives the page at pfn (by method), or "" and the response.
std::string phys_file_of(uint64_t pfn, const char *method, std::string &raw)
{
	raw = ctl_transact("phys start_pfn=" + hex(pfn) + " end_pfn=" + hex(pfn + 1) + " method=" + method).text;
	auto recs = parse_report(raw);
	if (recs)
		for (const auto &r : *recs)
			if (r.kind == "file")
				return r.get("path").value_or("");
	return "";
}

void check_names(Tap &t)
{
	Helper h(build_named);
	if (!h.value()) {
		t.ok(false, "phys names: memfd, SysV shm, shared anonymous memory and a deleted file are mapped");
		return;
	}
	uint64_t table[4] = {};
	int mem = open(("/proc/" + std::to_string(h.pid()) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
	bool read_ok = mem >= 0 && pread(mem, table, sizeof(table), static_cast<off_t>(h.value())) == sizeof(table);
	if (mem >= 0)
		close(mem);
	for (int i = 0; i < 4; ++i) {
		uint64_t pfn = read_ok ? pfn_of(h.pid(), reinterpret_cast<void *>(table[i])) : 0;
		// /proc/PID/maps escapes a newline in a name only; none of these has one.
		std::string want = read_ok ? maps_name(h.pid(), table[i]) : "";
		for (const char *method : {"bulk", "walk"}) {
			std::string raw, got = pfn ? phys_file_of(pfn, method, raw) : "";
			// The module escapes spaces as \040, as /proc/PID/mounts does.
			std::string unescaped;
			for (size_t k = 0; k < got.size(); ++k) {
				if (got.compare(k, 4, "\\040") == 0) {
					unescaped += ' ';
					k += 3;
				} else {
					unescaped += got[k];
				}
			}
			t.ok(!want.empty() && unescaped == want,
			     std::string("phys names ") + kNamed[i] + " as /proc/PID/maps does: '" + want + "' (method=" + method + ")",
			     "phys said '" + got + "'\n" + raw);
		}
	}
	umount2("/tmp/rs-named", MNT_DETACH);
}

double seconds_of(const std::function<void()> &fn)
{
	auto a = std::chrono::steady_clock::now();
	fn();
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// 64 MiB of anon memory in small pages, and with reserve, a 1 TiB PROT_NONE reservation too.
Helper populated(bool reserve)
{
	return Helper([reserve] {
		constexpr size_t len = 64 << 20;
		if (reserve && mmap(nullptr, 1ULL << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
			return uint64_t{1};
		void *p = map_anon(len);
		madvise(p, len, MADV_NOHUGEPAGE);
		touch_write(p, len, 5);
		return uint64_t{0};
	});
}

void check_reservation(Tap &t)
{
	Helper plain = populated(false), reserved = populated(true);
	if (plain.value() || reserved.value()) {
		t.ok(false, "a 1 TiB PROT_NONE reservation can be made");
		return;
	}
	for (const char *method : {"bulk", "walk"}) {
		// The fastest of the runs, the two processes in turn (contention on a busy host then
		// slows both alike), up to three rounds of three: a reservation that cost time in
		// proportion to its size would be seconds slower in every round.
		double a = 1e9, b = 1e9;
		int round = 0;
		while (round == 0 || (round < 3 && b > 1.25 * a + 0.05)) {
			++round;
			for (int i = 0; i < 3; ++i) {
				a = std::min(a, seconds_of([&] { share(plain.pid(), method); }));
				b = std::min(b, seconds_of([&] { share(reserved.pid(), method); }));
			}
		}
		ShareReply r = share(reserved.pid(), method);
		char line[256];
		std::snprintf(line, sizeof(line), "64 MiB alone %.3f s, with a 1 TiB reservation %.3f s (round %d of 3)", a, b,
			      round);
		t.ok(r.ok && r.num("rss") >= static_cast<long>((64 << 20) / kPage) && b <= 1.25 * a + 0.05,
		     std::string("share: a 1 TiB PROT_NONE reservation adds nothing measurable (method=") + method + "): " + line,
		     r.raw);
	}
}

// Kills a process in the middle of cmd; the seconds from SIGKILL to its end, or -1 when cmd
// ended before (too short to tell) and -2 when it did not end within 30 s.
double kill_latency(const std::string &cmd, double after)
{
	pid_t child = fork();
	if (child == 0) {
		ctl_transact(cmd);
		_exit(0);
	}
	usleep(static_cast<useconds_t>(after * 1e6));
	int status;
	if (waitpid(child, &status, WNOHANG) == child)
		return -1;
	auto a = std::chrono::steady_clock::now();
	kill(child, SIGKILL);
	for (int i = 0; i < 30000; ++i) {
		if (waitpid(child, &status, WNOHANG) == child)
			return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
		usleep(1000);
	}
	return -2;
}

void check_kill(Tap &t)
{
	// The slowest commands there are: every folio of all RAM rmap-walked, asked and put back, and
	// a share by rmap walks of 64 MiB beside a 1 TiB reservation.
	Helper big = populated(true);
	const std::string cmds[] = {"phys referenced=1 method=walk", "share pid=" + std::to_string(big.pid()) + " method=walk"};
	for (const std::string &cmd : cmds) {
		// The faster of two runs: a first run can be three times slower than the next (one
		// make check run's share took 1.378 s, then ended before a SIGKILL 0.46 s into the
		// next). A run that still ends before the signal is tried again, the signal sent
		// twice as early, at most three times.
		double whole = std::min(seconds_of([&] { ctl_transact(cmd); }), seconds_of([&] { ctl_transact(cmd); }));
		double after = whole / 3, lat = -1;
		int tries = 0;
		for (; tries < 3 && lat == -1; ++tries, after /= 2)
			lat = kill_latency(cmd, after);
		char line[192];
		std::snprintf(line, sizeof(line), "it takes %.3f s whole; SIGKILL %.3f s in ended it in %.3f s (try %d of 3)",
			      whole, 2 * after, lat, tries);
		t.ok(lat >= 0 && lat < 0.5, "SIGKILL ends '" + cmd + "' at once: " + line,
		     lat == -1 ? "the command ended before the signal" : lat == -2 ? "still running 30 s after SIGKILL" : "");
	}
}

// A tmpfs file's page, mapped by a helper, is the first PFN of a phys over the rest of RAM;
// meanwhile the helper exits and the tmpfs is unmounted. phys must answer, and the kernel must
// not find a busy inode at the umount (nor KASAN anything: scripts/vm reads the log).
void check_umount(Tap &t)
{
	for (const char *method : {"bulk", "walk"}) {
		mkdir("/tmp/rs-umount", 0700);
		if (mount("rs-umount", "/tmp/rs-umount", "tmpfs", 0, nullptr)) {
			t.ok(false, "a tmpfs can be mounted for the umount race", std::strerror(errno));
			return;
		}
		auto mapper = std::make_unique<Helper>([] {
			int fd = open("/tmp/rs-umount/f", O_RDWR | O_CREAT, 0600);
			if (fd < 0 || ftruncate(fd, kPage))
				return uint64_t{0};
			char *p = static_cast<char *>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
			close(fd);
			if (p == MAP_FAILED)
				return uint64_t{0};
			touch_write(p, kPage, 0x75);
			settle_lru();
			return reinterpret_cast<uint64_t>(p);
		});
		uint64_t pfn = mapper->value() ? pfn_of(mapper->pid(), reinterpret_cast<void *>(mapper->value())) : 0;
		std::string ram_end = "0"; // the end of RAM: a phys of all RAM says where it is
		if (auto recs = parse_report(ctl_transact("phys method=bulk").text); recs && !recs->empty())
			ram_end = (*recs)[0].get("end_pfn").value_or("0");
		std::string cmd = "phys start_pfn=" + hex(pfn) + " end_pfn=" + ram_end + " method=" + method;
		double whole = seconds_of([&] { ctl_transact(cmd); });
		int out[2];
		if (!pfn || pipe(out)) {
			t.ok(false, "the tmpfs page is mapped");
			return;
		}
		pid_t child = fork();
		if (child == 0) {
			std::string r = ctl_transact(cmd).text;
			ssize_t n = write(out[1], r.data(), std::min<size_t>(r.size(), 4096));
			_exit(n > 0 ? 0 : 1);
		}
		close(out[1]);
		usleep(static_cast<useconds_t>(whole / 3 * 1e6));
		mapper.reset(); // the last mapper exits
		int um = umount("/tmp/rs-umount");
		int um_errno = errno;
		std::string reply;
		char buf[4096];
		for (ssize_t n; (n = read(out[0], buf, sizeof(buf))) > 0;)
			reply.append(buf, static_cast<size_t>(n));
		close(out[0]);
		int status = 0;
		waitpid(child, &status, 0);
		std::string busy;
		FILE *dm = popen("dmesg 2>/dev/null | grep -i 'busy inodes' | tail -n 3", "r");
		if (dm) {
			char line[256];
			while (std::fgets(line, sizeof(line), dm))
				busy += line;
			pclose(dm);
		}
		char what[200];
		std::snprintf(what, sizeof(what), "a tmpfs unmounted %.0f ms into a %.0f ms phys over its page: umount succeeds, phys answers, no busy inode (method=%s)",
			      whole / 3 * 1e3, whole * 1e3, method);
		t.ok(um == 0 && WIFEXITED(status) && reply.rfind("phys ", 0) == 0 && busy.empty(), what,
		     "umount: " + std::string(um ? std::strerror(um_errno) : "ok") + "\nphys:\n" + reply.substr(0, 500) + busy);
		rmdir("/tmp/rs-umount");
	}
}

// A hugetlb page of the default size (2 MiB; 32 MiB with 16 KiB pages): phys counts its PFNs as
// hugetlb, share passes its VMA over.
void check_hugetlb(Tap &t)
{
	std::ifstream in("/proc/sys/vm/nr_hugepages");
	long before = -1;
	in >> before;
	if (before < 0 || !write_file("/proc/sys/vm/nr_hugepages", std::to_string(before + 1))) {
		t.ok(false, "a hugetlb page can be reserved (/proc/sys/vm/nr_hugepages)");
		return;
	}
	// The default hugetlb size, from /proc/meminfo's Hugepagesize (in kB).
	size_t len = 0;
	std::ifstream meminfo("/proc/meminfo");
	for (std::string line; std::getline(meminfo, line);)
		if (line.rfind("Hugepagesize:", 0) == 0)
			len = std::stoull(line.substr(13)) * 1024;
	const uint64_t n = len / kPage;
	{
		Helper h([len] {
			void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
			if (p == MAP_FAILED)
				return uint64_t{0};
			touch_write(p, len, 0x68);
			return reinterpret_cast<uint64_t>(p);
		});
		uint64_t pfn = h.value() ? pfn_of(h.pid(), reinterpret_cast<void *>(h.value())) : 0;
		for (const char *method : {"bulk", "walk"}) {
			std::string raw = pfn ? ctl_transact("phys start_pfn=" + hex(pfn) + " end_pfn=" + hex(pfn + n) +
							     " method=" + method).text
					      : "no hugetlb page was mapped";
			auto recs = parse_report(raw);
			bool ok = recs && recs->size() >= 2 && (*recs)[1].get("hugetlb") == std::to_string(n) && (*recs)[0].get("lru") == "0";
			t.ok(ok && phys_buckets_unbalanced(raw).empty(),
			     "phys counts a " + std::to_string(len >> 10) + " KiB hugetlb page's " + std::to_string(n) +
				     " PFNs as hugetlb (method=" + method + ")", raw);
		}
		ShareReply s = share(h.pid(), "bulk");
		t.ok(s.ok && s.skips.get("raced") == "0", "share passes a hugetlb VMA over, as smaps' Rss does", s.raw);
	}
	write_file("/proc/sys/vm/nr_hugepages", std::to_string(before));
}

} // namespace

void run_share_scenarios(Tap &t)
{
	{
		Helper root(build_tree);
		if (root.value()) {
			t.ok(false, "share: the fork tree is built");
			return;
		}
		std::vector<int> kids = children_of(root.pid());
		static const char *const kWho[] = {"a child that broke COW on 8 pages and a THP page",
						   "a child that unmapped the memfd", "a child that changed nothing"};
		check_target(t, "a fork tree's root", root.pid());
		for (size_t k = 0; k < kids.size() && k < 3; ++k)
			check_target(t, kWho[k], kids[k]);
		t.ok(kids.size() == 3, "share: the fork tree has its three children", std::to_string(kids.size()));
		std::vector<int> tree = kids;
		tree.push_back(root.pid());
		check_phys(t, tree);
		check_census(t, tree);
		check_phys_split_thp(t);
	}
	{
		Helper root(build_double_map);
		std::vector<int> kids = children_of(root.pid());
		if (root.value() || kids.size() != 3) {
			t.ok(false, "share: the double-mapping tree is built");
		} else {
			check_target(t, "a process mapping a memfd twice, with three children", root.pid());
			check_target(t, "a child that maps the same memfd a third time", kids[0]);
			std::vector<int> all = kids;
			all.push_back(root.pid());
			check_census(t, all);
		}
	}
	check_names(t);
	check_reservation(t);
	check_kill(t);
	check_umount(t);
	check_hugetlb(t);
}

} // namespace rmapscope
