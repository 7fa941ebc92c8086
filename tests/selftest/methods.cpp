// SPDX-License-Identifier: GPL-2.0
#include "methods.hpp"

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

// The response without its cost, one line per record.
std::string normalized(const std::string &raw, bool &ok)
{
	auto recs = parse_report(raw);
	ok = recs && !recs->empty() && (*recs)[0].kind != "error";
	std::string out;
	if (!recs)
		return raw;
	for (const auto &r : *recs) {
		out += r.kind;
		for (const auto &[k, v] : r.fields)
			if (!kCost.count(k))
				out += " " + k + "=" + v;
		out += "\n";
	}
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
	// young=0: method=bulk takes the mapcount shortcut, method=walk still reads every entry.
	d += methods_differ(phys + " young=0", &e0);
	d += phys_buckets_unbalanced(ctl_transact(phys).text);
	err = err || e || e0;
	commands += 5;
	t.ok(d.empty() && !err,
	     what + ": share and phys agree between method=walk and method=bulk (" + std::to_string(commands) + " commands)",
	     err ? "a command failed\n" + d : d);
}

} // namespace rmapscope
