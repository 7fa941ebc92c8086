// SPDX-License-Identifier: GPL-2.0
#include "share_view.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "record.hpp"

namespace rmapscope {
namespace {

unsigned long num(const Record &r, const char *key)
{
	return std::strtoul(r.get(key).value_or("0").c_str(), nullptr, 10);
}

// Pages as KiB, the unit smaps and ps use (the module counts pages of the kernel's size).
std::string kib(unsigned long pages)
{
	return std::to_string(pages * static_cast<unsigned long>(sysconf(_SC_PAGESIZE) / 1024)) + " KiB";
}

// What the command cost: "N rmap walks" (method=walk) or "N comparisons" (method=bulk).
std::string cost(const Record &s)
{
	bool walk = s.get("method").value_or("") == "walk";
	return std::to_string(num(s, "folios")) + (walk ? " rmap walk(s) of " : " comparison(s) of ") +
	       std::to_string(num(s, "vmas")) + " VMA(s)";
}

} // namespace

bool print_share_table(const std::string &reply)
{
	auto recs = parse_report(reply);
	if (!recs || recs->size() < 2 || (*recs)[0].kind != "share" || (*recs)[1].kind != "skips")
		return false;
	const Record &s = (*recs)[0], &sk = (*recs)[1];
	std::printf("pid %s: rss %s  pss %.1f KiB  uss %s  (shared %s, private %s)\n", s.get("pid").value_or("?").c_str(),
		    kib(num(s, "rss")).c_str(), num(s, "pss_bytes") / 1024.0, kib(num(s, "uss")).c_str(),
		    kib(num(s, "shared_clean") + num(s, "shared_dirty")).c_str(),
		    kib(num(s, "private_clean") + num(s, "private_dirty")).c_str());
	std::printf("by kind: anon %s  file %s  shmem %s  ksm %s  (in THPs %s)\n", kib(num(s, "anon")).c_str(),
		    kib(num(s, "file")).c_str(), kib(num(s, "shmem")).c_str(), kib(num(s, "ksm")).c_str(),
		    kib(num(s, "thp")).c_str());
	unsigned long skipped = 0;
	for (const auto &[k, v] : sk.fields)
		skipped += std::strtoul(v.c_str(), nullptr, 10);
	if (skipped) {
		std::printf("not counted:");
		for (const auto &[k, v] : sk.fields)
			if (v != "0")
				std::printf(" %s %s", k.c_str(), v.c_str());
		std::printf(" (pages)\n");
	}
	std::printf("\n%-8s %-16s %10s %10s %10s %10s %10s %10s %12s\n", "PID", "COMM", "SHARED", "ANON", "FILE",
		    "SHMEM", "KSM", "THP", "PSS_KIB");
	for (size_t i = 2; i < recs->size(); ++i) {
		const Record &p = (*recs)[i];
		if (p.kind != "peer")
			continue;
		std::printf("%-8s %-16s %10lu %10lu %10lu %10lu %10lu %10lu %12.1f\n", p.get("pid").value_or("?").c_str(),
			    p.get("comm").value_or("-").c_str(), num(p, "pages"), num(p, "anon"), num(p, "file"),
			    num(p, "shmem"), num(p, "ksm"), num(p, "thp"), num(p, "pss_bytes") / 1024.0);
	}
	std::printf("\n%s peer(s)%s; %s in %.1f ms (pages, except PSS)\n", s.get("peers").value_or("?").c_str(),
		    num(s, "peers_dropped") ? (", " + std::to_string(num(s, "peers_dropped")) + " more not listed").c_str() : "",
		    cost(s).c_str(), num(s, "ns") / 1e6);
	return true;
}

bool print_phys_table(const std::string &reply)
{
	auto recs = parse_report(reply);
	if (!recs || recs->size() < 2 || (*recs)[0].kind != "phys" || (*recs)[1].kind != "skips")
		return false;
	const Record &s = (*recs)[0], &sk = (*recs)[1];
	std::printf("pfn %s-%s: %s LRU pages, %s mapped (%s by more than one process), %s unmapped; referenced %s\n",
		    s.get("start_pfn").value_or("?").c_str(), s.get("end_pfn").value_or("?").c_str(),
		    s.get("lru").value_or("?").c_str(), s.get("mapped").value_or("?").c_str(),
		    s.get("shared").value_or("?").c_str(), s.get("unmapped").value_or("?").c_str(),
		    s.get("referenced").value_or("?").c_str());
	std::printf("mapped by kind: anon %lu  file %lu  shmem %lu  ksm %lu  (in THPs %lu)\n", num(s, "anon"),
		    num(s, "file"), num(s, "shmem"), num(s, "ksm"), num(s, "thp"));
	std::printf("not attributed:");
	for (const auto &[k, v] : sk.fields)
		if (v != "0")
			std::printf(" %s %s", k.c_str(), v.c_str());
	std::printf(" (pages)\n\n%-8s %-16s %10s %10s %10s %12s\n", "PID", "COMM", "PAGES", "SHARED", "YOUNG", "PSS_KIB");
	for (const Record &r : *recs)
		if (r.kind == "owner")
			std::printf("%-8s %-16s %10lu %10lu %10s %12.1f\n", r.get("pid").value_or("?").c_str(),
				    r.get("comm").value_or("-").c_str(), num(r, "pages"), num(r, "shared"),
				    r.get("young").value_or("-").c_str(), num(r, "pss_bytes") / 1024.0); // "-": young=0
	std::printf("\n%10s %10s %10s  %s\n", "PAGES", "SHARED", "REFERENCED", "FILE");
	for (const Record &r : *recs)
		if (r.kind == "file")
			std::printf("%10lu %10lu %10lu  %s\n", num(r, "pages"), num(r, "shared"), num(r, "referenced"),
				    r.get("path").value_or("-").c_str());
	std::printf("\n%s in %.1f ms (pages, except PSS)\n", cost(s).c_str(), num(s, "ns") / 1e6);
	return true;
}

} // namespace rmapscope
