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

namespace {

// Owner ids with their positions in `order`, sorted by id.
using Positions = std::vector<std::pair<unsigned, unsigned>>;

Positions positions(const std::vector<unsigned> &order)
{
	Positions pos;
	pos.reserve(order.size());
	for (size_t i = 0; i < order.size(); ++i)
		pos.emplace_back(order[i], static_cast<unsigned>(i));
	std::sort(pos.begin(), pos.end());
	return pos;
}

// The positions of a set's members that `order` lists, ascending, each once (a reply read
// --from a file may list an owner twice or out of order).
void listed(const Positions &pos, const CensusSet &s, std::vector<unsigned> &in)
{
	in.clear();
	for (unsigned id : s.ids) {
		auto it = std::lower_bound(pos.begin(), pos.end(), std::make_pair(id, 0U));
		if (it != pos.end() && it->first == id)
			in.push_back(it->second);
	}
	std::sort(in.begin(), in.end());
	in.erase(std::unique(in.begin(), in.end()), in.end());
}

} // namespace

std::vector<PairTotal> census_pair_totals(const Census &c, const std::vector<unsigned> &order)
{
	// The triangle holds pair (x, y), x < y, at y * (y - 1) / 2 + x.
	const Positions pos = positions(order);
	const size_t k = order.size();
	std::vector<unsigned long> tri(k * (k > 0 ? k - 1 : 0) / 2);
	std::vector<unsigned> in;
	for (const CensusSet &s : c.sets) {
		if (s.ids.size() < 2)
			continue;
		listed(pos, s, in);
		unsigned long pages = 0;	// all kinds, as the kinds census_pair_kinds() gives add up
		for (unsigned long v : s.kind)
			pages += v;
		for (size_t j = 1; j < in.size(); ++j) {
			unsigned long *row = &tri[in[j] * (in[j] - 1UL) / 2];
			for (size_t i = 0; i < j; ++i)
				row[in[i]] += pages;
		}
	}
	std::vector<PairTotal> out;
	for (unsigned x = 0; x < k; ++x)
		for (unsigned y = x + 1; y < k; ++y)
			if (unsigned long pages = tri[y * (y - 1UL) / 2 + x])
				out.push_back({x, y, pages});
	return out;
}

std::vector<Kinds> census_pair_kinds(const Census &c, const std::vector<unsigned> &order,
				     const std::vector<PairTotal> &pairs)
{
	const Positions pos = positions(order);
	std::vector<Kinds> out(pairs.size());
	std::vector<char> member(order.size());
	std::vector<unsigned> in;
	for (const CensusSet &s : c.sets) {
		if (s.ids.size() < 2)
			continue;
		listed(pos, s, in);
		for (unsigned x : in)
			member[x] = 1;
		for (size_t i = 0; i < pairs.size(); ++i)
			if (member[pairs[i].x] && member[pairs[i].y])
				for (size_t k = 0; k < s.kind.size(); ++k)
					out[i][k] += s.kind[k];
		for (unsigned x : in)
			member[x] = 0;
	}
	return out;
}

} // namespace rmapscope
