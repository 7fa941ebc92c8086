// SPDX-License-Identifier: GPL-2.0
#include "share_oracle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "oracle.hpp"
#include "procs.hpp"

namespace rmapscope {
namespace {

std::vector<int> all_pids()
{
	std::vector<int> pids;
	if (auto *d = opendir("/proc")) {
		while (auto *de = readdir(d)) {
			int pid = std::atoi(de->d_name);
			if (pid > 0)
				pids.push_back(pid);
		}
		closedir(d);
	}
	return pids;
}

std::vector<Entry> entries_of(int pid)
{
	std::vector<Entry> out;
	std::vector<uint64_t> buf;
	std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
	int fd = open(("/proc/" + std::to_string(pid) + "/pagemap").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return out;
	for (std::string line; std::getline(maps, line);) {
		unsigned long lo, hi;
		// [vvar] and [vvar_vclock] are PFN maps (special entries with no page to count, as in
		// smaps): mapped once a process reads the clock through the vDSO.
		if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) != 2 || hi <= lo || line.find("[vsyscall]") != std::string::npos ||
		    line.find("[vvar") != std::string::npos)
			continue;
		bool vdso = line.find("[vdso]") != std::string::npos;
		buf.resize((hi - lo) / kPage);
		ssize_t got = pread(fd, buf.data(), buf.size() * 8, static_cast<off_t>(lo / kPage * 8));
		for (ssize_t i = 0; i < got / 8; ++i)
			if (pm_present(buf[i]) && pm_pfn(buf[i]))
				out.push_back({lo + static_cast<uint64_t>(i) * kPage, pm_pfn(buf[i]), vdso});
	}
	close(fd);
	return out;
}

bool bit(uint64_t flags, int b)
{
	return flags >> b & 1;
}

// kpageflags for one oracle computation: each PFN's flags read once, 512 at a time, and each
// folio's extent found once for all its pages (a 32 MiB THP with 16 KiB pages has 2048: asking
// kpageflags page by page, from every page, took a minute under TCG).
class Kpf {
public:
	uint64_t flags(uint64_t pfn)
	{
		auto it = flags_.find(pfn);
		if (it != flags_.end())
			return it->second;
		static int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
		uint64_t block[512] = {}, first = pfn & ~511ULL;
		ssize_t got = pread(fd, block, sizeof(block), static_cast<off_t>(first * 8));
		for (uint64_t i = 0; i < 512; ++i)
			flags_[first + i] = static_cast<ssize_t>(i * 8) < got ? block[i] : 0;
		return flags_[pfn];
	}
	// The folio around pfn: its first PFN and its pages (1 for a small page).
	std::pair<uint64_t, uint64_t> folio(uint64_t pfn)
	{
		auto it = folio_.find(pfn);
		if (it != folio_.end())
			return it->second;
		uint64_t head = pfn;
		while (bit(flags(head), kKpfTail) && head > 0 && pfn - head < (1U << 20))
			--head;
		if (!bit(flags(head), kKpfHead))
			return folio_[pfn] = {pfn, 1};
		uint64_t end = head + 1;
		while (bit(flags(end), kKpfTail) && end - head < (1U << 20))
			++end;
		for (uint64_t p = head; p < end; ++p)
			folio_[p] = {head, end - head};
		return folio_[pfn];
	}

private:
	std::unordered_map<uint64_t, uint64_t> flags_;
	std::unordered_map<uint64_t, std::pair<uint64_t, uint64_t>> folio_;
};

} // namespace

uint64_t kpageflags(uint64_t pfn)
{
	static int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	uint64_t f = 0;
	if (pread(fd, &f, 8, static_cast<off_t>(pfn * 8)) != 8)
		return 0;
	return f;
}

std::map<int, std::multiset<uint64_t>> Snapshot::pfns_by_pid() const
{
	std::map<int, std::multiset<uint64_t>> by;
	for (const auto &[pid, es] : entries)
		for (const auto &e : es)
			by[pid].insert(e.pfn);
	return by;
}

Snapshot snapshot()
{
	Snapshot s;
	for (int pid : all_pids()) {
		std::vector<Entry> es = entries_of(pid);
		if (es.empty())
			continue;
		for (const auto &e : es)
			s.count[e.pfn]++;
		s.entries[pid] = std::move(es);
	}
	return s;
}

