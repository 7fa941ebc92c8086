// SPDX-License-Identifier: GPL-2.0
// Every process's memory and who shares it with whom, from one pass over the machine's memory:
// the module's `phys sets=1` (docs/debugfs.md), which walks every LRU folio of RAM once and
// groups the mapped pages by the set of processes that map them. share --all and export are
// drawn from it.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rmapscope {

inline constexpr const char *kKinds[] = {"anon", "file", "shmem", "ksm"};
using Kinds = std::array<unsigned long, 4>;	// pages by kind, in kKinds' order

struct CensusProc {
	unsigned id = 0;		// the module's owner id, as sets name it
	int pid = 0;
	std::string comm;
	unsigned long rss = 0;		// pages, every entry (smaps' Rss)
	unsigned long uss = 0;		// pages no other entry maps (smaps' Private_Clean + Private_Dirty)
	unsigned long pages = 0;	// pages it maps, each once
	unsigned long long pss_bytes = 0;
	Kinds kind{};			// pages it maps, each once, by kind
};

struct CensusSet {
	std::vector<unsigned> ids;	// owner ids, ascending
	unsigned long pages = 0;
	Kinds kind{};
	unsigned unlisted = 0;		// mappers past the owners the module lists
};

struct Census {
	std::vector<CensusProc> procs;	// owners with a process (an mm no process uses is left out)
	std::vector<CensusSet> sets;
	unsigned long page_size = 4096;
	double seconds = 0;		// the module's own time for the scan
	unsigned long mapped = 0, unmapped = 0, shared = 0, lru = 0, pages = 0;	// phys's summary
	std::map<std::string, unsigned long> skips;	// pages, by phys's reasons
	unsigned long owners_dropped = 0, sets_dropped = 0;
	std::string method, mapcount;
};

// One `phys sets=1 young=0 format=json` (method: "" for the module's default). On failure,
// prints why as every verb does and returns nothing.
std::optional<Census> take_census(const std::string &method);

// A census from the JSON that take_census() read (the module's reply), for tests and --from.
std::optional<Census> parse_census(const std::string &json, unsigned long page_size);

// Pages that pairs of processes both map. `order` lists owner ids, each once, in the order the
// caller wants them numbered; a pair is two positions in it, x < y. Each set adds its pages to
// every pair of its listed members: a set of m costs m * (m - 1) / 2 adds into a flat triangle
// of one total per pair, not a map insertion each. Pairs that share nothing are left out; the
// rest come ordered by (x, y).
struct PairTotal {
	unsigned x, y;			// positions in `order`, x < y
	unsigned long pages;
};
std::vector<PairTotal> census_pair_totals(const Census &c, const std::vector<unsigned> &order);

// The pages of each kind behind some of those pairs (positions as census_pair_totals() gives
// them), in one pass over the sets: what a caller adds to the few pairs it names.
std::vector<Kinds> census_pair_kinds(const Census &c, const std::vector<unsigned> &order,
				     const std::vector<PairTotal> &pairs);

} // namespace rmapscope
