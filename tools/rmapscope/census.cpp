// SPDX-License-Identifier: GPL-2.0
#include "census.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "ctl_client.hpp"

namespace rmapscope {

std::optional<Census> parse_census(const std::string &text, unsigned long page_size)
{
	nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
	if (j.is_discarded() || !j.contains("phys") || !j.contains("sets") || !j.contains("owners"))
		return std::nullopt;
	Census c;
	c.page_size = page_size;
	const auto &p = j["phys"];
	c.seconds = p.value("ns", 0.0) / 1e9;
	c.mapped = p.value("mapped", 0UL);
	c.unmapped = p.value("unmapped", 0UL);
	c.shared = p.value("shared", 0UL);
	c.lru = p.value("lru", 0UL);
	c.pages = p.value("pages", 0UL);
	c.owners_dropped = p.value("owners_dropped", 0UL);
	c.sets_dropped = p.value("sets_dropped", 0UL);
	c.method = p.value("method", "");
	c.mapcount = p.value("mapcount", "");
	for (const auto &[k, v] : j["skips"].items())
		c.skips[k] = v.get<unsigned long>();
	for (const auto &o : j["owners"]) {
		if (o["pid"].is_null())
			continue;	// an mm no process uses any more (or outside our pid namespace)
		CensusProc q;
		q.id = o.value("id", 0U);
		q.pid = o["pid"].get<int>();
		q.comm = o["comm"].is_string() ? o["comm"].get<std::string>() : "";
		q.rss = o.value("rss", 0UL);
		q.uss = o.value("uss", 0UL);
		q.pages = o.value("pages", 0UL);
		q.pss_bytes = o.value("pss_bytes", 0ULL);
		for (size_t k = 0; k < q.kind.size(); ++k)
			q.kind[k] = o.value(kKinds[k], 0UL);
		c.procs.push_back(q);
	}
	for (const auto &s : j["sets"]) {
		CensusSet t;
		t.ids = s["owners"].get<std::vector<unsigned>>();
		t.pages = s.value("pages", 0UL);
		t.unlisted = s.value("unlisted", 0U);
		for (size_t k = 0; k < t.kind.size(); ++k)
			t.kind[k] = s.value(kKinds[k], 0UL);
		c.sets.push_back(std::move(t));
	}
	return c;
}

std::optional<Census> take_census(const std::string &method)
{
	std::string cmd = "phys sets=1 young=0 format=json";
	if (!method.empty())
		cmd += " method=" + method;
	CtlReply r = ctl_transact(cmd + "\n");
	if (r.err) {
		print_failure(r);
		return std::nullopt;
	}
	auto c = parse_census(r.text, static_cast<unsigned long>(sysconf(_SC_PAGESIZE)));
	if (!c)
		std::cerr << "rmapscope: the module's reply to phys sets=1 is not what this rmapscope reads (an older module?)\n";
	return c;
}

std::vector<PairShare> census_pairs(const Census &c, const std::set<unsigned> &among)
{
	// Owner ids to 0..k-1, in id order; the triangle holds pair (i, j), i < j, at j * (j - 1) / 2 + i.
	std::vector<unsigned> ids(among.begin(), among.end());
	const size_t k = ids.size();
	std::vector<Kinds> tri(k * (k > 0 ? k - 1 : 0) / 2);
	std::vector<size_t> in;
	for (const CensusSet &s : c.sets) {
		if (s.ids.size() < 2)
			continue;
		in.clear();
		for (unsigned id : s.ids) {	// both ascending: one merge
			auto it = std::lower_bound(ids.begin(), ids.end(), id);
			if (it != ids.end() && *it == id)
				in.push_back(static_cast<size_t>(it - ids.begin()));
		}
		for (size_t y = 1; y < in.size(); ++y)
			for (size_t x = 0; x < y; ++x) {
				Kinds &t = tri[in[y] * (in[y] - 1) / 2 + in[x]];
				for (size_t i = 0; i < t.size(); ++i)
					t[i] += s.kind[i];
			}
	}
	std::vector<PairShare> out;
	for (size_t x = 0; x < k; ++x)
		for (size_t y = x + 1; y < k; ++y) {
			const Kinds &t = tri[y * (y - 1) / 2 + x];
			unsigned long pages = 0;
			for (unsigned long v : t)
				pages += v;
			if (pages)
				out.push_back({ids[x], ids[y], t, pages});
		}
	return out;
}

} // namespace rmapscope
