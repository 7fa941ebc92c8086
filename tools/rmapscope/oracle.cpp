// SPDX-License-Identifier: GPL-2.0
#include "oracle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "procs.hpp"

namespace rmapscope {

namespace {
// Calls fn(pid, name) for every process directory in /proc.
template <class Fn> void for_each_pid(Fn fn)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return;
	while (dirent *de = readdir(proc)) {
		char *end;
		long pid = std::strtol(de->d_name, &end, 10);
		if (*end == '\0' && pid > 0)
			fn(static_cast<int>(pid), std::string(de->d_name));
	}
	closedir(proc);
}
} // namespace

uint64_t pagemap_entry(int pid, uint64_t addr)
{
	std::string path = "/proc/" + std::to_string(pid) + "/pagemap";
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	uint64_t e = 0;
	if (pread(fd, &e, sizeof(e), static_cast<off_t>(addr / kPage * 8)) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

std::vector<OracleHit> oracle_find(uint64_t pfn_begin, uint64_t pfn_end)
{
	std::vector<OracleHit> hits;
	std::vector<uint64_t> buf;
	for_each_pid([&](int pid, const std::string &name) {
		std::ifstream maps("/proc/" + name + "/maps");
		std::string pm = "/proc/" + name + "/pagemap";
		int fd = open(pm.c_str(), O_RDONLY | O_CLOEXEC);
		if (!maps || fd < 0) {
			if (fd >= 0)
				close(fd);
			return;
		}
		std::string line;
		while (std::getline(maps, line)) {
			uint64_t lo, hi;
			if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) != 2 || hi <= lo)
				continue;
			if (line.find("[vsyscall]") != std::string::npos)
				continue;
			uint64_t n = (hi - lo) / kPage;
			buf.resize(n);
			ssize_t got = pread(fd, buf.data(), n * 8, static_cast<off_t>(lo / kPage * 8));
			if (got <= 0)
				continue;
			OracleHit h{pid, lo, hi, 0, 0};
			for (uint64_t i = 0; i < static_cast<uint64_t>(got) / 8; ++i) {
				uint64_t e = buf[i];
				if (!pm_present(e) || pm_pfn(e) < pfn_begin || pm_pfn(e) >= pfn_end)
					continue;
				if (h.pages == 0)
					h.addr = lo + i * kPage;
				h.pages++;
			}
			if (h.pages)
				hits.push_back(h);
		}
		close(fd);
	});
	return hits;
}

std::vector<std::pair<int, uint64_t>> maps_of_file(const std::string &path)
{
	std::vector<std::pair<int, uint64_t>> out;
	for_each_pid([&](int pid, const std::string &name) {
		std::ifstream maps("/proc/" + name + "/maps");
		std::string line;
		while (std::getline(maps, line)) {
			uint64_t lo;
			if (line.size() > path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0 &&
			    line[line.size() - path.size() - 1] == ' ' && std::sscanf(line.c_str(), "%lx-", &lo) == 1)
				out.emplace_back(pid, lo);
		}
	});
	return out;
}

} // namespace rmapscope
