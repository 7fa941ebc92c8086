// SPDX-License-Identifier: GPL-2.0
// `rmapscope-selftest hostile FILE`: feeds every case of tests/hostile/ctl-commands.txt to ctl and checks
// the errno, the "error <ERRNO> ..." reply, and that the kernel log stays silent. TAP output.
#include "hostile.hpp"

#include "ctl_client.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "../../include/rmapscope/abi.h"
#include "procs.hpp"
#include "tap.hpp"

namespace rmapscope {
namespace {

const std::map<std::string, int> kErrnos = {
	{"EINVAL", EINVAL}, {"ESRCH", ESRCH}, {"EFAULT", EFAULT}, {"ERANGE", ERANGE},
	{"EBUSY", EBUSY}, {"EPERM", EPERM}, {"ENOENT", ENOENT}, {"ENXIO", ENXIO}, {"ENODEV", ENODEV},
	{"EOPNOTSUPP", EOPNOTSUPP}, {"OK", 0},
};

// Highest "System RAM" end and the start of "Kernel code", from /proc/iomem (real values as root).
void iomem(uint64_t &ram_end, uint64_t &kernel_code)
{
	std::ifstream in("/proc/iomem");
	std::string line;
	ram_end = kernel_code = 0;
	while (std::getline(in, line)) {
		unsigned long lo, hi;
		if (std::sscanf(line.c_str(), " %lx-%lx", &lo, &hi) != 2)
			continue;
		if (line.find("System RAM") != std::string::npos && hi > ram_end)
			ram_end = hi;
		if (line.find("Kernel code") != std::string::npos && !kernel_code)
			kernel_code = lo;
	}
}

std::string substitute(std::string s, const std::map<std::string, std::string> &vars)
{
	for (const auto &[k, v] : vars)
		for (size_t pos; (pos = s.find(k)) != std::string::npos;)
			s.replace(pos, k.size(), v);
	for (size_t pos; (pos = s.find("@REPEAT(")) != std::string::npos;) {
		size_t comma = s.find(',', pos), close = s.find(')', pos);
		size_t n = std::stoul(s.substr(pos + 8, comma - pos - 8));
		s.replace(pos, close - pos + 1, std::string(n, s[comma + 1]));
	}
	std::string out;
	for (size_t i = 0; i < s.size(); ++i) {
		if (s[i] != '\\' || i + 1 == s.size()) {
			out += s[i];
			continue;
		}
		char c = s[++i];
		if (c == 'n')
			out += '\n';
		else if (c == 't')
			out += '\t';
		else if (c == 'r')
			out += '\r';
		else if (c == '0')
			out += '\0';
		else if (c == 'x') {
			out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
			i += 2;
		} else
			out += c;
	}
	return out;
}

std::string printable(const std::string &s)
{
	std::string o;
	for (unsigned char c : s.substr(0, 60))
		o += (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c)) : "\\x" + hex(c).substr(2);
	return s.size() > 60 ? o + "..." : o;
}

} // namespace

// The errno a child gets opening path after giving up CAP_SYS_ADMIN (drop_uid: becoming nobody
// instead); 0 when it could open it, -1 when the child could not be set up.
static int open_errno_without(const std::string &path, bool drop_uid)
{
	int pipefd[2];
	if (pipe(pipefd))
		return -1;
	pid_t child = fork();
	if (child == 0) {
		int err = 0;
		if (drop_uid) {
			if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
				err = -1;
		} else {
			__user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
			__user_cap_data_struct data[2] = {};
			if (syscall(SYS_capget, &hdr, data) == 0) {
				data[0].effective &= ~(1U << CAP_SYS_ADMIN);
				err = syscall(SYS_capset, &hdr, data) ? -1 : 0;
			} else {
				err = -1;
			}
		}
		if (!err) {
			int fd = open(path.c_str(), O_RDWR);
			err = fd < 0 ? errno : 0;
		}
		ssize_t n = write(pipefd[1], &err, sizeof(err));
		_exit(n == sizeof(err) ? 0 : 1);
	}
	close(pipefd[1]);
	int err = -1;
	if (read(pipefd[0], &err, sizeof(err)) != sizeof(err))
		err = -1;
	close(pipefd[0]);
	waitpid(child, nullptr, 0);
	return err;
}

