// SPDX-License-Identifier: GPL-2.0
// One walk as rmapsnoop prints it (a live line or a JSON object), and the -s summary.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reason.hpp"

struct rmapsnoop_event;

namespace rmapsnoop {

class Kallsyms;

class PfnMap;

struct Walk {
	const rmapsnoop_event *ev;
	uint64_t pfn;
	std::string reason;
	std::vector<Frame> stack;
};

Walk decode(const rmapsnoop_event &ev, const Kallsyms &ks, const PfnMap &pfns);
void print_header();
void print_line(const Walk &w);
void print_json(const Walk &w);

class Summary {
public:
	void add(const Walk &w);
	void print() const;

private:
	std::map<std::string, uint64_t> per_reason_;
	std::vector<uint64_t> dur_hist_ = std::vector<uint64_t>(32), vma_hist_ = std::vector<uint64_t>(32);
	std::map<uint64_t, uint64_t> per_pfn_;
	uint64_t walks_ = 0, stacks_reused_ = 0, stacks_none_ = 0;
};

} // namespace rmapsnoop
