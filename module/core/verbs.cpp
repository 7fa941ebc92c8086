// SPDX-License-Identifier: GPL-2.0
// The command dispatcher, and the steps every verb shares (verbs.hpp).
#include "verbs.hpp"

#include "core.h"
#include "errno.h"
#include "policy.hpp"
#include "text_writer.hpp"

namespace rs {

long fail(int err, const char *msg, char **out)
{
	constexpr usize cap = 512;
	*out = static_cast<char *>(rs_os_valloc(cap));
	if (*out)
		rs_core_format_error(err, msg, *out, cap);
	return err;
}

int refuse(int err, const char *why, char *msg, usize cap)
{
	TextWriter(msg, cap).str(why);
	return err;
}

Maybe<FolioRef> resolve_target(const rs_command &cmd, char *msg, usize cap)
{
	return FolioRef::resolve(cmd.by_pfn, cmd.pfn, cmd.pid, cmd.addr, msg, cap);
}

Maybe<FolioLock> lock_folio(rs_folio *folio, char *msg, usize cap)
{
	auto lock = FolioLock::take(folio);
	if (!lock)
		refuse(lock.error(), "interrupted while waiting for the folio lock", msg, cap);
	return lock;
}

Maybe<WalkBuffer> collect(const rs_command &cmd, rs_folio *folio, int mapcount, bool tree, char *msg, usize cap)
{
	unsigned capacity = walk_capacity(cmd.max, mapcount);
	for (;;) {
		auto walk = WalkBuffer::make(capacity, cmd.all_owners);
		if (!walk) {
			refuse(walk.error(), "no memory for the walk's records", msg, cap);
			return walk;
		}
		int r = tree ? rs_os_tree_run(walk->get(), folio, cmd.family, msg, cap) : rs_os_walk_run(walk->get(), folio, msg, cap);
		if (r)
			return Maybe<WalkBuffer>::error(r);
		if (!walk_again(capacity, cmd.max, walk->result().truncated))
			return walk;
		capacity = cmd.max;
	}
}

long respond(const rs_walk_result &res, int format, char **out)
{
	// The response is sized for the records actually kept and their real paths, not for the
	// worst case of max= records (docs/performance.md).
	usize cap = rs_core_walk_response_size(&res, format);
	return respond_bounded(cap, out, [&](char *buf, usize n) { return rs_core_format_walk(&res, format, buf, n); });
}

} // namespace rs

extern "C" long rs_core_run_command(const rs_command *cmd, char **out)
{
	*out = nullptr;
	switch (cmd->verb) {
	case RS_VERB_REFERENCED:
		return cmd->range ? rs::run_range(*cmd, out) : rs::run_referenced(*cmd, out);
	case RS_VERB_UNMAP:
		return rs::run_unmap(*cmd, out);
	case RS_VERB_SHARE:
		return rs::run_share(*cmd, out);
	case RS_VERB_PHYS:
		return rs::run_phys(*cmd, out);
	default:
		return rs::run_walk(*cmd, out);
	}
}