int run_hostile(const std::string &file)
{
	Tap t;
	std::ifstream in(file);
	if (!in) {
		t.ok(false, "open " + file);
		t.plan();
		return 1;
	}
	// Evidence for the substitutions.
	char *page = static_cast<char *>(map_anon(kPage));
	touch_write(page, kPage, 1);
	char *hole = static_cast<char *>(map_anon(kPage));
	munmap(hole, kPage);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, nullptr, 0);
	uint64_t ram_end, kcode;
	iomem(ram_end, kcode);
	const uint64_t gib = 1ULL << 30;
	std::map<std::string, std::string> vars = {
		{"$SELF", std::to_string(getpid())}, {"$DEAD", std::to_string(dead)}, {"$KTHREAD", "2"},
		{"$ADDR", hex(reinterpret_cast<uint64_t>(page))}, {"$HOLE", hex(reinterpret_cast<uint64_t>(hole))},
		{"$BEYOND", hex(((ram_end + gib) & ~(gib - 1)) / kPage)}, {"$KPFN", hex(kcode / kPage)},
		{"$DETAIL_PAST", hex(0x1000 + (RMAPSCOPE_RANGE_DETAIL_MAX_PAGES + 1) * kPage)},
	};
	std::string ctl = ctl_path();

	// The kernel log from here on must stay silent.
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);

	// Only root with CAP_SYS_ADMIN: a process that dropped the capability (still uid 0) is refused
	// by the module's own check (EPERM), another user by the file's mode (EACCES).
	t.ok(open_errno_without(ctl, false) == EPERM, ctl + ": a root process without CAP_SYS_ADMIN cannot open it (EPERM)");
	t.ok(open_errno_without(ctl, true) == EACCES, ctl + ": a user other than root cannot open it (EACCES)");

	// A read before any write.
	int fd = open(ctl.c_str(), O_RDWR);
	char buf[4096];
	errno = 0;
	t.ok(read(fd, buf, sizeof(buf)) < 0 && errno == ENODATA, "read before any write: ENODATA");
	close(fd);

	std::string line;
	int cases = 0;
	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		size_t sp = line.find(' ');
		std::string name = line.substr(0, sp);
		auto it = kErrnos.find(name);
		if (it == kErrnos.end()) {
			t.ok(false, "unknown expectation " + name);
			continue;
		}
		++cases;
		std::string cmd = substitute(sp == std::string::npos ? "" : line.substr(sp + 1), vars);
		fd = open(ctl.c_str(), O_RDWR);
		errno = 0;
		ssize_t w = write(fd, cmd.data(), cmd.size());
		int err = w < 0 ? errno : 0;
		std::string reply;
		for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;)
			reply.append(buf, static_cast<size_t>(n));
		close(fd);
		std::string desc = name + " " + printable(cmd);
		if (it->second == 0) {
			// A walk's answer starts with its folio; referenced, unmap, range scans, share and phys with theirs.
			bool answered = false;
			for (const char *start : {"folio ", "{\"folio\"", "referenced ", "unmap ", "range ", "share ", "{\"share\"", "phys ", "{\"phys\""})
				answered = answered || reply.rfind(start, 0) == 0;
			t.ok(err == 0 && w == static_cast<ssize_t>(cmd.size()) && answered, desc, reply.substr(0, 200));
			continue;
		}
		bool ok = err == it->second && reply.rfind("error " + name + " ", 0) == 0 && reply.size() > name.size() + 8 &&
			  reply.back() == '\n';
		t.ok(ok, desc, "errno " + std::to_string(err) + ", reply: " + reply.substr(0, 200));
	}
	t.ok(cases >= 100, "at least 100 hostile cases (" + std::to_string(cases) + ")");

	std::string noise;
	if (kmsg >= 0) {
		for (ssize_t n; (n = read(kmsg, buf, sizeof(buf) - 1)) > 0;)
			noise.append(buf, static_cast<size_t>(n));
		close(kmsg);
	}
	t.ok(kmsg >= 0 && noise.empty(), "the kernel log stayed silent", noise);
	t.plan();
	return t.failed();
}

} // namespace rmapscope
