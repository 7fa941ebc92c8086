// SPDX-License-Identifier: GPL-2.0
// Processes and mappings for the demo and the harness: helper processes that hold mappings, and
// pages made, touched and mapped on purpose.
#pragma once

#include <sys/mman.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rmapscope {

// A forked helper: runs setup() in the child (which returns a value for the parent, e.g. an
// address), then blocks until released. It never touches memory on its own after setup.
class Helper {
public:
	// With ready = false, the constructor returns at once and wait_ready() collects setup's
	// value later (for a setup that needs the parent to act first, e.g. to receive an fd).
	explicit Helper(const std::function<uint64_t()> &setup, bool ready = true);
	uint64_t wait_ready();
	Helper(const Helper &) = delete;
	Helper &operator=(const Helper &) = delete;
	Helper(Helper &&o) noexcept;
	~Helper();
	pid_t pid() const { return pid_; }
	uint64_t value() const { return value_; }

private:
	pid_t pid_ = -1;
	int go_ = -1;
	int ready_ = -1;
	uint64_t value_ = 0;
};

// The kernel's page size (4 KiB, or 16/64 KiB on arm64), never a literal.
uint64_t page_size();
inline const uint64_t kPage = page_size();
// Whether the kernel has THP at all (/sys/kernel/mm/transparent_hugepage): not with PREEMPT_RT,
// where CONFIG_TRANSPARENT_HUGEPAGE depends on !PREEMPT_RT.
bool thp_configured();
// Why a THP test cannot run on this kernel, with the evidence; "" when it can.
std::string no_thp_reason();
// The size of a PMD-mapped THP (hpage_pmd_size: 2 MiB with 4 KiB pages, 32 MiB with 16 KiB).
uint64_t thp_size();
// The multi-size THP sizes the kernel offers for anonymous memory below the PMD size
// (/sys/kernel/mm/transparent_hugepage/hugepages-*kB, since 6.8), smallest first; empty before.
std::vector<uint64_t> mthp_sizes();
std::string hex(uint64_t v); // "0x..." as ctl commands take it
void *map_anon(size_t len, int flags = 0);
void touch_write(void *p, size_t len, unsigned char byte);
void touch_read(const void *p, size_t len);
// Pushes this CPU's LRU batch through by faulting pages (the selftest runs on one CPU).
void settle_lru();
// A file of pages on the guest's ext4 scratch disk, page i filled with byte i; "" without one.
std::string ext4_file(const char *name, size_t pages);
// Writes text to a file (sysfs, procfs, cgroupfs) in one write(); false if that fails.
bool write_file(const std::string &path, const std::string &text);
// sync, then drop the page cache (and slab caches): what a later read() gets comes from disk.
void drop_caches();
// mmap of a file, or nullptr.
void *map_file(const std::string &path, size_t pages, off_t pgoff, int flags, int prot = PROT_READ);

} // namespace rmapscope