ShareOracle share_oracle(const Snapshot &s, int target)
{
	ShareOracle o;
	const unsigned long long page = kPage << 12;
	auto unit = [&](uint64_t pfn) {
		unsigned c = s.count.at(pfn);
		return c >= 2 ? page / c : page;
	};
	Kpf kpf;
	std::map<uint64_t, unsigned> mine; // target's PFNs that rmap tracks, with their multiplicity
	auto it = s.entries.find(target);
	if (it == s.entries.end())
		return o;
	for (const auto &e : it->second) {
		if (e.vdso || bit(kpf.flags(e.pfn), kKpfZero))
			continue;
		mine[e.pfn]++;
		o.rss++;
		o.pss += unit(e.pfn);
		if (s.count.at(e.pfn) >= 2)
			o.shared++;
		else
			o.uss++;
	}
	for (const auto &[pid, es] : s.entries) {
		if (pid == target)
			continue;
		std::map<uint64_t, unsigned> theirs;
		for (const auto &e : es)
			if (mine.count(e.pfn))
				theirs[e.pfn]++;
		if (theirs.empty())
			continue;
		o.peers[pid] = theirs.size();
		for (const auto &[pfn, n] : theirs)
			o.peer_pss[pid] += n * unit(pfn);
	}
	// Large folios smaps averages over (CONFIG_NO_PAGE_MAPCOUNT): pages whose counts differ
	// within the folio, or a folio mapped once per page by two processes or more.
	std::unordered_map<uint64_t, std::set<int>> mappers; // pfn -> the processes that map it
	for (const auto &[pid, es] : s.entries)
		for (const auto &e : es)
			mappers[e.pfn].insert(pid);
	std::set<uint64_t> seen;
	for (const auto &[pfn, n] : mine) {
		auto [head, nr] = kpf.folio(pfn);
		if (nr == 1 || !seen.insert(head).second)
			continue;
		std::set<unsigned> counts;
		std::set<int> who;
		for (uint64_t p = head; p < head + nr; ++p) {
			auto c = s.count.find(p);
			counts.insert(c == s.count.end() ? 0 : c->second);
			if (auto m = mappers.find(p); m != mappers.end())
				who.insert(m->second.begin(), m->second.end());
		}
		if (counts.size() > 1 || (*counts.begin() == 1 && who.size() > 1))
			for (const auto &[p, m] : mine)
				if (p >= head && p < head + nr)
					o.uneven_large += m;
	}
	return o;
}

std::string Smaps::text() const
{
	std::ostringstream o;
	o << "Rss " << rss << " Pss " << pss << " Shared_Clean " << shared_clean << " Shared_Dirty " << shared_dirty
	  << " Private_Clean " << private_clean << " Private_Dirty " << private_dirty << " (kB)";
	return o.str();
}

namespace {

void add_field(Smaps &m, const std::string &line, int sign)
{
	static const std::pair<const char *, long Smaps::*> keys[] = {
		{"Rss:", &Smaps::rss}, {"Pss:", &Smaps::pss}, {"Shared_Clean:", &Smaps::shared_clean},
		{"Shared_Dirty:", &Smaps::shared_dirty}, {"Private_Clean:", &Smaps::private_clean},
		{"Private_Dirty:", &Smaps::private_dirty},
	};
	for (const auto &[key, field] : keys)
		if (line.rfind(key, 0) == 0)
			m.*field += sign * std::atol(line.c_str() + std::strlen(key));
}

} // namespace

Smaps smaps_without_vdso(int pid)
{
	Smaps m;
	std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
	for (std::string line; std::getline(rollup, line);)
		add_field(m, line, 1);
	std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
	bool in_vdso = false;
	Smaps v;
	for (std::string line; std::getline(smaps, line);) {
		unsigned long lo, hi;
		if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find(':') > line.find(' '))
			// The vDSO and its data pages ([vvar], [vvar_vclock]): special mappings, whose pages
			// have no reverse map (normal pages that smaps counts on arm64, PFN maps on x86).
			in_vdso = (line.size() >= 6 && line.compare(line.size() - 6, 6, "[vdso]") == 0) ||
				  line.find("[vvar") != std::string::npos;
		else if (in_vdso)
			add_field(v, line, 1);
	}
	m.vdso = v.rss > 0;
	m.rss -= v.rss;
	m.pss -= v.pss;
	m.shared_clean -= v.shared_clean;
	m.shared_dirty -= v.shared_dirty;
	m.private_clean -= v.private_clean;
	m.private_dirty -= v.private_dirty;
	return m;
}

PhysWitness phys_witness(const Snapshot &s)
{
	PhysWitness w;
	Kpf kpf;
	std::map<uint64_t, bool> lru; // each PFN's flags read once, however many map it
	for (const auto &[pid, es] : s.entries)
		for (const auto &e : es) {
			auto it = lru.find(e.pfn);
			if (it == lru.end()) {
				uint64_t head = kpf.folio(e.pfn).first, f = kpf.flags(head);
				it = lru.emplace(e.pfn, bit(f, kKpfLru) && !bit(f, kKpfHuge) && !bit(f, kKpfZero)).first;
			}
			if (it->second) {
				w.pfns[pid].insert(e.pfn);
				w.all.insert(e.pfn);
			}
		}
	return w;
}

std::string maps_name(int pid, uint64_t addr)
{
	std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
	for (std::string line; std::getline(maps, line);) {
		unsigned long lo, hi;
		int name_at = 0;
		if (std::sscanf(line.c_str(), "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &name_at) < 2 || addr < lo || addr >= hi)
			continue;
		return name_at > 0 && static_cast<size_t>(name_at) <= line.size() ? line.substr(name_at) : "";
	}
	return "";
}

} // namespace rmapscope
