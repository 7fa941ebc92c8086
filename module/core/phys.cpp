// SPDX-License-Identifier: GPL-2.0
// phys [start_pfn= end_pfn=] [referenced=1] [young=0]: whose is this physical memory, and the response
// (docs/debugfs.md, "phys").
#include "errno.h"
#include "escape.hpp"
#include "phys_report.h"
#include "sort.hpp"
#include "text_writer.hpp"
#include "verbs.hpp"

namespace rs {

namespace {

constexpr const char *kKindNames[] = {
#define RS_NAME(name, text) text,
	RS_SHARE_KINDS(RS_NAME)
};
constexpr const char *kSkipNames[] = {RS_PHYS_SKIPS(RS_NAME)};
#undef RS_NAME
static_assert(sizeof(kKindNames) / sizeof(kKindNames[0]) == RS_NR_SHARE_KINDS);
static_assert(sizeof(kSkipNames) / sizeof(kSkipNames[0]) == RS_NR_PHYS_SKIPS);

// The summary and skip lines; an owner line (comm escaped: 16 bytes, 6 each at most); a file
// line (its path escaped).
constexpr usize kSummary = 2048;
constexpr usize kOwnerLine = 512 + 16 * 6;
constexpr usize kFileLine = 128 + RMAPSCOPE_PATH_MAX * 6;
// A set line, less its owner ids (11 bytes each at most).
constexpr usize kSetLine = 256;

void text(TextWriter &w, const rs_phys_result &r)
{
	w.str("phys").kv_hex("start_pfn", r.start_pfn).kv_hex("end_pfn", r.end_pfn).kv_dec("pages", r.pages)
		.kv_dec("lru", r.lru).kv_dec("mapped", r.mapped).kv_dec("unmapped", r.unmapped)
		.kv_dec("shared", r.shared).str(" referenced=");
	if (r.referenced < 0)
		w.ch('-');
	else
		w.dec(static_cast<u64>(r.referenced));
	for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
		w.kv_dec(kKindNames[k], r.kind[k]);
	w.kv_dec("thp", r.thp).kv_dec("folios", r.folios).kv_dec("vmas", r.vmas).kv_dec("nr_owners", r.nr_owners)
		.kv_dec("owners_dropped", r.owners_dropped).kv_dec("nr_files", r.nr_files)
		.kv_dec("files_dropped", r.files_dropped).kv("owners", r.all_owners ? "all" : "owner")
		.kv_dec("shared_mms", r.shared_mms).kv("method", method_name(r.method))
		.kv("mapcount", r.mapcount ? r.mapcount : "-").kv_dec("young", !r.no_young);
	if (r.sets_cap)
		w.kv_dec("nr_sets", r.nr_sets).kv_dec("sets_dropped", r.sets_dropped);
	w.kv_dec("lock_max_ns", r.lock_max_ns).kv_dec("ns", r.ns).endl();
	w.str("skips");
	for (int i = 0; i < RS_NR_PHYS_SKIPS; ++i)
		w.kv_dec(kSkipNames[i], r.skips[i]);
	w.endl();
	for (unsigned i = 0; i < r.nr_owners; ++i) {
		const rs_share_peer &o = r.owners[i];
		w.str("owner pid=");
		if (o.nr_pids)
			put_pid(w, o.pid, false);
		else
			w.ch('-');
		w.str(" comm=");
		put_path_text(w, o.nr_pids ? o.comm : nullptr);
		w.kv_dec("pages", o.pages).kv_dec("shared", o.shared);
		if (r.no_young)
			w.str(" young=-");
		else
			w.kv_dec("young", o.young);
		for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
			w.kv_dec(kKindNames[k], o.kind[k]);
		w.kv_dec("thp", o.thp).kv_dec("pss_bytes", o.pss >> RS_PSS_SHIFT).kv_dec("rss", o.rss).kv_dec("uss", o.uss);
		if (r.sets_cap)
			w.kv_dec("id", o.id);
		w.endl();
	}
	for (unsigned i = 0; i < r.nr_files; ++i) {
		const rs_phys_file &f = r.files[i];
		w.str("file path=");
		put_path_text(w, f.path);
		w.kv_dec("pages", f.pages).kv_dec("shared", f.shared).kv_dec("referenced", f.referenced).endl();
	}
	for (unsigned i = 0; i < r.nr_sets; ++i) {
		const rs_phys_set &s = r.sets[i];
		w.str("set").kv_dec("pages", s.pages);
		for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
			w.kv_dec(kKindNames[k], s.kind[k]);
		w.kv_dec("thp", s.thp).kv_dec("unlisted", s.unlisted).str(" owners=");
		for (unsigned m = 0; m < s.n; ++m) {
			if (m)
				w.ch(',');
			w.dec(r.set_members[s.first + m]);
		}
		if (!s.n)
			w.ch('-');
		w.endl();
	}
}

void json(TextWriter &w, const rs_phys_result &r)
{
	w.str("{\"phys\":{\"start_pfn\":").dec(r.start_pfn).str(",\"end_pfn\":").dec(r.end_pfn)
		.str(",\"pages\":").dec(r.pages).str(",\"lru\":").dec(r.lru).str(",\"mapped\":").dec(r.mapped)
		.str(",\"unmapped\":").dec(r.unmapped).str(",\"shared\":").dec(r.shared).str(",\"referenced\":");
	if (r.referenced < 0)
		w.str("null");
	else
		w.dec(static_cast<u64>(r.referenced));
	for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
		w.str(",\"").str(kKindNames[k]).str("\":").dec(r.kind[k]);
	w.str(",\"thp\":").dec(r.thp).str(",\"folios\":").dec(r.folios).str(",\"vmas\":").dec(r.vmas)
		.str(",\"owners_dropped\":").dec(r.owners_dropped).str(",\"files_dropped\":").dec(r.files_dropped)
		.str(",\"owners\":\"").str(r.all_owners ? "all" : "owner").str("\",\"shared_mms\":").dec(r.shared_mms)
		.str(",\"method\":\"").str(method_name(r.method)).str("\",\"mapcount\":\"")
		.str(r.mapcount ? r.mapcount : "-").str("\",\"young\":").str(r.no_young ? "false" : "true");
	if (r.sets_cap)
		w.str(",\"nr_sets\":").dec(r.nr_sets).str(",\"sets_dropped\":").dec(r.sets_dropped);
	w.str(",\"lock_max_ns\":").dec(r.lock_max_ns).str(",\"ns\":").dec(r.ns)
		.str("},\"skips\":{");
	for (int i = 0; i < RS_NR_PHYS_SKIPS; ++i)
		w.str(i ? ",\"" : "\"").str(kSkipNames[i]).str("\":").dec(r.skips[i]);
	w.str("},\"owners\":[");
	for (unsigned i = 0; i < r.nr_owners; ++i) {
		const rs_share_peer &o = r.owners[i];
		w.str(i ? ",{\"pid\":" : "{\"pid\":");
		if (o.nr_pids)
			put_pid(w, o.pid, true);
		else
			w.str("null");
		w.str(",\"comm\":");
		if (o.nr_pids)
			put_json_string(w, o.comm);
		else
			w.str("null");
		w.str(",\"pages\":").dec(o.pages).str(",\"shared\":").dec(o.shared).str(",\"young\":");
		if (r.no_young)
			w.str("null");
		else
			w.dec(o.young);
		for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
			w.str(",\"").str(kKindNames[k]).str("\":").dec(o.kind[k]);
		w.str(",\"thp\":").dec(o.thp).str(",\"pss_bytes\":").dec(o.pss >> RS_PSS_SHIFT).str(",\"rss\":")
			.dec(o.rss).str(",\"uss\":").dec(o.uss);
		if (r.sets_cap)
			w.str(",\"id\":").dec(o.id);
		w.ch('}');
	}
	w.str("],\"files\":[");
	for (unsigned i = 0; i < r.nr_files; ++i) {
		const rs_phys_file &f = r.files[i];
		w.str(i ? ",{\"path\":" : "{\"path\":");
		put_json_string(w, f.path);
		w.str(",\"pages\":").dec(f.pages).str(",\"shared\":").dec(f.shared).str(",\"referenced\":")
			.dec(f.referenced).ch('}');
	}
	w.str("]");
	if (r.sets_cap) {
		w.str(",\"sets\":[");
		for (unsigned i = 0; i < r.nr_sets; ++i) {
			const rs_phys_set &s = r.sets[i];
			w.str(i ? ",{\"pages\":" : "{\"pages\":").dec(s.pages);
			for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
				w.str(",\"").str(kKindNames[k]).str("\":").dec(s.kind[k]);
			w.str(",\"thp\":").dec(s.thp).str(",\"unlisted\":").dec(s.unlisted).str(",\"owners\":[");
			for (unsigned m = 0; m < s.n; ++m) {
				if (m)
					w.ch(',');
				w.dec(r.set_members[s.first + m]);
			}
			w.str("]}");
		}
		w.str("]");
	}
	w.str("}\n");
}

} // namespace

long run_phys(const rs_command &cmd, char **out)
{
	char msg[RS_MSG_MAX] = "";
	rs_phys_result res{};
	// sets=1 names every process it can: a set's owners are told apart only when listed.
	const unsigned owners_cap = cmd.sets ? RMAPSCOPE_PHYS_SETS_OWNERS_MAX : RMAPSCOPE_PHYS_OWNERS_MAX;
	auto owners = Scratch::make(owners_cap * sizeof(rs_share_peer));
	auto files = Scratch::make(RMAPSCOPE_PHYS_FILES_MAX * sizeof(rs_phys_file));
	auto sets = Scratch::make(cmd.sets ? RMAPSCOPE_PHYS_SETS_MAX * sizeof(rs_phys_set) : 1);
	auto members = Scratch::make(cmd.sets ? RMAPSCOPE_PHYS_SET_MEMBERS_MAX * sizeof(unsigned) : 1);
	if (!owners || !files || !sets || !members)
		return fail(-RS_ENOMEM, "no memory for the owners, files and sets", out);
	res.owners = owners->as<rs_share_peer>();
	res.owners_cap = owners_cap;
	if (cmd.sets) {
		res.sets = sets->as<rs_phys_set>();
		res.sets_cap = RMAPSCOPE_PHYS_SETS_MAX;
		res.set_members = members->as<unsigned>();
		res.set_members_cap = RMAPSCOPE_PHYS_SET_MEMBERS_MAX;
	}
	res.files = files->as<rs_phys_file>();
	res.files_cap = RMAPSCOPE_PHYS_FILES_MAX;
	res.no_young = cmd.no_young;

	int r = rs_os_phys(cmd.start_pfn, cmd.end_pfn, cmd.referenced, cmd.all_owners, cmd.method, &res, msg,
			   sizeof(msg));
	if (r)
		return fail(r, msg, out);
	// Most pages first.
	auto more_pages = [](const auto &a, const auto &b) { return a.pages > b.pages; };
	heap_sort(res.owners, res.nr_owners, more_pages);
	heap_sort(res.files, res.nr_files, more_pages);
	heap_sort(res.sets, res.nr_sets, more_pages);

	usize cap = kSummary + res.nr_owners * kOwnerLine + res.nr_files * kFileLine + res.nr_sets * kSetLine +
		    res.nr_set_members * 11;
	return respond_bounded(cap, out, [&](char *buf, usize n) { return rs_core_format_phys(&res, cmd.format, buf, n); });
}

} // namespace rs

extern "C" long rs_core_format_phys(const rs_phys_result *res, int format, char *buf, rs::usize cap)
{
	rs::TextWriter w(buf, cap);
	if (format == RS_FORMAT_JSON)
		rs::json(w, *res);
	else
		rs::text(w, *res);
	if (w.overflowed())
		return -RS_ENOSPC;
	return static_cast<long>(w.size());
}
