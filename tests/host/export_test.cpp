// SPDX-License-Identifier: GPL-2.0
// rmapscope export (tools/rmapscope/export.cpp) from a module reply written by hand: what the
// sets become as pairs, the per-process series, the "other" sum, and the exposition format's
// rules (HELP and TYPE per family, escaped label values, base units).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "../../tools/rmapscope/census.hpp"
#include "../../tools/rmapscope/export.hpp"

namespace {

// Three processes: 1 and 2 (a fork tree with 3) share 10 anon pages, all three share 4 file
// pages, 3 has 2 private pages. An mm with no process (pid null) is left out. comm of 2 has a
// quote and a backslash.
const char *kReply = R"({"phys":{"start_pfn":0,"end_pfn":1000,"pages":1000,"lru":400,"mapped":30,"unmapped":370,
"shared":14,"referenced":null,"anon":26,"file":4,"shmem":0,"ksm":0,"thp":0,"folios":5,"vmas":9,"owners_dropped":0,
"files_dropped":0,"owners":"owner","shared_mms":0,"method":"bulk","mapcount":"page","young":false,"nr_sets":4,
"sets_dropped":0,"lock_max_ns":1,"ns":2500000},
"skips":{"offline":0,"not_lru":600,"hugetlb":0,"large":0,"locked":0,"isolated":0,"too_many_mappings":0,"unsupported":0},
"owners":[{"pid":100,"comm":"init","pages":14,"shared":14,"young":null,"anon":10,"file":4,"shmem":0,"ksm":0,"thp":0,
"pss_bytes":24576,"rss":14,"uss":0,"id":0},
{"pid":200,"comm":"a\"b\\c","pages":14,"shared":14,"young":null,"anon":10,"file":4,"shmem":0,"ksm":0,"thp":0,
"pss_bytes":24576,"rss":14,"uss":0,"id":1},
{"pid":300,"comm":"three","pages":6,"shared":4,"young":null,"anon":2,"file":4,"shmem":0,"ksm":0,"thp":0,
"pss_bytes":13653,"rss":6,"uss":2,"id":2},
{"pid":null,"comm":null,"pages":1,"shared":0,"young":null,"anon":1,"file":0,"shmem":0,"ksm":0,"thp":0,
"pss_bytes":4096,"rss":1,"uss":1,"id":3}],
"files":[],
"sets":[{"pages":10,"anon":10,"file":0,"shmem":0,"ksm":0,"thp":0,"unlisted":0,"owners":[0,1]},
{"pages":4,"anon":0,"file":4,"shmem":0,"ksm":0,"thp":0,"unlisted":0,"owners":[0,1,2]},
{"pages":2,"anon":2,"file":0,"shmem":0,"ksm":0,"thp":0,"unlisted":0,"owners":[2]},
{"pages":1,"anon":1,"file":0,"shmem":0,"ksm":0,"thp":0,"unlisted":0,"owners":[3]}]}
)";

std::map<std::string, std::string> series(const std::string &text)
{
	std::map<std::string, std::string> out;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line))
		if (!line.empty() && line[0] != '#')
			out[line.substr(0, line.rfind(' '))] = line.substr(line.rfind(' ') + 1);
	return out;
}

TEST(Export, PairsComeFromTheSets)
{
	auto c = rmapscope::parse_census(kReply, 4096);
	ASSERT_TRUE(c);
	EXPECT_EQ(c->procs.size(), 3u);	// the mm without a process is left out
	auto pairs = rmapscope::census_pair_totals(*c, {0, 1, 2});
	ASSERT_EQ(pairs.size(), 3u);
	EXPECT_EQ(pairs[0].x, 0u);
	EXPECT_EQ(pairs[0].y, 1u);
	EXPECT_EQ(pairs[0].pages, 14u);
	EXPECT_EQ(pairs[1].y, 2u);
	EXPECT_EQ(pairs[1].pages, 4u);
	EXPECT_EQ(pairs[2].x, 1u);
	EXPECT_EQ(pairs[2].pages, 4u);
	auto kinds = rmapscope::census_pair_kinds(*c, {0, 1, 2}, pairs);
	ASSERT_EQ(kinds.size(), 3u);
	EXPECT_EQ(kinds[0], (rmapscope::Kinds{10, 4, 0, 0}));
	EXPECT_EQ(kinds[1], (rmapscope::Kinds{0, 4, 0, 0}));
	EXPECT_EQ(kinds[2], (rmapscope::Kinds{0, 4, 0, 0}));
	// Only among the processes asked for, numbered as asked: owner 2 first, then owner 0.
	pairs = rmapscope::census_pair_totals(*c, {2, 0});
	ASSERT_EQ(pairs.size(), 1u);
	EXPECT_EQ(pairs[0].x, 0u);
	EXPECT_EQ(pairs[0].y, 1u);
	EXPECT_EQ(pairs[0].pages, 4u);
	EXPECT_EQ(rmapscope::census_pair_kinds(*c, {2, 0}, pairs)[0], (rmapscope::Kinds{0, 4, 0, 0}));
}

