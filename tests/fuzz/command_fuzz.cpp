// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the ctl command parser, built from the same source the module runs.
// Beyond not crashing (ASan/UBSan): an accepted command is always in range, and a refusal always
// comes with a NUL-terminated message.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "../../include/rmapscope/abi.h"
#include "../../module/core/command.h"
#include "../../module/core/errno.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rs_command cmd;
	char err[160];
	std::memset(err, 'X', sizeof(err));
	int r = rs_core_parse_command(reinterpret_cast<const char *>(data), size, &cmd, err, sizeof(err));
	if (r == 0) {
		bool ok = cmd.verb == RS_VERB_WALK && cmd.max >= 1 && cmd.max <= RMAPSCOPE_MAX_MAPS &&
			  (cmd.format == RS_FORMAT_TEXT || cmd.format == RS_FORMAT_JSON) &&
			  (cmd.by_pfn || (cmd.pid >= 1 && cmd.pid <= RMAPSCOPE_PID_MAX)) &&
			  size <= RMAPSCOPE_CMD_MAX + 1 && std::memchr(data, 0, size) == nullptr;
		if (!ok)
			std::abort();
	} else if (r != -RS_EINVAL || std::memchr(err, 0, sizeof(err)) == nullptr || err[0] == '\0') {
		std::abort();
	}
	return 0;
}
