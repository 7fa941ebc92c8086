// SPDX-License-Identifier: GPL-2.0
// A fake kernel behind module/core/os.h for the host tests: it scripts what each call returns and
// counts references, locks and walk buffers, so tests can prove the core releases everything.
#pragma once

#include <string>
#include <vector>

#include "../../module/core/range_report.h"
#include "../../module/core/phys_report.h"
#include "../../module/core/share_report.h"
#include "../../module/core/walk_report.h"

namespace fake {

struct State {
	// script
	int target_err = 0;		// what the resolver returns
	rs_folio_info folio{};		// what describe() says
	int lock_err = 0;		// what the folio lock returns
	int walk_err = 0;		// what the walk returns
	bool walk_alloc_fails = false;
	rs_walk_result result{};
	int isolate_err = 0;		// what LRU isolation returns
	int action_err = 0;		// what referenced/unmap return
	rs_action_result action{};	// what they report
	unsigned long page_size = 4096;	// the kernel's PAGE_SIZE
	int range_err = 0;
	rs_range_result range{};
	std::vector<rs_range_page> range_pages;
	// share: what the kernel side reports (peers copied up to the caller's room)
	int share_err = 0;
	rs_share_result share{};
	std::vector<rs_share_peer> share_peers;
	int last_share_pid = 0;
	int last_method = -1;		// share's and phys's method=
	unsigned long last_share_start = 0, last_share_end = 0;
	// phys: the summary as the kernel side fills it; owners from share_peers; the files
	int phys_err = 0;
	rs_phys_result phys{};
	std::vector<rs_phys_file> phys_files;
	std::vector<unsigned long> last_phys; // start_pfn, end_pfn, referenced, no_young
	// counters
	int refs = 0;			// folio references held
	int locks = 0;			// folio locks held
	int lock_calls = 0;
	int walks = 0;			// walk buffers alive
	int walk_runs = 0;
	unsigned last_capacity = 0;
	int last_all_owners = -1;
	int isolated = 0;		// folios off their LRU
	int action_calls = 0;
	// The calls in the order they were made: "isolate", "lock", "walk", "referenced",
	// "unmap", "unlock", "putback", "put", and "valloc+L+I" for a large allocation made while
	// L folio locks and I isolations were held.
	std::vector<std::string> calls;
};

// The recorded calls joined with spaces, for one EXPECT_EQ.
std::string calls();

State &state();
void reset();

} // namespace fake
