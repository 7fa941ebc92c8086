// SPDX-License-Identifier: GPL-2.0
// The table of backings: anonymous memory, a THP, an mTHP (a PTE-mapped large anonymous folio),
// memfd (shmem), and an ext4 file mapped MAP_SHARED and MAP_PRIVATE. Each is populated the way a program would: anonymous memory by
// writing it, file memory by reading it.
#include "backing.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#include "oracle.hpp"
#include "procs.hpp"

namespace rmapscope {
namespace {

constexpr size_t kPages = 4;
const size_t kHuge = thp_size(); // a PMD-mapped THP: 2 MiB with 4 KiB pages, 32 MiB with 16 KiB

char *align_up(char *p, size_t a)
{
	return reinterpret_cast<char *>((reinterpret_cast<uintptr_t>(p) + a - 1) & ~(a - 1));
}

std::optional<Region> anon(std::string &)
{
	char *p = static_cast<char *>(map_anon(kPages * kPage));
	touch_write(p, kPages * kPage, 0x11);
	return Region(p, kPages * kPage);
}

// /proc/kpageflags bit 22 (KPF_THP): the evidence that the page is part of a THP.
uint64_t kpageflags(const void *addr)
{
	uint64_t pfn = pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(addr))), flags = 0;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread(fd, &flags, sizeof(flags), static_cast<off_t>(pfn * 8)) != sizeof(flags))
		flags = 0;
	if (fd >= 0)
		close(fd);
	return flags;
}

std::optional<Region> thp(std::string &why)
{
	if (!(why = no_thp_reason()).empty())
		return std::nullopt;
	// One PMD-aligned VMA of a PMD's size: what is left of a mapping twice that size is given back.
	char *raw = static_cast<char *>(map_anon(2 * kHuge));
	char *p = align_up(raw, kHuge);
	if (p > raw)
		munmap(raw, static_cast<size_t>(p - raw));
	munmap(p + kHuge, static_cast<size_t>(raw + 2 * kHuge - (p + kHuge)));
	Region r(p, kHuge);
	madvise(p, kHuge, MADV_HUGEPAGE);
	touch_write(p, kHuge, 0x22);
	if (!(kpageflags(r.at()) >> 22 & 1)) {
		why = "no THP was allocated (MADV_HUGEPAGE, then a write fault; kpageflags " + hex(kpageflags(r.at())) + ")";
		return std::nullopt;
	}
	return r;
}

// The mTHP size the backing asks for: 64 KiB where the kernel offers it (the arm64 contiguous-PTE
// size with 4 KiB pages), else the smallest of at least 4 pages; 0 when there is none.
uint64_t mthp_pick()
{
	uint64_t pick = 0;
	for (uint64_t s : mthp_sizes())
		if (s == 64 * 1024 || (!pick && s >= 4 * kPage))
			pick = s;
	return pick;
}

// /proc/kpageflags bits 15 and 16: the head and the tail pages of a large folio.
constexpr unsigned kKpfCompoundHead = 15, kKpfCompoundTail = 16;

