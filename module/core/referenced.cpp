// SPDX-License-Identifier: GPL-2.0
// referenced <target>: the young bits as a walk finds them, then folio_referenced() on the folio
// isolated and locked as reclaim holds it, and what that call did.
#include "errno.h"
#include "policy.hpp"
#include "verbs.hpp"

namespace rs {

long run_referenced(const rs_command &cmd, char **out)
{
	char msg[160] = "";
	FolioRef folio;
	int r = resolve_target(cmd, folio, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);

	rs_folio_info info{};
	rs_os_folio_describe(folio.get(), &info);
	WalkPlan plan = plan_referenced(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, out);

	// Reclaim's order: isolate, then lock; unlock, then put back (the guards unwind in reverse).
	LruIsolation isolation(folio.get());
	r = isolation.isolate(msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);
	FolioLock lock(folio.get());
	if (lock.lock())
		return fail(-RS_EINTR, "interrupted while waiting for the folio lock", out);

	WalkBuffer walk;
	r = collect(cmd, folio.get(), info.mapcount, false, walk, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);
	rs_walk_result res = *rs_os_walk_result(walk.get());
	r = rs_os_folio_referenced(folio.get(), &res.action, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);
	if (res.action.refs < 0)
		return fail(-RS_EAGAIN,
			    "folio_referenced returned -1: an rmap lock was contended (or a mapping's mm is exiting); try again",
			    out);
	res.action.effects = referenced_effects(res.action, res);
	return respond(res, cmd.format, out);
}

} // namespace rs
