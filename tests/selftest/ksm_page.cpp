// SPDX-License-Identifier: GPL-2.0
// One KSM page mapped five times in three processes (ksm_page.hpp).
#include "ksm_page.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "oracle.hpp"

namespace rmapscope {

namespace {

char *mergeable_page()
{
	char *m = static_cast<char *>(map_anon(kPage));
	std::memset(m, 0x5a, kPage);
	madvise(m, kPage, MADV_MERGEABLE);
	return m;
}

} // namespace

KsmPage::~KsmPage()
{
	if (p)
		munmap(p, kPage);
}

std::string ksm_unavailable()
{
	std::ifstream run("/sys/kernel/mm/ksm/run");
	int on = 0;
	return (run >> on) && on == 1 ? "" : "KSM is not running on this kernel";
}

bool make_ksm_page(KsmPage &ksm, std::string &why)
{
	ksm.p = mergeable_page();
	ksm.b = std::make_unique<Helper>([] { return reinterpret_cast<uint64_t>(mergeable_page()); });
	ksm.c = std::make_unique<Helper>([] { return reinterpret_cast<uint64_t>(mergeable_page()); });
	// ksmd replaces each mm's page as it scans that mm, so three of the mappings can be merged
	// while the helpers' inherited copies are not yet: wait for all five.
	const uint64_t at = reinterpret_cast<uint64_t>(ksm.p);
	const Helper &b = *ksm.b, &c = *ksm.c;
	for (int i = 0; i < 3000; ++i) {
		uint64_t a = pm_pfn(pagemap_entry(getpid(), at));
		if (a && a == pm_pfn(pagemap_entry(b.pid(), b.value())) &&
		    a == pm_pfn(pagemap_entry(c.pid(), c.value())) && a == pm_pfn(pagemap_entry(b.pid(), at)) &&
		    a == pm_pfn(pagemap_entry(c.pid(), at))) {
			ksm.pfn = a;
			return true;
		}
		usleep(10000);
	}
	why = "ksmd did not merge the five mappings within 30 s";
	return false;
}

} // namespace rmapscope