std::optional<Region> mthp(std::string &why)
{
	if (!(why = no_thp_reason()).empty())
		return std::nullopt;
	const uint64_t size = mthp_pick();
	if (!size) {
		why = "the kernel offers no multi-size THP (no /sys/kernel/mm/transparent_hugepage/hugepages-*kB below the "
		      "PMD size: before 6.8)";
		return std::nullopt;
	}
	const std::string knob = "/sys/kernel/mm/transparent_hugepage/hugepages-" + std::to_string(size >> 10) + "kB/enabled";
	std::string before;
	if (FILE *f = std::fopen(knob.c_str(), "re")) {
		char buf[128] = "";
		if (std::fgets(buf, sizeof(buf), f)) {
			// "always inherit madvise [never]": the bracketed word is the setting.
			std::string line(buf);
			size_t a = line.find('['), b = line.find(']');
			if (a != std::string::npos && b > a)
				before = line.substr(a + 1, b - a - 1);
		}
		std::fclose(f);
	}
	if (before.empty() || !write_file(knob, "always")) {
		why = "cannot enable " + knob;
		return std::nullopt;
	}
	// One size-aligned VMA of twice the size: the first folio holds the followed page.
	char *raw = static_cast<char *>(map_anon(3 * size));
	char *p = align_up(raw, size);
	if (p > raw)
		munmap(raw, static_cast<size_t>(p - raw));
	munmap(p + 2 * size, static_cast<size_t>(raw + 3 * size - (p + 2 * size)));
	Region r(p, 2 * size);
	touch_write(p, 2 * size, 0x66);
	write_file(knob, before);
	// The evidence: kpageflags shows a head page at p and tails after it, at consecutive PFNs.
	uint64_t head = pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p)));
	bool large = kpageflags(p) >> kKpfCompoundHead & 1;
	for (uint64_t i = 1; large && i < size / kPage; ++i)
		large = pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(p + i * kPage))) == head + i &&
			(kpageflags(p + i * kPage) >> kKpfCompoundTail & 1);
	if (!large) {
		why = "no " + std::to_string(size >> 10) + " KiB folio was allocated (" + knob + " = always, then a write fault)";
		return std::nullopt;
	}
	return r;
}

std::optional<Region> memfd(std::string &why)
{
	int fd = memfd_create("rmapscope-crossed", 0);
	if (fd < 0 || ftruncate(fd, kPages * kPage)) {
		why = "memfd_create failed";
		if (fd >= 0)
			close(fd);
		return std::nullopt;
	}
	void *p = mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd); // the mapping holds the file
	if (p == MAP_FAILED) {
		why = "mmap of the memfd failed";
		return std::nullopt;
	}
	touch_write(p, kPages * kPage, 0x33);
	return Region(static_cast<char *>(p), kPages * kPage);
}

std::optional<Region> ext4(std::string &why, const char *name, int flags)
{
	std::string f = ext4_file(name, kPages);
	char *p = f.empty() ? nullptr : static_cast<char *>(map_file(f, kPages, 0, flags, PROT_READ | PROT_WRITE));
	if (!p) {
		why = "no ext4 scratch disk at /mnt/ext4";
		return std::nullopt;
	}
	touch_read(p, kPages * kPage);
	return Region(p, kPages * kPage);
}

std::optional<Region> ext4_shared(std::string &why)
{
	return ext4(why, "crossed-shared", MAP_SHARED);
}

std::optional<Region> ext4_private(std::string &why)
{
	return ext4(why, "crossed-private", MAP_PRIVATE);
}

} // namespace

Region::~Region()
{
	if (p_)
		munmap(p_, len_);
}

bool Region::move()
{
	// Reserve room, and move to its first 2 MiB boundary: a PMD-mapped THP then moves whole.
	size_t room = len_ + 2 * kHuge;
	char *hole = static_cast<char *>(mmap(nullptr, room, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (hole == MAP_FAILED)
		return false;
	char *to = align_up(hole, kHuge);
	if (mremap(p_, len_, len_, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED) {
		munmap(hole, room);
		return false;
	}
	if (to > hole)
		munmap(hole, static_cast<size_t>(to - hole));
	munmap(to + len_, static_cast<size_t>(hole + room - (to + len_)));
	p_ = to;
	return true;
}

const std::array<Backing, 6> kBackings = {{
	{"anon", "anon", "pte", true, false, anon},
	{"THP", "anon", "pmd", true, false, thp},
	{"mTHP", "anon", "pte", true, false, mthp},
	{"memfd", "shmem", "pte", false, false, memfd},
	{"ext4 MAP_SHARED", "file", "pte", false, false, ext4_shared},
	{"ext4 MAP_PRIVATE", "file", "pte", true, true, ext4_private},
}};

} // namespace rmapscope
