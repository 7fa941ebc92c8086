// SPDX-License-Identifier: GPL-2.0
#include "methods.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "ctl_client.hpp"
#include "procs.hpp"

namespace rmapscope {
namespace {

// What it cost, which the two methods may differ in: rmap walks or comparisons, the VMAs they
// looked at, the time, and the method's own name.
const std::set<std::string> kCost = {"folios", "vmas", "lock_max_ns", "ns", "method"};

// The response without its cost, one line per record. phys sets=1: an owner's id is the order
// the scan met it in, which differs between the methods; a set's owners are given by pid
// instead, in order, and the sets (whose order among equals is the sort's) sorted.
std::string normalized(const std::string &raw, bool &ok)
{
	auto recs = parse_report(raw);
	ok = recs && !recs->empty() && (*recs)[0].kind != "error";
	std::string out;
	if (!recs)
		return raw;
	std::map<std::string, std::string> pid_of;
	for (const auto &r : *recs)
		if (r.kind == "owner" && r.get("id"))
			pid_of[*r.get("id")] = r.get("pid").value_or("?");
	std::vector<std::string> sets;
	for (const auto &r : *recs) {
		std::string line = r.kind;
		for (const auto &[k, v] : r.fields) {
			if (kCost.count(k) || (r.kind == "owner" && k == "id"))
				continue;
			if (r.kind == "set" && k == "owners") {
				std::vector<std::string> pids;
				size_t at = 0;
				while (v != "-" && at <= v.size()) {
					size_t comma = v.find(',', at);
					std::string id = v.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
					pids.push_back(pid_of.count(id) ? pid_of[id] : "id" + id);
					if (comma == std::string::npos)
						break;
					at = comma + 1;
				}
				std::sort(pids.begin(), pids.end());
				line += " owners=";
				for (size_t i = 0; i < pids.size(); ++i)
					line += (i ? "," : "") + pids[i];
				continue;
			}
			line += " " + k + "=" + v;
		}
		if (r.kind == "set")
			sets.push_back(line);
		else
			out += line + "\n";
	}
	std::sort(sets.begin(), sets.end());
	for (const std::string &l : sets)
		out += l + "\n";
	return out;
}

unsigned long num(const Record &r, const char *key)
{
	return std::strtoul(r.get(key).value_or("0").c_str(), nullptr, 10);
}

} // namespace

std::string methods_differ(const std::string &cmd, bool *err)
{
	// Asked one after the other, the two methods see the machine a moment apart: the harness's
	// own process, a peer of every process it forked, changes its heap in between. A difference
	// counts when three pairs of answers in a row all differ.
	std::string d;
	for (int attempt = 1; attempt <= 3; ++attempt) {
		std::string walk = ctl_transact(cmd + " method=walk").text, bulk = ctl_transact(cmd + " method=bulk").text;
		bool wok = false, bok = false;
		std::string nw = normalized(walk, wok), nb = normalized(bulk, bok);
		if (err)
			*err = !wok || !bok;
		if (wok && bok && nw == nb)
			return "";
		d = cmd + " (attempt " + std::to_string(attempt) + "):\nmethod=walk said:\n" + walk + "method=bulk said:\n" + bulk;
		if (!wok || !bok)
			break;
	}
	return d;
}

std::string phys_buckets_unbalanced(const std::string &raw)
{
	auto recs = parse_report(raw);
	if (!recs || recs->size() < 2 || (*recs)[0].kind != "phys" || (*recs)[1].kind != "skips")
		return "not a phys response:\n" + raw;
	const Record &p = (*recs)[0], &s = (*recs)[1];
	unsigned long pages = num(p, "pages"), lru = num(p, "lru");
	unsigned long outside = num(s, "offline") + num(s, "hugetlb") + num(s, "not_lru");
	unsigned long inside = num(p, "mapped") + num(p, "unmapped") + num(s, "large") + num(s, "locked") +
			       num(s, "too_many_mappings") + num(s, "unsupported");
	if (pages == outside + lru && lru == inside)
		return "";
	return "pages=" + std::to_string(pages) + " but offline+hugetlb+not_lru+lru=" + std::to_string(outside + lru) +
	       "; lru=" + std::to_string(lru) + " but mapped+unmapped+large+locked+too_many_mappings+unsupported=" +
	       std::to_string(inside) + "\n" + raw;
}

void methods_agree(Tap &t, const std::string &what, const WalkReply &w)
{
	if (w.err) {
		t.ok(false, what + ": share and phys agree between method=walk and method=bulk", "the walk failed");
		return;
	}
	// One VMA per process (the first the walk lists), three processes at most.
	std::map<int, std::pair<uint64_t, uint64_t>> vmas;
	for (const auto &m : w.maps)
		for (int pid : m.pids)
			if (vmas.size() < 3 && !vmas.count(pid))
				vmas[pid] = {m.vma_start, m.vma_end};
	std::string d;
	unsigned commands = 0;
	bool err = false;
	for (const auto &[pid, vma] : vmas) {
		bool e = false;
		d += methods_differ("share pid=" + std::to_string(pid) + " start=" + hex(vma.first) + " end=" + hex(vma.second), &e);
		err = err || e;
		commands += 2;
	}
	std::string phys = "phys start_pfn=" + hex(w.folio_pfn()) + " end_pfn=" + hex(w.folio_pfn() + w.folio_pages());
	bool e = false, e0 = false;
	d += methods_differ(phys, &e);
	// young=0: method=bulk takes the mapcount shortcut, method=walk still reads every entry;
	// sets=1 adds who maps what together (the census that share --all and export read).
	d += methods_differ(phys + " young=0 sets=1", &e0);
	d += phys_buckets_unbalanced(ctl_transact(phys).text);
	err = err || e || e0;
	commands += 5;
	t.ok(d.empty() && !err,
	     what + ": share and phys agree between method=walk and method=bulk (" + std::to_string(commands) + " commands)",
	     err ? "a command failed\n" + d : d);
}

} // namespace rmapscope
