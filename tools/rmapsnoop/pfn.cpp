// SPDX-License-Identifier: GPL-2.0
#include "pfn.hpp"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "rmapsnoop.h"

namespace rmapsnoop {

uint64_t PfnMap::pfn(const rmapsnoop_event &ev) const
{
	return size_ ? (ev.folio - base_) / size_ : ev.pfn;
}

std::optional<uint64_t> vmemmap_from(const std::vector<uint64_t> &folios, const std::vector<uint64_t> &pfns,
				     uint64_t page_size)
{
	if (folios.size() != 2 || pfns.size() != 2 || pfns[0] == pfns[1] || !page_size)
		return std::nullopt;
	// Both pairings; only a true one gives the same base twice (the two differ unless
	// folio0 - folio1 were both +(pfn0 - pfn1) and -(pfn0 - pfn1) pages apart: never).
	for (int swap = 0; swap < 2; ++swap) {
		uint64_t a = folios[0] - pfns[swap] * page_size, b = folios[1] - pfns[1 - swap] * page_size;
		if (a == b && (a >> 63))	// a kernel address
			return a;
	}
	return std::nullopt;
}

namespace {

uint64_t pagemap_pfn(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	if (fd < 0)
		return 0;
	off_t off = static_cast<off_t>(reinterpret_cast<uintptr_t>(addr) / sysconf(_SC_PAGESIZE) * 8);
	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		e = 0;
	close(fd);
	return (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
}

// Two pages, each its own small folio, mapped only here: anonymous ones (their pageout needs
// swap), or else the first page of two files in a directory on a disk (not tmpfs: shmem needs
// swap too).
struct Pages {
	std::vector<void *> maps;
	std::vector<uint64_t> pfns;
	size_t len = 0;
	~Pages()
	{
		for (void *m : maps)
			munmap(m, len);
	}
};

bool anon_pages(Pages &p)
{
	p.len = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	for (int i = 0; i < 2; ++i) {
		void *m = mmap(nullptr, p.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return false;
		p.maps.push_back(m);
		std::memset(m, 0x5a + i, p.len);
		p.pfns.push_back(pagemap_pfn(m));
	}
	return p.pfns[0] && p.pfns[1];
}

bool file_pages(Pages &p)
{
	p.len = static_cast<size_t>(sysconf(_SC_PAGESIZE));
	const char *dirs[] = {".", "/var/tmp", "/tmp"};
	for (const char *d : dirs) {
		struct statfs fs;
		if (statfs(d, &fs) != 0 || fs.f_type == 0x01021994 /* TMPFS_MAGIC */ ||
		    fs.f_type == 0x858458f6 /* RAMFS_MAGIC: never reclaimed */)
			continue;
		for (int i = 0; i < 2; ++i) {
			std::string path = std::string(d) + "/.rmapsnoop-calibrate-XXXXXX";
			int fd = mkstemp(path.data());
			if (fd < 0)
				break;
			unlink(path.c_str());
			std::vector<char> buf(p.len, static_cast<char>(0x6b + i));
			bool ok = write(fd, buf.data(), p.len) == ssize_t(p.len);
			void *m = ok ? mmap(nullptr, p.len, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
			close(fd);
			if (m == MAP_FAILED)
				break;
			p.maps.push_back(m);
			(void)*static_cast<volatile char *>(m);	/* map it */
			p.pfns.push_back(pagemap_pfn(m));
		}
		if (p.maps.size() == 2 && p.pfns[0] && p.pfns[1])
			return true;
		for (void *m : p.maps)
			munmap(m, p.len);
		p.maps.clear();
		p.pfns.clear();
	}
	return false;
}

// Keeps this thread on the CPU it runs on, for as long as it lives. A page just faulted in
// waits in that CPU's LRU batch, and MADV_PAGEOUT drains only the batch of the CPU it runs on
// (lru_add_drain): a page faulted on another CPU is not on the LRU yet, so it is not paged out.
class CpuPin {
public:
	CpuPin()
	{
		int cpu = sched_getcpu();
		pinned_ = cpu >= 0 && sched_getaffinity(0, sizeof(old_), &old_) == 0;
		if (pinned_) {
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			pinned_ = sched_setaffinity(0, sizeof(one), &one) == 0;
		}
	}
	CpuPin(const CpuPin &) = delete;
	CpuPin &operator=(const CpuPin &) = delete;
	~CpuPin()
	{
		if (pinned_)
			sched_setaffinity(0, sizeof(old_), &old_);
	}

private:
	cpu_set_t old_{};
	bool pinned_ = false;
};

std::vector<uint64_t> distinct(const std::vector<uint64_t> &v)
{
	std::vector<uint64_t> u;
	for (uint64_t f : v)
		if (std::find(u.begin(), u.end(), f) == u.end())
			u.push_back(f);
	return u;
}

} // namespace

std::optional<PfnMap> calibrate(uint64_t page_size, const std::function<void()> &drain,
				std::vector<uint64_t> &folios, std::string &why)
{
	why = "the kernel paged out none of rmapsnoop's own pages: no swap for anonymous ones, and no "
	      "directory on a disk (., /var/tmp, /tmp) for file ones";
	CpuPin pin;
	for (bool (*make)(Pages &) : {anon_pages, file_pages}) {
		Pages p;
		if (!make(p))
			continue;
		drain();
		folios.clear();
		// A walk per page, of this process: try_to_unmap (the folio_referenced that may come
		// first, too, names the same folio; vmemmap_from() wants one address per page). A
		// page reclaim passed over (busy, or referenced) is asked again: it is still mapped.
		for (int round = 0; round < 3 && distinct(folios).size() < 2; ++round) {
			for (void *m : p.maps)
				madvise(m, p.len, MADV_PAGEOUT);
			for (int i = 0; i < 40 && distinct(folios).size() < 2; ++i) {
				std::this_thread::sleep_for(std::chrono::milliseconds(25));
				drain();
			}
		}
		std::vector<uint64_t> uniq = distinct(folios);
		if (auto v = vmemmap_from(uniq, p.pfns, page_size))
			return PfnMap::measured(*v, page_size);
		if (!uniq.empty())
			why = "the kernel's walks of two known pages (" + std::to_string(uniq.size()) +
			      " seen) did not agree on the struct page array";
	}
	return std::nullopt;
}

} // namespace rmapsnoop
