// SPDX-License-Identifier: GPL-2.0
#include "ctl_client.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "../../include/rmapscope/abi.h"

namespace rmapscope {

CtlReply ctl_transact(const std::string &command)
{
	CtlReply r;
	std::string path = std::string("/sys/kernel/debug/") + RMAPSCOPE_DEBUGFS_DIR + "/" + RMAPSCOPE_FILE_CTL;
	int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r.err = errno;
		r.text = "cannot open " + path;
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
