// SPDX-License-Identifier: GPL-2.0
#include "ctl_client.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <fcntl.h>
#include <iostream>
#include <unistd.h>

#include "../../include/rmapscope/abi.h"

namespace rmapscope {

std::string debugfs_path(const std::string &file)
{
	return std::string("/sys/kernel/debug/") + RMAPSCOPE_DEBUGFS_DIR + "/" + file;
}

std::string ctl_path()
{
	std::string ctl = debugfs_path(RMAPSCOPE_FILE_CTL), dev = std::string("/dev/") + RMAPSCOPE_DEVICE_NAME;
	if (access(ctl.c_str(), F_OK) != 0 && access(dev.c_str(), F_OK) == 0)
		return dev;
	return ctl;
}

std::string explain_open_failure(const std::string &path, int err)
{
	std::string why = "cannot open " + path + ": " + std::strerror(err);
	if (err == EPERM && geteuid() == 0) {
		// Locked down after the module was loaded: debugfs itself refuses writable files.
		std::ifstream lf("/sys/kernel/security/lockdown");
		std::string modes;
		std::getline(lf, modes);
		for (const char *m : {"[integrity]", "[confidentiality]"})
			if (modes.find(m) != std::string::npos)
				return why + " (the kernel is locked down, " + std::string(m + 1, std::strlen(m) - 2) +
				       ": debugfs refuses every writable file; `rmapscope version` still works)\n";
	}
	if (err == EACCES || err == EPERM)
		return why + " (rmapscope needs root: CAP_SYS_ADMIN, and debugfs is root-only)\n";
	if (err != ENOENT)
		return why + "\n";
	if (access(debugfs_path(RMAPSCOPE_FILE_VERSION).c_str(), F_OK) == 0)
		return why + " (the module is loaded but made no ctl: the kernel is locked down; "
			     "`rmapscope version` shows the lockdown mode)\n";
	if (access("/sys/kernel/debug/", F_OK) != 0 || access("/sys/kernel/debug/.", R_OK) != 0)
		return why + " (debugfs is not mounted, or not readable: mount -t debugfs none /sys/kernel/debug, as root)\n";
	return why + " (rmapscope.ko is not loaded: modprobe rmapscope, or insmod rmapscope.ko)\n";
}

void print_failure(const CtlReply &r)
{
	std::cerr << "rmapscope: " << r.text;
	if (r.text.empty() || r.text.back() != '\n')
		std::cerr << "\n";
}

CtlReply ctl_transact(const std::string &command)
{
	CtlReply r;
	std::string path = ctl_path();
	int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r.err = errno;
		r.opened = false;
		r.text = explain_open_failure(path, r.err);
		return r;
	}
	ssize_t w = write(fd, command.data(), command.size());
	if (w < 0)
		r.err = errno;
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		r.text.append(buf, static_cast<size_t>(n));
	}
	close(fd);
	return r;
}

} // namespace rmapscope
