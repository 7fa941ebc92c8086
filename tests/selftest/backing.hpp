// SPDX-License-Identifier: GPL-2.0
// The memory a crossed scenario runs on. As in the kernel's selftests/mm/cow.c, every scenario
// of the table in selftest.cpp runs once on each backing of this table.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "procs.hpp"

namespace rmapscope {

// One VMA of at least 4 populated pages, unmapped when the Region goes. A scenario follows the
// page at at() and may move the mapping (mremap).
class Region {
public:
	Region(char *p, size_t len) : p_(p), len_(len) {}
	Region(Region &&o) noexcept : p_(o.p_), len_(o.len_) { o.p_ = nullptr; }
	Region(const Region &) = delete;
	Region &operator=(const Region &) = delete;
	Region &operator=(Region &&) = delete;
	~Region();

	char *p() const { return p_; }			// the VMA's start
	char *at() const { return p_ + 2 * kPage; }	// the page a scenario follows
	// mremap of the whole mapping to a free, 2 MiB-aligned address (a THP moves as a PMD).
	bool move();

private:
	char *p_;
	size_t len_;
};

struct Backing {
	const char *name;
	const char *kind;	 // the walk's kind= for the followed page, before any write
	const char *level;	 // how the followed page is mapped after setup: pte or pmd
	bool cow;		 // a write by one of several sharers copies the page (private mappings)
	bool copy_on_first_write; // a write by its only mapper copies it too (a file page in MAP_PRIVATE)
	// Maps and populates the region; nullopt with the reason when this machine cannot.
	std::optional<Region> (*make)(std::string &why);
};

extern const std::array<Backing, 6> kBackings;

} // namespace rmapscope