TEST(Export, PrometheusSeries)
{
	auto c = rmapscope::parse_census(kReply, 4096);
	ASSERT_TRUE(c);
	rmapscope::ExportOptions o;
	o.top = 2;
	o.pairs = 2;
	const std::string text = rmapscope::prometheus_text(*c, o);
	auto s = series(text);
	EXPECT_EQ(s["rmapscope_process_rss_bytes{pid=\"100\",comm=\"init\"}"], "57344");
	EXPECT_EQ(s["rmapscope_process_pss_bytes{pid=\"200\",comm=\"a\\\"b\\\\c\"}"], "24576");
	// The third process is past --top: summed as other.
	EXPECT_EQ(s["rmapscope_process_uss_bytes{pid=\"other\",comm=\"other\"}"], "8192");
	EXPECT_EQ(s["rmapscope_process_shared_bytes{pid=\"other\",comm=\"other\"}"], "16384");
	EXPECT_FALSE(s.count("rmapscope_process_rss_bytes{pid=\"300\",comm=\"three\"}"));
	// The two pairs that share most: 100-200 (14 pages), then 100-300 (4, before 200-300).
	EXPECT_EQ(s["rmapscope_pair_shared_bytes{pid_a=\"100\",comm_a=\"init\",pid_b=\"200\",comm_b=\"a\\\"b\\\\c\",kind=\"anon\"}"], "40960");
	EXPECT_EQ(s["rmapscope_pair_shared_bytes{pid_a=\"100\",comm_a=\"init\",pid_b=\"300\",comm_b=\"three\",kind=\"file\"}"], "16384");
	EXPECT_FALSE(s.count("rmapscope_pair_shared_bytes{pid_a=\"100\",comm_a=\"init\",pid_b=\"300\",comm_b=\"three\",kind=\"anon\"}"));
	EXPECT_EQ(s["rmapscope_memory_bytes{state=\"unmapped\"}"], std::to_string(370 * 4096));
	EXPECT_EQ(s["rmapscope_skipped_bytes{reason=\"not_lru\"}"], std::to_string(600 * 4096));
	EXPECT_EQ(s["rmapscope_scan_seconds"], "0.002500");
	EXPECT_EQ(s["rmapscope_sharing_sets"], "4");
	// Every family has one HELP and one TYPE, before its samples; no _total (all are gauges).
	std::istringstream in(text);
	std::string line;
	std::set<std::string> helped, typed;
	while (std::getline(in, line)) {
		if (line.rfind("# HELP ", 0) == 0) {
			std::string name = line.substr(7, line.find(' ', 7) - 7);
			EXPECT_TRUE(helped.insert(name).second) << name;
		} else if (line.rfind("# TYPE ", 0) == 0) {
			EXPECT_EQ(line.substr(line.rfind(' ') + 1), "gauge");
			typed.insert(line.substr(7, line.rfind(' ') - 7));
		} else {
			std::string name = line.substr(0, line.find_first_of("{ "));
			EXPECT_TRUE(typed.count(name)) << line;
			EXPECT_EQ(name.rfind("rmapscope_", 0), 0u) << line;
			EXPECT_EQ(name.find("_total"), std::string::npos) << line;
		}
	}
	EXPECT_EQ(helped, typed);
}

} // namespace

namespace {

// The flat triangle against the plain definition, on random sets over sparse ids.
TEST(Export, PairsEqualEveryPairOfEverySet)
{
	rmapscope::Census c;
	unsigned seed = 1;
	const auto rnd = [&] { return seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff; };
	for (int s = 0; s < 200; ++s) {
		rmapscope::CensusSet set;
		std::set<unsigned> ids;
		const unsigned n = rnd() % 12;
		for (unsigned i = 0; i < n; ++i)
			ids.insert(rnd() % 40 * 3);
		set.ids.assign(ids.begin(), ids.end());
		set.kind[rnd() % 4] = 1 + rnd() % 50;
		c.sets.push_back(set);
	}
	// Among some of the ids, numbered in a shuffled order; one listed twice in a set.
	std::vector<unsigned> order;
	for (unsigned id = 0; id < 120; id += 3)
		if (rnd() % 4)
			order.push_back(id);
	for (size_t i = order.size(); i > 1; --i)
		std::swap(order[i - 1], order[rnd() % i]);
	c.sets[0].ids = {order[0], order[1], order[1]};
	std::map<std::pair<unsigned, unsigned>, rmapscope::Kinds> want;
	for (const auto &s : c.sets) {
		const std::set<unsigned> ids(s.ids.begin(), s.ids.end());
		for (size_t x = 0; x < order.size(); ++x)
			for (size_t y = x + 1; y < order.size(); ++y)
				if (ids.count(order[x]) && ids.count(order[y]))
					for (size_t k = 0; k < 4; ++k)
						want[{order[x], order[y]}][k] += s.kind[k];
	}
	const auto pairs = rmapscope::census_pair_totals(c, order);
	const auto kinds = rmapscope::census_pair_kinds(c, order, pairs);
	ASSERT_EQ(kinds.size(), pairs.size());
	std::map<std::pair<unsigned, unsigned>, rmapscope::Kinds> got;
	for (size_t i = 0; i < pairs.size(); ++i) {
		ASSERT_LT(pairs[i].x, pairs[i].y);
		unsigned long sum = 0;
		for (unsigned long v : kinds[i])
			sum += v;
		EXPECT_EQ(pairs[i].pages, sum);
		got[{order[pairs[i].x], order[pairs[i].y]}] = kinds[i];
	}
	EXPECT_EQ(got, want);
	EXPECT_GT(want.size(), 50u);	// the random sets make many pairs, not a few
}

} // namespace
