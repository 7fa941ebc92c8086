// SPDX-License-Identifier: GPL-2.0
// referenced <target>: the young bits as a walk finds them, then folio_referenced() on the folio
// isolated and locked as reclaim holds it, and what that call did.
#include "errno.h"
#include "policy.hpp"
#include "verbs.hpp"

namespace rs {

long run_referenced(const rs_command &cmd, char **out)
{
	char msg[RS_MSG_MAX] = "";
	auto folio = resolve_target(cmd, msg, sizeof(msg));
	if (!folio)
		return fail(folio.error(), msg, out);

	rs_folio_info info{};
	rs_os_folio_describe(folio->get(), &info);
	WalkPlan plan = plan_referenced(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, out);

	// Reclaim's order: isolate, then lock; unlock, then put back (the guards unwind in reverse),
	// around the walk and the call only.
	rs_walk_result res{};
	auto walk = [&]() -> Maybe<WalkBuffer> {
		auto isolation = LruIsolation::take(folio->get(), msg, sizeof(msg));
		if (!isolation)
			return Maybe<WalkBuffer>::error(isolation.error());
		auto lock = lock_folio(folio->get(), msg, sizeof(msg));
		if (!lock)
			return Maybe<WalkBuffer>::error(lock.error());
		auto w = collect(cmd, folio->get(), info.mapcount, false, msg, sizeof(msg));
		if (!w)
			return w;
		res = w->result();
		int r = rs_os_folio_referenced(folio->get(), &res.action, msg, sizeof(msg));
		if (r)
			return Maybe<WalkBuffer>::error(r);
		return w;
	}();
	if (!walk)
		return fail(walk.error(), msg, out);
	if (res.action.refs < 0)
		return fail(-RS_EAGAIN,
			    "folio_referenced returned -1: an rmap lock was contended (or a mapping's mm is exiting); try again",
			    out);
	res.action.effects = referenced_effects(res.action, res);
	return respond(res, cmd.format, out);
}

} // namespace rs
