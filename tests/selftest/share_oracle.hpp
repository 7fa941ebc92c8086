// SPDX-License-Identifier: GPL-2.0
// The witnesses share and phys are checked against, built without rmapscope: every process's
// /proc/<pid>/maps and /proc/<pid>/pagemap, /proc/kpageflags, and smaps_rollup.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace rmapscope {

// One present page-table entry of one process.
struct Entry {
	uint64_t addr, pfn;
	bool vdso;	// in the [vdso] VMA (its pages have no rmap: share skips them)
};

// Every process's present entries, read once from pagemap.
struct Snapshot {
	std::map<int, std::vector<Entry>> entries;	// by pid
	std::map<uint64_t, unsigned> count;		// entries mapping each PFN, in every process
	bool operator==(const Snapshot &o) const { return count == o.count && pfns_by_pid() == o.pfns_by_pid(); }
	std::map<int, std::multiset<uint64_t>> pfns_by_pid() const;
};
Snapshot snapshot();

// /proc/kpageflags of one PFN (0 if unreadable).
uint64_t kpageflags(uint64_t pfn);
constexpr int kKpfHead = 15, kKpfTail = 16, kKpfHuge = 17, kKpfThp = 22, kKpfZero = 24, kKpfLru = 5;

// What share pid= must say of target, from the snapshot alone: smaps' arithmetic over the
// per-page entry counts (the per-page mapcount smaps divides by), and each other process's
// pages (distinct PFNs it maps too) and its share of PSS.
struct ShareOracle {
	long rss = 0, uss = 0, shared = 0;	// pages
	unsigned long long pss = 0;		// bytes << 12, summed per page as the module sums it
	std::map<int, unsigned long> peers;	// pid -> distinct pages shared
	std::map<int, unsigned long long> peer_pss;	// pid -> bytes << 12
	// Pages of large folios whose pages smaps cannot tell apart on CONFIG_NO_PAGE_MAPCOUNT
	// kernels: uneven per-page counts, or single mappings by two processes.
	long uneven_large = 0;
};
ShareOracle share_oracle(const Snapshot &s, int target);

// smaps_rollup's Rss, Pss and Shared/Private totals (kB), less the [vdso] VMA.
struct Smaps {
	long rss = 0, pss = 0, shared_clean = 0, shared_dirty = 0, private_clean = 0, private_dirty = 0;
	bool vdso = false;	// the vdso had resident pages
	bool operator==(const Smaps &o) const
	{
		return rss == o.rss && pss == o.pss && shared_clean == o.shared_clean && shared_dirty == o.shared_dirty &&
		       private_clean == o.private_clean && private_dirty == o.private_dirty;
	}
	std::string text() const;
};
Smaps smaps_without_vdso(int pid);

// phys's witness: each process's distinct PFNs that are in LRU folios (a tail page counts with
// its head's flags; the zero page and hugetlb are not LRU folios).
struct PhysWitness {
	std::map<int, std::set<uint64_t>> pfns;
	std::set<uint64_t> all;
};
PhysWitness phys_witness(const Snapshot &s);

// The /proc/<pid>/maps name of the VMA that contains addr ("" if none or anonymous).
std::string maps_name(int pid, uint64_t addr);

} // namespace rmapscope
