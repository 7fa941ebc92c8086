// SPDX-License-Identifier: GPL-2.0
#include "ctl_client.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <fcntl.h>
#include <iostream>
#include <unistd.h>

#include "doctor.hpp"
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
	// Not a guess: the first of rmapscope doctor's checks that fails names the cause.
	std::string why = "cannot open " + path + ": " + std::strerror(err), cause = first_failure();
	return why + (cause.empty() ? "" : " (" + cause + ")") + "\n";
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
