// SPDX-License-Identifier: GPL-2.0
// walk <target> and tree <target>: who maps the folio, or the structure behind it.
#include "errno.h"
#include "policy.hpp"
#include "verbs.hpp"

namespace rs {

long run_walk(const rs_command &cmd, char **out)
{
	char msg[RS_MSG_MAX] = "";
	auto folio = resolve_target(cmd, msg, sizeof(msg));
	if (!folio)
		return fail(folio.error(), msg, out);

	rs_folio_info info{};
	rs_os_folio_describe(folio->get(), &info);
	WalkPlan plan = plan_walk(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, out);

	// The folio lock is held for the walk alone.
	auto walk = [&]() -> Maybe<WalkBuffer> {
		auto lock = lock_folio(folio->get(), msg, sizeof(msg));
		if (!lock)
			return Maybe<WalkBuffer>::error(lock.error());
		return collect(cmd, folio->get(), info.mapcount, cmd.verb == RS_VERB_TREE, msg, sizeof(msg));
	}();
	if (!walk)
		return fail(walk.error(), msg, out);
	return respond(walk->result(), cmd.format, out);
}

} // namespace rs
