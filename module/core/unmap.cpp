// SPDX-License-Identifier: GPL-2.0
// unmap <target>: try_to_unmap() where no data can be lost, with the mappings before, and which
// of them went.
#include "errno.h"
#include "policy.hpp"
#include "verbs.hpp"

namespace rs {

namespace {

bool same_mapping(const rs_map_record &a, const rs_map_record &b)
{
	return a.mm_cookie == b.mm_cookie && a.vma_start == b.vma_start && a.addr == b.addr;
}

// gone[i] = 1 when before's mapping i is not among after's mappings; returns how many went.
unsigned mark_gone(const rs_walk_result &before, const rs_walk_result *after, unsigned char *gone)
{
	unsigned n = 0;
	for (unsigned i = 0; i < before.nr_recs; ++i) {
		const rs_map_record &m = before.recs[i];
		bool stays = false;
		for (unsigned k = 0; after && !m.skip && k < after->nr_recs && !stays; ++k)
			stays = !after->recs[k].skip && same_mapping(m, after->recs[k]);
		gone[i] = !m.skip && !stays;
		n += gone[i];
	}
	return n;
}

} // namespace

long run_unmap(const rs_command &cmd, char **out)
{
	char msg[RS_MSG_MAX] = "";
	auto folio = resolve_target(cmd, msg, sizeof(msg));
	if (!folio)
		return fail(folio.error(), msg, out);

	// Under the folio lock: the decision, the walk before, the call and the walk after. The
	// report is put together and written once the lock is dropped.
	rs_walk_result res{};
	auto before = Maybe<WalkBuffer>::error(-RS_ENODATA), after = Maybe<WalkBuffer>::error(-RS_ENODATA);
	int r = [&]() -> int {
		auto lock = lock_folio(folio->get(), msg, sizeof(msg));
		if (!lock)
			return lock.error();
		// Described under the lock: swapcache and mlocked cannot change behind the decision.
		rs_folio_info info{};
		rs_os_folio_describe(folio->get(), &info);
		WalkPlan plan = plan_unmap(info);
		if (plan.refuse)
			return refuse(plan.refuse, plan.reason, msg, sizeof(msg));
		before = collect(cmd, folio->get(), info.mapcount, false, msg, sizeof(msg));
		if (!before)
			return before.error();
		res = before->result();
		if (any_mlocked(res))
			return refuse(-RS_EPERM, "an mlocked VMA maps the folio", msg, sizeof(msg));
		if (res.truncated)
			return refuse(-RS_ERANGE, "more mappings than max= allows: raise max= to see what unmap would take",
				      msg, sizeof(msg));
		int err = rs_os_folio_unmap(folio->get(), &res.action, msg, sizeof(msg));
		if (err)
			return err;
		if (res.action.mapcount_after != 0) {
			after = collect(cmd, folio->get(), res.action.mapcount_after, false, msg, sizeof(msg));
			if (!after)
				return after.error();
		}
		return 0;
	}();
	if (r)
		return fail(r, msg, out);

	auto gone = VBuffer::make(res.nr_recs);
	if (!gone)
		return fail(gone.error(), "no memory for the report (the folio was unmapped)", out);
	res.action.gone = mark_gone(res, after ? &after->result() : nullptr, gone->as<unsigned char>());
	res.gone = gone->as<unsigned char>();
	return respond(res, cmd.format, out);
}

} // namespace rs
