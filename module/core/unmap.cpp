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

// Owns the per-record "gone" marks.
class GoneMarks {
public:
	explicit GoneMarks(unsigned n) : p_(static_cast<unsigned char *>(rs_os_valloc(n ? n : 1))) {}
	GoneMarks(const GoneMarks &) = delete;
	GoneMarks &operator=(const GoneMarks &) = delete;
	~GoneMarks() { rs_os_vfree(p_); }
	unsigned char *get() const { return p_; }

private:
	unsigned char *p_;
};

} // namespace

long run_unmap(const rs_command &cmd, char **out)
{
	char msg[160] = "";
	FolioRef folio;
	int r = resolve_target(cmd, folio, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);

	FolioLock lock(folio.get());
	if (lock.lock())
		return fail(-RS_EINTR, "interrupted while waiting for the folio lock", out);
	// Described under the lock: swapcache and mlocked cannot change behind the decision.
	rs_folio_info info{};
	rs_os_folio_describe(folio.get(), &info);
	WalkPlan plan = plan_unmap(info);
	if (plan.refuse)
		return fail(plan.refuse, plan.reason, out);

	WalkBuffer before;
	r = collect(cmd, folio.get(), info.mapcount, false, before, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);
	rs_walk_result res = *rs_os_walk_result(before.get());
	if (any_mlocked(res))
		return fail(-RS_EPERM, "an mlocked VMA maps the folio", out);
	if (res.truncated)
		return fail(-RS_ERANGE, "more mappings than max= allows: raise max= to see what unmap would take", out);

	r = rs_os_folio_unmap(folio.get(), &res.action, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);

	GoneMarks gone(res.nr_recs);
	if (!gone.get())
		return fail(-RS_ENOMEM, "no memory for the report (the folio was unmapped)", out);
	WalkBuffer after;
	if (res.action.mapcount_after != 0) {
		r = collect(cmd, folio.get(), res.action.mapcount_after, false, after, msg, sizeof(msg));
		if (r)
			return fail(r, msg, out);
	}
	res.action.gone = mark_gone(res, after.get() ? rs_os_walk_result(after.get()) : nullptr, gone.get());
	res.gone = gone.get();
	return respond(res, cmd.format, out);
}

} // namespace rs
