// SPDX-License-Identifier: GPL-2.0
// The walk command: resolve the target, decide what may be done to that folio, walk it under
// the locks rmap requires, and write the response.
#include "command.h"
#include "core.h"
#include "errno.h"
#include "guards.hpp"
#include "policy.hpp"
#include "text_writer.hpp"
#include "walk_report.h"

namespace {

long fail(int err, const char *msg, char *buf, rs::usize cap)
{
	rs_core_format_error(err, msg, buf, cap);
	return err;
}

} // namespace

extern "C" long rs_core_run_walk(const rs_command *cmd, char *buf, rs::usize cap)
{
	char msg[160] = "";
	rs::FolioRef folio;
	int r = cmd->by_pfn ? rs_os_target_pfn(cmd->pfn, folio.out(), msg, sizeof(msg))
			    : rs_os_target_pid_addr(cmd->pid, cmd->addr, folio.out(), msg, sizeof(msg));
	if (r)
		return fail(r, msg, buf, cap);

	rs_folio_info info{};
	rs_os_folio_describe(folio.get(), &info);
	rs::WalkPlan plan = rs::plan_walk(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, buf, cap);

	rs::WalkBuffer walk(cmd->max);
	if (!walk.get())
		return fail(-RS_ENOMEM, "no memory for the walk's records", buf, cap);

	rs::FolioLock lock(folio.get());
	if (plan.needs_lock && lock.lock())
		return fail(-RS_EINTR, "interrupted while waiting for the folio lock", buf, cap);
	r = rs_os_walk_run(walk.get(), folio.get(), msg, sizeof(msg));
	if (r)
		return fail(r, msg, buf, cap);
	// The folio description is taken again under the lock, after the walk, so it matches it.
	const rs_walk_result *res = rs_os_walk_result(walk.get());
	long len = rs_core_format_walk(res, cmd->format, buf, cap);
	if (len < 0)
		return fail(-RS_ENOSPC, "response larger than its buffer", buf, cap);
	return len;
}
