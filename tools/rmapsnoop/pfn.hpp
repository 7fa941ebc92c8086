// SPDX-License-Identifier: GPL-2.0
// Which physical page a traced folio is: the PFN rmapsnoop prints.
//
// The BPF program sees a folio's kernel address. On x86-64 it turns that into a PFN itself, with
// the kernel's own vmemmap_base. Elsewhere (arm64: vmemmap is a macro of memstart_addr and the
// configured VA size, neither of which a BPF program can be sure of) the loader measures the
// struct page array instead: it has the kernel walk two of its own pages, whose PFNs
// /proc/self/pagemap gives, and takes the base both walks agree on. Where that cannot be done,
// rmapsnoop refuses to run rather than print a wrong PFN.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct rmapsnoop_event;

namespace rmapsnoop {

class PfnMap {
public:
	// PFNs as the BPF program computed them (x86-64's vmemmap_base).
	static PfnMap from_kernel() { return PfnMap(0, 0); }
	// PFNs from a measured struct page array: base address and sizeof(struct page).
	static PfnMap measured(uint64_t vmemmap, uint64_t page_size) { return PfnMap(vmemmap, page_size); }
	uint64_t pfn(const rmapsnoop_event &ev) const;
	bool is_measured() const { return size_ != 0; }
	uint64_t vmemmap() const { return base_; }

private:
	PfnMap(uint64_t base, uint64_t size) : base_(base), size_(size) {}
	uint64_t base_, size_;
};

// The base of the struct page array, from pairs of (folio address walked, PFN of that page):
// the one base every pair gives, whichever folio belongs to which page, or nothing.
std::optional<uint64_t> vmemmap_from(const std::vector<uint64_t> &folios, const std::vector<uint64_t> &pfns,
				     uint64_t page_size);

// Makes the kernel walk two pages of this process (MADV_PAGEOUT: reclaim's try_to_unmap), using
// drain() to deliver the walks (the caller collects this process's folio addresses into folios)
// and measures the struct page array. why says what failed.
std::optional<PfnMap> calibrate(uint64_t page_size, const std::function<void()> &drain,
				std::vector<uint64_t> &folios, std::string &why);

} // namespace rmapsnoop
