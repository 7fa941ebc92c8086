// SPDX-License-Identifier: GPL-2.0
// share pid= [start= end=]: a process's rss, pss and uss and who shares its pages, and the
// response (docs/debugfs.md, "share").
#include "errno.h"
#include "escape.hpp"
#include "share_report.h"
#include "sort.hpp"
#include "text_writer.hpp"
#include "verbs.hpp"

namespace rs {

namespace {

constexpr const char *kKindNames[] = {
#define RS_NAME(name, text) text,
	RS_SHARE_KINDS(RS_NAME)
};
constexpr const char *kSkipNames[] = {RS_SHARE_SKIPS(RS_NAME)};
#undef RS_NAME
static_assert(sizeof(kKindNames) / sizeof(kKindNames[0]) == RS_NR_SHARE_KINDS);
static_assert(sizeof(kSkipNames) / sizeof(kSkipNames[0]) == RS_NR_SHARE_SKIPS);

// The summary and skip lines, and one peer line (its comm escaped: 16 bytes, 6 each at most).
constexpr usize kSummary = 2048;
constexpr usize kPeerLine = 256 + 16 * 6;

u64 pss_bytes(unsigned long long pss)
{
	return pss >> RS_PSS_SHIFT;
}

// Peers by pages shared, most first, then by pid (the heap's order is reversed: see sort.hpp).
bool before(const rs_share_peer &a, const rs_share_peer &b)
{
	if (a.pages != b.pages)
		return a.pages > b.pages;
	return a.pid < b.pid;
}

void text(TextWriter &w, const rs_share_result &r)
{
	w.str("share").kv_dec("pid", static_cast<u64>(r.pid)).kv_hex("start", r.start).kv_hex("end", r.end)
		.kv_dec("rss", r.rss).kv_dec("pss_bytes", pss_bytes(r.pss)).kv_dec("uss", r.uss)
		.kv_dec("shared_clean", r.shared_clean).kv_dec("shared_dirty", r.shared_dirty)
		.kv_dec("private_clean", r.private_clean).kv_dec("private_dirty", r.private_dirty);
	for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
		w.kv_dec(kKindNames[k], r.kind[k]);
	w.kv_dec("thp", r.thp).kv_dec("folios", r.folios).kv_dec("vmas", r.vmas).kv_dec("peers", r.nr_peers)
		.kv_dec("peers_dropped", r.peers_dropped).kv("owners", r.all_owners ? "all" : "owner")
		.kv_dec("shared_mms", r.shared_mms).kv("method", method_name(r.method))
		.kv("mapcount", r.mapcount ? r.mapcount : "-").kv_dec("lock_max_ns", r.lock_max_ns).kv_dec("ns", r.ns).endl();
	w.str("skips");
	for (int i = 0; i < RS_NR_SHARE_SKIPS; ++i)
		w.kv_dec(kSkipNames[i], r.skips[i]);
	w.endl();
	for (unsigned i = 0; i < r.nr_peers; ++i) {
		const rs_share_peer &p = r.peers[i];
		w.str("peer pid=");
		if (p.nr_pids)
			put_pid(w, p.pid, false);
		else
			w.ch('-');
		w.str(" comm=");
		put_path_text(w, p.nr_pids ? p.comm : nullptr);
		w.kv_dec("pages", p.pages);
		for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
			w.kv_dec(kKindNames[k], p.kind[k]);
		w.kv_dec("thp", p.thp).kv_dec("pss_bytes", pss_bytes(p.pss)).endl();
	}
}

void json(TextWriter &w, const rs_share_result &r)
{
	w.str("{\"share\":{\"pid\":").dec(static_cast<u64>(r.pid)).str(",\"start\":").dec(r.start)
		.str(",\"end\":").dec(r.end).str(",\"rss\":").dec(r.rss).str(",\"pss_bytes\":").dec(pss_bytes(r.pss))
		.str(",\"uss\":").dec(r.uss).str(",\"shared_clean\":").dec(r.shared_clean)
		.str(",\"shared_dirty\":").dec(r.shared_dirty).str(",\"private_clean\":").dec(r.private_clean)
		.str(",\"private_dirty\":").dec(r.private_dirty);
	for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
		w.str(",\"").str(kKindNames[k]).str("\":").dec(r.kind[k]);
	w.str(",\"thp\":").dec(r.thp).str(",\"folios\":").dec(r.folios).str(",\"vmas\":").dec(r.vmas)
		.str(",\"peers_dropped\":").dec(r.peers_dropped).str(",\"owners\":\"")
		.str(r.all_owners ? "all" : "owner").str("\",\"shared_mms\":").dec(r.shared_mms)
		.str(",\"method\":\"").str(method_name(r.method)).str("\",\"mapcount\":\"")
		.str(r.mapcount ? r.mapcount : "-").str("\",\"lock_max_ns\":").dec(r.lock_max_ns).str(",\"ns\":").dec(r.ns)
		.str("},\"skips\":{");
	for (int i = 0; i < RS_NR_SHARE_SKIPS; ++i)
		w.str(i ? ",\"" : "\"").str(kSkipNames[i]).str("\":").dec(r.skips[i]);
	w.str("},\"peers\":[");
	for (unsigned i = 0; i < r.nr_peers; ++i) {
		const rs_share_peer &p = r.peers[i];
		w.str(i ? ",{\"pid\":" : "{\"pid\":");
		if (p.nr_pids)
			put_pid(w, p.pid, true);
		else
			w.str("null");
		w.str(",\"comm\":");
		if (p.nr_pids)
			put_json_string(w, p.comm);
		else
			w.str("null");
		w.str(",\"pages\":").dec(p.pages);
		for (int k = 0; k < RS_NR_SHARE_KINDS; ++k)
			w.str(",\"").str(kKindNames[k]).str("\":").dec(p.kind[k]);
		w.str(",\"thp\":").dec(p.thp).str(",\"pss_bytes\":").dec(pss_bytes(p.pss)).ch('}');
	}
	w.str("]}\n");
}

} // namespace

long run_share(const rs_command &cmd, char **out)
{
	char msg[RS_MSG_MAX] = "";
	rs_share_result res{};
	auto peers = Scratch::make(RMAPSCOPE_SHARE_PEERS_MAX * sizeof(rs_share_peer));
	if (!peers)
		return fail(peers.error(), "no memory for the peers", out);
	res.peers = peers->as<rs_share_peer>();
	res.peers_cap = RMAPSCOPE_SHARE_PEERS_MAX;

	int r = rs_os_share(cmd.pid, cmd.start, cmd.end, cmd.all_owners, cmd.method, &res, msg, sizeof(msg));
	if (r)
		return fail(r, msg, out);
	heap_sort(res.peers, res.nr_peers, [](const rs_share_peer &a, const rs_share_peer &b) { return before(a, b); });

	usize cap = kSummary + res.nr_peers * kPeerLine;
	return respond_bounded(cap, out, [&](char *buf, usize n) { return rs_core_format_share(&res, cmd.format, buf, n); });
}

} // namespace rs

extern "C" long rs_core_format_share(const rs_share_result *res, int format, char *buf, rs::usize cap)
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
