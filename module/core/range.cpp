// SPDX-License-Identifier: GPL-2.0
// referenced pid= start= end= [detail=1]: the range scan, and its response.
#include "errno.h"
#include "range_report.h"
#include "text_writer.hpp"
#include "verbs.hpp"

namespace rs {

namespace {

const char *skip_name(int skip)
{
	static constexpr const char *names[] = {
#define RS_SKIP_NAME(name, text) text,
		RS_RANGE_SKIPS(RS_SKIP_NAME)
#undef RS_SKIP_NAME
	};
	return skip >= 0 && skip < RS_NR_SKIPS ? names[skip] : "none";
}

constexpr usize kSummary = 1024;
constexpr usize kDetailLine = 128;

} // namespace

extern "C" long rs_core_format_range(const rs_range_result *r, char *buf, usize cap)
{
	static constexpr const char *buckets[RS_RANGE_HIST] = {"refs_0", "refs_1", "refs_2_3", "refs_4_7",
								"refs_8_15", "refs_16_plus"};
	TextWriter w(buf, cap);
	w.str("range").kv_dec("pid", static_cast<u64>(r->pid)).kv_hex("start", r->start).kv_hex("end", r->end)
		.kv_dec("pages", r->pages).kv_dec("pages_referenced", r->pages_referenced)
		.kv_dec("folios", r->folios).kv_dec("folios_referenced", r->folios_referenced)
		.kv_dec("skipped_folios", r->skipped_folios).kv_dec("skipped_pages", r->skipped_pages);
	w.str(" look_around=");
	if (r->look_around < 0)
		w.str("unknown");
	else
		w.dec(static_cast<u64>(r->look_around));
	w.kv_dec("answered_by_entry", r->answered_by_entry).kv_bool("mglru", r->mglru).kv_dec("ns", r->ns).kv_dec("lookup_ns", r->lookup_ns)
		.kv_dec("ask_ns", r->ask_ns).endl();
	w.str("skips");
	for (int i = 0; i < RS_NR_SKIPS; ++i)
		w.kv_dec(skip_name(i), r->skips[i]);
	w.endl();
	w.str("histogram");
	for (int i = 0; i < RS_RANGE_HIST; ++i)
		w.kv_dec(buckets[i], r->hist[i]);
	w.endl();
	for (unsigned long i = 0; i < r->nr_detail; ++i) {
		const rs_range_page &p = r->detail[i];
		w.str("page").kv_hex("addr", p.addr).kv_hex("pfn", p.pfn);
		if (p.skip != RS_RANGE_NO_SKIP)
			w.kv("skip", skip_name(p.skip));
		else
			w.str(" refs=").sdec(p.refs).kv_bool("young_before", p.young_before)
				.kv_bool("look_around", p.look_around);
		w.endl();
	}
	if (w.overflowed())
		return -RS_ENOSPC;
	return static_cast<long>(w.size());
}

long run_range(const rs_command &cmd, char **out)
{
	char msg[RS_MSG_MAX] = "";
	rs_range_result res{};
	// The pages of the range, in the kernel's page size (one more for a start inside a page).
	const unsigned long ps = rs_os_page_size();
	unsigned long pages = (cmd.end - cmd.start + ps - 1) / ps + 1;
	if (cmd.detail && pages - 1 > RMAPSCOPE_RANGE_DETAIL_MAX_PAGES) {
		TextWriter m(msg, sizeof(msg));
		m.str("detail=1 covers at most ").dec(RMAPSCOPE_RANGE_DETAIL_MAX_PAGES).str(" pages");
		return fail(-RS_EINVAL, msg, out);
	}
	auto detail = VBuffer::make(cmd.detail ? pages * sizeof(rs_range_page) : 0);
	if (!detail)
		return fail(detail.error(), "no memory for the per-page lines", out);
	res.detail = cmd.detail ? detail->as<rs_range_page>() : nullptr;
	res.detail_cap = cmd.detail ? pages : 0;

	int r = rs_os_range_referenced(cmd.pid, cmd.start, cmd.end, &res, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);

	usize cap = kSummary + res.nr_detail * kDetailLine;
	return respond_bounded(cap, out, [&](char *buf, usize n) { return rs_core_format_range(&res, buf, n); });
}

} // namespace rs
