// SPDX-License-Identifier: GPL-2.0
#include "verb_cases.hpp"

#include <cerrno>
#include <map>

#include "procs.hpp"
#include "../../include/rmapscope/abi.h"

namespace rmapscope {

std::vector<std::string> parser_verbs()
{
	return {
#define RS_VERB_NAME(id, name) name,
		RMAPSCOPE_VERBS(RS_VERB_NAME)
#undef RS_VERB_NAME
	};
}

std::vector<VerbCase> verb_cases(const Target &t, std::string *missing)
{
	const std::string at = " pid=" + std::to_string(t.pid) + " addr=" + hex(t.addr);
	const std::string pfn = " pfn=" + hex(t.pfn);
	const std::string range = " pid=" + std::to_string(t.pid) + " start=" + hex(t.lo) + " end=" + hex(t.hi);
	// A PMD's worth of PFNs up to the target's (LRU folios of every kind near it). Not past it: the
	// target's may be in the last PMD of RAM, and phys refuses a range beyond RAM (ERANGE).
	const uint64_t pmd_pages = thp_size() / kPage;
	const uint64_t pfn_end = t.pfn + 1, pfn_start = pfn_end > pmd_pages ? pfn_end - pmd_pages : 0;
	const std::string pfns = " start_pfn=" + hex(pfn_start) + " end_pfn=" + hex(pfn_end);
	std::vector<VerbCase> cases = {
		{"walk", "walk", "walk" + at},
		{"walk", "walk format=json", "walk" + at + " format=json"},
		{"walk", "walk pfn=", "walk" + pfn},
		{"walk", "walk owners=all", "walk" + at + " owners=all"},
		{"tree", "tree", "tree" + at},
		{"tree", "tree family=1", "tree" + at + " family=1"},
		{"tree", "tree pfn= family=1 format=json", "tree" + pfn + " family=1 format=json"},
		{"referenced", "referenced", "referenced" + at},
		{"referenced", "referenced (range scan)", "referenced" + range},
		{"referenced", "referenced (range scan, detail=1)", "referenced" + range + " detail=1"},
		{"unmap", "unmap", "unmap" + at},
		{"share", "share (range, method=bulk)", "share" + range + " method=bulk"},
		{"share", "share (range, method=walk)", "share" + range + " method=walk"},
		{"share", "share (whole process, owners=all, format=json)",
		 "share pid=" + std::to_string(t.pid) + " owners=all format=json"},
		{"phys", "phys (method=bulk)", "phys" + pfns + " method=bulk"},
		{"phys", "phys (method=walk)", "phys" + pfns + " method=walk"},
		{"phys", "phys young=0 (method=bulk: the mapcount shortcut)", "phys" + pfns + " method=bulk young=0"},
		{"phys", "phys referenced=1 format=json", "phys" + pfns + " referenced=1 format=json"},
		{"phys", "phys sets=1 (the census: who maps what together, method=walk)", "phys" + pfns + " sets=1 method=walk"},
		{"phys", "phys sets=1 young=0 format=json (the census, method=bulk)", "phys" + pfns + " sets=1 young=0 format=json"},
	};
	if (missing) {
		missing->clear();
		for (const std::string &v : parser_verbs()) {
			bool covered = false;
			for (const VerbCase &c : cases)
				covered = covered || c.verb == v;
			if (!covered)
				*missing += (missing->empty() ? "" : " ") + v;
		}
	}
	return cases;
}

const std::set<int> &documented_errnos(const std::string &verb)
{
	// docs/debugfs.md: "Errors of walk and tree", "Errors of referenced and unmap", "Errors of
	// share and phys".
	static const std::set<int> walk = {EINVAL, ESRCH, EFAULT, ENOENT, ENXIO, ERANGE, ENODEV, EOPNOTSUPP, EBUSY, EINTR, ENOMEM};
	static const std::map<std::string, std::set<int>> by_verb = {
		{"walk", walk},
		{"tree", walk},
		{"referenced", [] { auto s = walk; s.insert(EAGAIN); return s; }()},
		{"unmap", [] { auto s = walk; s.insert(EPERM); return s; }()},
		{"share", {EINVAL, ESRCH, EFAULT, EOPNOTSUPP, EINTR, ENOMEM}},
		{"phys", {EINVAL, ERANGE, EOPNOTSUPP, EINTR, ENOMEM}},
	};
	static const std::set<int> none;
	auto it = by_verb.find(verb);
	return it == by_verb.end() ? none : it->second;
}

} // namespace rmapscope
