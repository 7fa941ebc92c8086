// SPDX-License-Identifier: GPL-2.0
#include "procs.hpp"

#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <algorithm>

namespace rmapscope {

namespace {
// The parent's ends of every live helper's release pipe. A new helper closes its copies at
// once: otherwise a sibling would hold another helper's pipe open and that helper would never
// see EOF when released.
std::vector<int> &release_fds()
{
	static std::vector<int> fds;
	return fds;
}
} // namespace

Helper::Helper(const std::function<uint64_t()> &setup, bool ready_now)
{
	int ready[2], go[2];
	if (pipe(ready) || pipe(go)) {
		std::perror("pipe");
		std::exit(2);
	}
	std::fflush(stdout);
	pid_ = fork();
	if (pid_ == 0) {
		for (int fd : release_fds())
			close(fd);
		release_fds().clear();
		close(ready[0]);
		close(go[1]);
		uint64_t v = setup();
		if (write(ready[1], &v, sizeof(v)) != sizeof(v))
			_exit(3);
		char c;
		while (read(go[0], &c, 1) > 0) {
		}
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	go_ = go[1];
	release_fds().push_back(go_);
	ready_ = ready[0];
	if (ready_now)
		wait_ready();
}

uint64_t Helper::wait_ready()
{
	if (ready_ < 0)
		return value_;
	if (read(ready_, &value_, sizeof(value_)) != sizeof(value_)) {
		std::fprintf(stderr, "helper %d died during setup\n", pid_);
		std::exit(2);
	}
	close(ready_);
	ready_ = -1;
	return value_;
}

Helper::Helper(Helper &&o) noexcept : pid_(o.pid_), go_(o.go_), ready_(o.ready_), value_(o.value_)
{
	o.pid_ = -1;
	o.go_ = -1;
	o.ready_ = -1;
}

Helper::~Helper()
{
	if (pid_ <= 0)
		return;
	auto &fds = release_fds();
	fds.erase(std::remove(fds.begin(), fds.end(), go_), fds.end());
	close(go_);
	waitpid(pid_, nullptr, 0);
}

// A freshly faulted folio waits in a per-CPU LRU batch (at most 31 entries) before it reaches
// the LRU, and a PFN names a page rmapscope accepts only on the LRU (as page_idle does). The
// selftest stays on one CPU, so faulting 64 more pages there pushes it through.
void settle_lru()
{
	constexpr size_t n = 64;
	char *p = static_cast<char *>(map_anon(n * kPage));
	touch_write(p, n * kPage, 1);
	munmap(p, n * kPage);
}

std::string ext4_file(const char *name, size_t pages)
{
	struct statfs fs;
	if (statfs("/mnt/ext4", &fs) != 0 || fs.f_type != 0xEF53) // EXT4_SUPER_MAGIC
		return "";
	std::string path = std::string("/mnt/ext4/") + name;
	int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
	std::vector<char> buf(pages * kPage);
	for (size_t i = 0; i < buf.size(); ++i)
		buf[i] = static_cast<char>(i / kPage);
	if (fd < 0 || write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()))
		return "";
	fsync(fd);
	close(fd);
	return path;
}

void *map_file(const std::string &path, size_t pages, off_t pgoff, int flags, int prot)
{
	int fd = open(path.c_str(), O_RDWR);
	void *p = mmap(nullptr, pages * kPage, prot, flags, fd, pgoff * static_cast<off_t>(kPage));
	close(fd);
	return p == MAP_FAILED ? nullptr : p;
}

bool write_file(const std::string &path, const std::string &text)
{
	int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
	close(fd);
	return ok;
}

void drop_caches()
{
	sync();
	write_file("/proc/sys/vm/drop_caches", "3\n");
}

uint64_t page_size()
{
	long ps = sysconf(_SC_PAGESIZE);
	return ps > 0 ? static_cast<uint64_t>(ps) : 4096;
}

bool thp_configured()
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

std::string no_thp_reason()
{
	return thp_configured() ? "" : "the kernel has no THP (no /sys/kernel/mm/transparent_hugepage: "
				       "CONFIG_TRANSPARENT_HUGEPAGE is off, as PREEMPT_RT requires)";
}

uint64_t thp_size()
{
	unsigned long long v = 0;
	if (FILE *f = std::fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re")) {
		if (std::fscanf(f, "%llu", &v) != 1)
			v = 0;
		std::fclose(f);
	}
	// Without THP in the kernel: what a PMD would map, a page table's worth of pages (8-byte entries).
	return v ? v : page_size() / 8 * page_size();
}

std::vector<uint64_t> mthp_sizes()
{
	std::vector<uint64_t> out;
	if (DIR *d = opendir("/sys/kernel/mm/transparent_hugepage")) {
		while (dirent *de = readdir(d)) {
			unsigned long long kb = 0;
			char tail = 0;
			if (std::sscanf(de->d_name, "hugepages-%llukB%c", &kb, &tail) == 1 && kb * 1024 > page_size() &&
			    kb * 1024 < thp_size())
				out.push_back(kb * 1024);
		}
		closedir(d);
	}
	std::sort(out.begin(), out.end());
	return out;
}

std::string hex(uint64_t v)
{
	char b[32];
	std::snprintf(b, sizeof(b), "0x%lx", static_cast<unsigned long>(v));
	return b;
}

void *map_anon(size_t len, int flags)
{
	void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED) {
		std::perror("mmap");
		std::exit(2);
	}
	return p;
}

void touch_write(void *p, size_t len, unsigned char byte)
{
	for (size_t i = 0; i < len; i += kPage)
		static_cast<volatile unsigned char *>(p)[i] = byte;
}

void touch_read(const void *p, size_t len)
{
	unsigned sum = 0;
	for (size_t i = 0; i < len; i += kPage)
		sum += static_cast<const volatile unsigned char *>(p)[i];
	(void)sum;
}

} // namespace rmapscope
