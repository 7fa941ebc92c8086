// SPDX-License-Identifier: GPL-2.0
// The independent oracle: who maps a PFN range, found the only way userspace can without
// rmapscope, by reading every process's /proc/<pid>/maps and /proc/<pid>/pagemap.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rmapscope {

// One VMA of one process that maps pages of the range, as the module's "map" line describes it.
struct OracleHit {
	int pid;
	uint64_t vma_start, vma_end;
	uint64_t addr;		// first address in the VMA mapping a page of the range
	unsigned pages;		// pages of the range mapped in this VMA
};

// Brute force over all processes; pfn_end is exclusive.
std::vector<OracleHit> oracle_find(uint64_t pfn_begin, uint64_t pfn_end);

// Every (pid, vma_start) whose /proc/<pid>/maps line maps the file at path.
std::vector<std::pair<int, uint64_t>> maps_of_file(const std::string &path);

// The pagemap entry of one address of one process (bit 63 present, bits 0-54 PFN).
uint64_t pagemap_entry(int pid, uint64_t addr);
inline bool pm_present(uint64_t e) { return e >> 63; }
inline uint64_t pm_pfn(uint64_t e) { return e & ((1ULL << 55) - 1); }
// The PFN at addr in pid (0 when nothing is present there).
inline uint64_t pfn_of(int pid, const void *addr)
{
	return pm_pfn(pagemap_entry(pid, reinterpret_cast<uint64_t>(addr)));
}

} // namespace rmapscope
