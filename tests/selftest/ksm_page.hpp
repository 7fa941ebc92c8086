// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <memory>
#include <string>

#include "procs.hpp"

namespace rmapscope {

// One KSM page mapped five times in three processes, as the selftest's KSM scenario and make
// postmortem both need it: this process maps p (MADV_MERGEABLE, every byte 0x5a), then two
// helpers fork and each maps a page of its own with the same bytes. Each helper maps the merged
// page twice (its inherited copy of p and its own page), so rmap_walk_ksm() reaches the
// inherited copies twice (once more in its search_new_forks pass).
struct KsmPage {
	char *p = nullptr;
	std::unique_ptr<Helper> b, c;
	uint64_t pfn = 0; // the merged page's PFN

	KsmPage() = default;
	KsmPage(const KsmPage &) = delete;
	KsmPage &operator=(const KsmPage &) = delete;
	KsmPage(KsmPage &&) = default;
	KsmPage &operator=(KsmPage &&) = default;
	~KsmPage(); // unmaps p; the helpers exit
};

// Why KSM cannot be tried here ("" when /sys/kernel/mm/ksm/run is 1).
std::string ksm_unavailable();
// Builds the page and waits (at most 30 s: ksmd needs two passes, slow under TCG) until all
// five mappings show the one page in pagemap. On failure, why is set; ksm.p is still mapped.
bool make_ksm_page(KsmPage &ksm, std::string &why);

} // namespace rmapscope
