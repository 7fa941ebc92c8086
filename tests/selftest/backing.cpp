// SPDX-License-Identifier: GPL-2.0
// The table of backings: anonymous memory, a THP, memfd (shmem), and an ext4 file mapped
// MAP_SHARED and MAP_PRIVATE. Each is populated the way a program would: anonymous memory by
// writing it, file memory by reading it.
#include "backing.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include "oracle.hpp"
#include "procs.hpp"

namespace rmapscope {
namespace {

constexpr size_t kPages = 4;
constexpr size_t kHuge = 2 << 20;

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
	// One 2 MiB-aligned VMA: what is left of a 4 MiB mapping around it is given back.
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

const std::array<Backing, 5> kBackings = {{
	{"anon", "anon", "pte", true, false, anon},
	{"THP", "anon", "pmd", true, false, thp},
	{"memfd", "shmem", "pte", false, false, memfd},
	{"ext4 MAP_SHARED", "file", "pte", false, false, ext4_shared},
	{"ext4 MAP_PRIVATE", "file", "pte", true, true, ext4_private},
}};

} // namespace rmapscope
