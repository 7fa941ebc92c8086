// SPDX-License-Identifier: GPL-2.0
// The walk command: resolve the target, decide what may be done to that folio, walk it under
// the locks rmap requires, and write the response.
#include "command.h"
#include "core.h"
#include "errno.h"
#include "guards.hpp"
#include "policy.hpp"
#include "types.hpp"
#include "walk_report.h"

namespace {

// The response of a failed command: one "error" line, in a buffer of its own.
long fail(int err, const char *msg, char **out)
{
	constexpr rs::usize cap = 512;
	*out = static_cast<char *>(rs_os_valloc(cap));
	if (*out)
		rs_core_format_error(err, msg, *out, cap);
	return err;
}

} // namespace

extern "C" long rs_core_run_walk(const rs_command *cmd, char **out)
{
	char msg[160] = "";
	*out = nullptr;
	rs::FolioRef folio;
	int r = cmd->by_pfn ? rs_os_target_pfn(cmd->pfn, folio.out(), msg, sizeof(msg))
			    : rs_os_target_pid_addr(cmd->pid, cmd->addr, folio.out(), msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);

	rs_folio_info info{};
	rs_os_folio_describe(folio.get(), &info);
	rs::WalkPlan plan = rs::plan_walk(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, out);

	rs::FolioLock lock(folio.get());
	if (plan.needs_lock && lock.lock())
		return fail(-RS_EINTR, "interrupted while waiting for the folio lock", out);

	unsigned capacity = rs::walk_capacity(cmd->max, info.mapcount);
	for (;;) {
		rs::WalkBuffer walk(capacity);
		if (!walk.get())
			return fail(-RS_ENOMEM, "no memory for the walk's records", out);
		r = cmd->verb == RS_VERB_TREE ? rs_os_tree_run(walk.get(), folio.get(), msg, sizeof(msg))
					      : rs_os_walk_run(walk.get(), folio.get(), msg, sizeof(msg));
		if (r)
			return fail(r, msg, out);
		const rs_walk_result *res = rs_os_walk_result(walk.get());
		if (rs::walk_again(capacity, cmd->max, res->truncated)) {
			capacity = cmd->max;
			continue;
		}
		// The response is sized for the records actually kept and their real paths, not for
		// the worst case of max= records: a large kvmalloc is a vmalloc, which cost more than
		// the walk itself. (A measuring pass of the formatter cost as much as formatting.)
		rs::usize cap = rs_core_walk_response_size(res, cmd->format);
		*out = static_cast<char *>(rs_os_valloc(cap));
		if (!*out)
			return -RS_ENOMEM;
		long len = rs_core_format_walk(res, cmd->format, *out, cap);
		if (len < 0) {
			rs_os_vfree(*out);
			return fail(-RS_ENOSPC, "response larger than its bound", out);
		}
		return len;
	}
}
