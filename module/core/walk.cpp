// SPDX-License-Identifier: GPL-2.0
// The walk and tree commands, and the steps every verb shares: resolve the target, decide what
// may be done to that folio, walk it under the locks rmap requires, and write the response.
#include "core.h"
#include "errno.h"
#include "policy.hpp"
#include "text_writer.hpp"
#include "verbs.hpp"

namespace rs {

long fail(int err, const char *msg, char **out)
{
	constexpr usize cap = 512;
	*out = static_cast<char *>(rs_os_valloc(cap));
	if (*out)
		rs_core_format_error(err, msg, *out, cap);
	return err;
}

int resolve_target(const rs_command &cmd, FolioRef &folio, char *msg, usize cap)
{
	return cmd.by_pfn ? rs_os_target_pfn(cmd.pfn, folio.out(), msg, cap)
			  : rs_os_target_pid_addr(cmd.pid, cmd.addr, folio.out(), msg, cap);
}

int collect(const rs_command &cmd, rs_folio *folio, int mapcount, bool tree, WalkBuffer &walk,
	    char *msg, usize cap)
{
	unsigned capacity = walk_capacity(cmd.max, mapcount);
	for (;;) {
		if (!walk.reset(capacity)) {
			TextWriter(msg, cap).str("no memory for the walk's records");
			return -RS_ENOMEM;
		}
		int r = tree ? rs_os_tree_run(walk.get(), folio, msg, cap)
			     : rs_os_walk_run(walk.get(), folio, msg, cap);
		if (r)
			return r;
		if (!walk_again(capacity, cmd.max, rs_os_walk_result(walk.get())->truncated))
			return 0;
		capacity = cmd.max;
	}
}

long respond(const rs_walk_result &res, int format, char **out)
{
	// The response is sized for the records actually kept and their real paths, not for the
	// worst case of max= records: a large kvmalloc is a vmalloc, which cost more than the walk
	// itself. (A measuring pass of the formatter cost as much as formatting.)
	usize cap = rs_core_walk_response_size(&res, format);
	*out = static_cast<char *>(rs_os_valloc(cap));
	if (!*out)
		return -RS_ENOMEM;
	long len = rs_core_format_walk(&res, format, *out, cap);
	if (len < 0) {
		rs_os_vfree(*out);
		return fail(-RS_ENOSPC, "response larger than its bound", out);
	}
	return len;
}

long run_walk(const rs_command &cmd, char **out)
{
	char msg[160] = "";
	FolioRef folio;
	int r = resolve_target(cmd, folio, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);

	rs_folio_info info{};
	rs_os_folio_describe(folio.get(), &info);
	WalkPlan plan = plan_walk(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, out);

	FolioLock lock(folio.get());
	if (lock.lock())
		return fail(-RS_EINTR, "interrupted while waiting for the folio lock", out);

	WalkBuffer walk;
	r = collect(cmd, folio.get(), info.mapcount, cmd.verb == RS_VERB_TREE, walk, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);
	return respond(*rs_os_walk_result(walk.get()), cmd.format, out);
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
	default:
		return rs::run_walk(*cmd, out);
	}
}
