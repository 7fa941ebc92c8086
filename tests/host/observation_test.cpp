// SPDX-License-Identifier: GPL-2.0
// The accounting of one observation of the reverse map (module/core/observation.cpp), driven
// with what the kernel side would have found: smaps' arithmetic for the target, every other
// process counted once per page whatever the multiplicity on either side, phys's shared pages
// by distinct processes. Each case states the answer a pagemap intersection would give.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "../../module/core/observation.h"

namespace {

constexpr unsigned kShift = 12;
constexpr unsigned long long kPage = 4096ULL << RS_PSS_SHIFT; // one page's PSS, unshared

// An observation under construction: n positions, mappings by (mm, positions).
struct Obs {
	explicit Obs(unsigned n) : n(n), counts(n), flags(n), unit(n), bits(RS_OBS_SCRATCH_WORDS(n)) {}

	// A mapping of mm over the given positions (young ones too); counts follow.
	Obs &map(int mm, std::vector<unsigned> pos, bool target = false, std::vector<unsigned> young = {})
	{
		maps.push_back({mm, target, bitmap(pos), bitmap(young)});
		for (unsigned p : pos)
			counts[p]++;
		return *this;
	}
	Obs &page(unsigned p, unsigned char f)
	{
		flags[p] |= RS_POS_PAGE | f;
		return *this;
	}

	rs_obs build(int kind = RS_SK_ANON)
	{
		omaps.clear();
		for (const auto &m : maps)
			omaps.push_back({reinterpret_cast<const void *>(static_cast<unsigned long>(m.mm) << 8), m.target,
					 m.pages.data(), m.young.data()});
		order.assign(omaps.size() + 1, 0);
		return rs_obs{n,	     kind,	   kShift,	 counts.data(), flags.data(),
			      omaps.data(), static_cast<unsigned>(omaps.size()), unit.data(), order.data(), bits.data()};
	}

	std::vector<unsigned long> bitmap(const std::vector<unsigned> &pos) const
	{
		std::vector<unsigned long> b(RS_OBS_WORDS(n));
		for (unsigned p : pos)
			b[p / 64] |= 1UL << (p % 64);
		return b;
	}

	struct Map {
		int mm;
		bool target;
		std::vector<unsigned long> pages, young;
	};
	unsigned n;
	std::vector<unsigned> counts;
	std::vector<unsigned char> flags;
	std::vector<unsigned long long> unit;
	std::vector<unsigned long> bits;
	std::vector<Map> maps;
	std::vector<rs_obs_map> omaps;
	std::vector<unsigned> order;
};

// The deltas of one observation, by mm number.
std::map<int, rs_share_peer> share(rs_share_result &res, Obs &o)
{
	rs_obs obs = o.build();
	std::vector<rs_obs_delta> out(o.maps.size() + 1);
	unsigned nd = rs_core_share_observe(&res, &obs, out.data());
	std::map<int, rs_share_peer> by;
	for (unsigned i = 0; i < nd; ++i)
		by[static_cast<int>(reinterpret_cast<unsigned long>(out[i].mm) >> 8)] = out[i].d;
	return by;
}

// phys sets=1's classes of one observation: the set of mm numbers -> (pages, thp).
using ClassMap = std::map<std::set<int>, std::pair<unsigned long, unsigned long>>;

std::map<int, rs_share_peer> phys(rs_phys_result &res, rs_phys_file *file, Obs &o, int kind = RS_SK_ANON,
				  ClassMap *classes = nullptr, unsigned members_cap = 4096)
{
	rs_obs obs = o.build(kind);
	std::vector<rs_obs_delta> out(o.maps.size() + 1);
	std::vector<rs_obs_class> cls(o.n);
	std::vector<unsigned> members(members_cap), heads(o.n), cells(2 * members_cap);
	std::vector<unsigned long> masks(o.n * RS_OBS_WORDS(o.n));
	rs_obs_classes c{cls.data(), 0, o.n, members.data(), members_cap, masks.data(), heads.data(), cells.data(),
			 members_cap, 0};
	unsigned nd = rs_core_phys_observe(&res, file, &obs, out.data(), classes ? &c : nullptr);
	std::map<int, rs_share_peer> by;
	const auto mm_of = [&](unsigned d) { return static_cast<int>(reinterpret_cast<unsigned long>(out[d].mm) >> 8); };
	for (unsigned i = 0; i < nd; ++i)
		by[mm_of(i)] = out[i].d;
	if (classes) {
		classes->clear();
		if (c.overflow)
			(*classes)[{-1}] = {0, 0};
		for (unsigned k = 0; k < c.ncls; ++k) {
			std::set<int> who;
			for (unsigned m = 0; m < cls[k].n; ++m)
				who.insert(mm_of(members[cls[k].first + m]));
			EXPECT_EQ(who.size(), cls[k].n) << "a delta listed twice in one class";
			EXPECT_FALSE(classes->count(who)) << "two classes of one set";
			(*classes)[who] = {cls[k].pages, cls[k].thp};
		}
	}
	return by;
}

// Merges the deltas of several observations per mm, as the kernel's peer table does.
void add(std::map<int, rs_share_peer> &total, const std::map<int, rs_share_peer> &d)
{
	for (const auto &[mm, p] : d)
		rs_core_obs_add(&total[mm], &p);
}

TEST(Observation, SmapsArithmeticForTheTarget)
{
	// Four pages: one private and dirty, one shared by two, one by three, one by four.
	Obs o(4);
	o.map(1, {0, 1, 2, 3}, true).map(2, {1, 2, 3}).map(3, {2, 3}).map(4, {3});
	for (unsigned p = 0; p < 4; ++p)
		o.page(p, RS_POS_MINE | RS_POS_FIRST | (p == 0 ? RS_POS_DIRTY : 0));
	rs_share_result res{};
	auto peers = share(res, o);
	EXPECT_EQ(res.rss, 4u);
	EXPECT_EQ(res.uss, 1u);
	EXPECT_EQ(res.private_dirty, 1u);
	EXPECT_EQ(res.shared_clean, 3u);
	EXPECT_EQ(res.pss, kPage + kPage / 2 + kPage / 3 + kPage / 4);
	EXPECT_EQ(res.kind[RS_SK_ANON], 4u);
	ASSERT_EQ(peers.size(), 3u);
	EXPECT_EQ(peers[2].pages, 3u);
	EXPECT_EQ(peers[2].pss, kPage / 2 + kPage / 3 + kPage / 4);
	EXPECT_EQ(peers[4].pages, 1u);
}

// The bug a new user found: a process that maps 32 pages of a file twice, shared with three
// children that inherited both mappings. pagemap's intersection says each child shares 32 pages.
TEST(Observation, APageTheTargetMapsTwiceCountsOnceForEachPeer)
{
	rs_share_result res{};
	std::map<int, rs_share_peer> total;
	for (int at = 0; at < 2; ++at) { // the lower mapping first, then the higher one
		Obs o(32);
		std::vector<unsigned> all;
		for (unsigned p = 0; p < 32; ++p)
			all.push_back(p);
		o.map(1, all, true).map(1, all, true);
		for (int child = 2; child <= 4; ++child)
			o.map(child, all).map(child, all);
		for (unsigned p = 0; p < 32; ++p)
			o.page(p, RS_POS_MINE | (at == 0 ? RS_POS_FIRST : 0));
		add(total, share(res, o));
	}
	EXPECT_EQ(res.rss, 64u);	// smaps counts both mappings
	EXPECT_EQ(res.pss, 64 * (kPage / 8));
	EXPECT_EQ(res.shared_clean, 64u);
	ASSERT_EQ(total.size(), 3u);
	for (int child = 2; child <= 4; ++child) {
		EXPECT_EQ(total[child].pages, 32u) << child;		// each page once
		EXPECT_EQ(total[child].pss, 32 * 2 * (kPage / 8)) << child; // both of its entries
	}
}

TEST(Observation, APeerThatMapsAPageTwiceCountsItOnce)
{
	Obs o(1);
	o.map(1, {0}, true).map(2, {0}).map(2, {0}).page(0, RS_POS_MINE | RS_POS_FIRST);
	rs_share_result res{};
	auto peers = share(res, o);
	EXPECT_EQ(peers[2].pages, 1u);
	EXPECT_EQ(peers[2].pss, 2 * (kPage / 3));
	EXPECT_EQ(res.pss, kPage / 3);
}

TEST(Observation, APageTheTargetNoLongerMapsIsRacedAndCountsForNoOne)
{
	Obs o(2);
	o.map(1, {0}, true).map(2, {0, 1}).page(0, RS_POS_MINE | RS_POS_FIRST).page(1, RS_POS_FIRST);
	rs_share_result res{};
	auto peers = share(res, o);
	EXPECT_EQ(res.rss, 1u);
	EXPECT_EQ(res.skips[RS_SS_RACED], 1u);
	EXPECT_EQ(peers[2].pages, 1u);
}

TEST(Observation, HolesAndBitmapsPastOneWord)
{
	// A THP's 512 positions, of which the target maps 100..199 and a peer every third page.
	Obs o(512);
	std::vector<unsigned> mine, theirs;
	for (unsigned p = 100; p < 200; ++p)
		mine.push_back(p);
	for (unsigned p = 0; p < 512; p += 3)
		theirs.push_back(p);
	o.map(1, mine, true).map(2, theirs);
	for (unsigned p : mine)
		o.page(p, RS_POS_MINE | RS_POS_FIRST | RS_POS_THP);
	rs_share_result res{};
	auto peers = share(res, o);
	unsigned both = 0;
	for (unsigned p = 100; p < 200; ++p)
		both += p % 3 == 0;
	EXPECT_EQ(res.rss, 100u);
	EXPECT_EQ(res.thp, 100u);
	EXPECT_EQ(res.uss, 100u - both);
	EXPECT_EQ(peers[2].pages, both);
	EXPECT_EQ(peers[2].thp, both);
}

TEST(Observation, AnOddNumberOfPositions)
{
	Obs o(70);
	o.map(1, {0, 64, 69}, true).map(2, {64, 69});
	for (unsigned p : {0u, 64u, 69u})
		o.page(p, RS_POS_MINE | RS_POS_FIRST);
	rs_share_result res{};
	EXPECT_EQ(share(res, o)[2].pages, 2u);
	EXPECT_EQ(res.rss, 3u);
}

TEST(Observation, PhysCountsDistinctProcesses)
{
	// Five pages: unmapped; one process; one process twice (not shared); two processes; three.
	Obs o(5);
	o.map(1, {1, 2, 3, 4}, false, {1}).map(1, {2}).map(2, {3, 4}, false, {3}).map(3, {4});
	for (unsigned p = 0; p < 5; ++p)
		o.page(p, 0);
	rs_phys_result res{};
	rs_phys_file file{};
	auto owners = phys(res, &file, o, RS_SK_FILE);
	EXPECT_EQ(res.unmapped, 1u);
	EXPECT_EQ(res.mapped, 4u);
	EXPECT_EQ(res.shared, 2u);
	EXPECT_EQ(res.kind[RS_SK_FILE], 4u);
	EXPECT_EQ(file.pages, 4u);
	EXPECT_EQ(file.shared, 2u);
	EXPECT_EQ(owners[1].pages, 4u);
	EXPECT_EQ(owners[1].shared, 2u);
	EXPECT_EQ(owners[1].young, 1u);
	EXPECT_EQ(owners[1].pss, kPage + 2 * (kPage / 2) + kPage / 2 + kPage / 3);
	EXPECT_EQ(owners[2].pages, 2u);
	EXPECT_EQ(owners[2].young, 1u);
	EXPECT_EQ(owners[3].pages, 1u);
}

TEST(Observation, PhysCountsOnlyThePagesOfTheObservation)
{
	// A folio of 4 pages of which positions 2 and 3 are inside the range.
	Obs o(4);
	o.map(1, {0, 1, 2, 3}).map(2, {0, 3});
	o.page(2, 0).page(3, 0);
	rs_phys_result res{};
	auto owners = phys(res, nullptr, o);
	EXPECT_EQ(res.mapped, 2u);
	EXPECT_EQ(res.shared, 1u);
	EXPECT_EQ(owners[1].pages, 2u);
	EXPECT_EQ(owners[2].pages, 1u);
}

// The figures of a map are reused for the next map when both bitmaps are the same: a fork tree
// whose maps are alike, broken by maps one page apart, one young bit apart, and two maps of one
// mm (a group, never reused). Each owner's figures must be its own.
TEST(Observation, AlikeMapsAndTheirNeighboursEachGetTheirOwnFigures)
{
	Obs o(130);
	std::vector<unsigned> all, most;
	for (unsigned p = 0; p < 130; ++p) {
		all.push_back(p);
		if (p != 129)
			most.push_back(p);
		o.page(p, 0);
	}
	o.map(1, all, false, {0}).map(2, all, false, {0}).map(3, all, false, {0});
	o.map(4, most, false, {0});		// one page less
	o.map(5, most, false, {0, 1});		// one young bit more
	o.map(6, most, false, {0, 1});
	o.map(7, all, false, {0}).map(7, all, false, {128}); // one mm twice: young 0 and 128
	o.map(8, all, false, {0});
	rs_phys_result res{};
	auto owners = phys(res, nullptr, o);
	// Page 129: six mms (1, 2, 3, 7 twice, 8): 6 entries. Pages 0..128: nine entries.
	const unsigned long long most_pss = 129 * (kPage / 9), all_pss = most_pss + kPage / 6;
	for (int mm : {1, 2, 3, 8}) {
		EXPECT_EQ(owners[mm].pages, 130u) << mm;
		EXPECT_EQ(owners[mm].young, 1u) << mm;
		EXPECT_EQ(owners[mm].pss, all_pss) << mm;
	}
	for (int mm : {4, 5, 6}) {
		EXPECT_EQ(owners[mm].pages, 129u) << mm;
		EXPECT_EQ(owners[mm].pss, most_pss) << mm;
	}
	EXPECT_EQ(owners[4].young, 1u);
	EXPECT_EQ(owners[5].young, 2u);
	EXPECT_EQ(owners[6].young, 2u);
	EXPECT_EQ(owners[7].pages, 130u);
	EXPECT_EQ(owners[7].young, 2u);
	EXPECT_EQ(owners[7].pss, 2 * all_pss);
	EXPECT_EQ(res.shared, 130u);

	// The same maps as peers of a target that maps every page: share's figures, map by map.
	Obs t(130);
	for (unsigned p = 0; p < 130; ++p)
		t.page(p, RS_POS_MINE | RS_POS_FIRST);
	t.map(9, all, true).map(1, all).map(2, all).map(4, most).map(5, most).map(8, all);
	rs_share_result sres{};
	auto peers = share(sres, t);
	const unsigned long long most_share = 129 * (kPage / 6), all_share = most_share + kPage / 4;
	for (int mm : {1, 2, 8}) {
		EXPECT_EQ(peers[mm].pages, 130u) << mm;
		EXPECT_EQ(peers[mm].pss, all_share) << mm;
	}
	for (int mm : {4, 5}) {
		EXPECT_EQ(peers[mm].pages, 129u) << mm;
		EXPECT_EQ(peers[mm].pss, most_share) << mm;
	}
}

} // namespace

// phys sets=1: the pages of an observation split by the exact set of processes mapping them.
TEST(Observation, ClassesGroupPagesByTheSetOfProcessesThatMapThem)
{
	// A fork tree of 200 that all map pages 0-5; page 6 only the first 100; page 7 one
	// process twice (a double mapping is one member); page 8 nobody (unmapped); 2 and 3 THP.
	Obs o(9);
	std::vector<unsigned> six = {0, 1, 2, 3, 4, 5};
	for (int mm = 1; mm <= 200; ++mm)
		o.map(mm, mm <= 100 ? std::vector<unsigned>{0, 1, 2, 3, 4, 5, 6} : six);
	o.map(300, {7}).map(300, {7});
	for (unsigned p = 0; p < 9; ++p)
		o.page(p, p == 2 || p == 3 ? RS_POS_THP : 0);
	rs_phys_result res{};
	ClassMap classes;
	auto owners = phys(res, nullptr, o, RS_SK_ANON, &classes);
	std::set<int> all, first;
	for (int mm = 1; mm <= 200; ++mm) {
		all.insert(mm);
		if (mm <= 100)
			first.insert(mm);
	}
	ASSERT_EQ(classes.size(), 3u);
	EXPECT_EQ(classes[all], std::make_pair(6UL, 2UL));
	EXPECT_EQ(classes[first], std::make_pair(1UL, 0UL));
	EXPECT_EQ(classes[std::set<int>{300}], std::make_pair(1UL, 0UL));
	// smaps' arithmetic: two entries map page 7, so its mapcount is 2 and smaps calls it shared
	// even though one process maps it; Rss counts both entries.
	EXPECT_EQ(owners[300].rss, 2u);
	EXPECT_EQ(owners[300].uss, 0u);
	EXPECT_EQ(owners[300].pages, 1u);
	EXPECT_EQ(owners[1].rss, 7u);
	EXPECT_EQ(owners[150].rss, 6u);
	EXPECT_EQ(owners[150].uss, 0u);
}

TEST(Observation, ClassesPrivatePagesAndUss)
{
	Obs o(4);
	o.map(1, {0, 1}).map(2, {1, 2}).map(3, {3});
	for (unsigned p = 0; p < 4; ++p)
		o.page(p, 0);
	rs_phys_result res{};
	ClassMap classes;
	auto owners = phys(res, nullptr, o, RS_SK_FILE, &classes);
	EXPECT_EQ(owners[1].uss, 1u);
	EXPECT_EQ(owners[2].uss, 1u);
	EXPECT_EQ(owners[3].uss, 1u);
	EXPECT_EQ(owners[1].rss, 2u);
	ASSERT_EQ(classes.size(), 4u);
	EXPECT_EQ(classes[(std::set<int>{1, 2})].first, 1u);
	EXPECT_EQ(classes[std::set<int>{3}].first, 1u);
}

// Against brute force: random observations, every position's set of mappers computed directly.
TEST(Observation, ClassesEqualThePerPageSetsOfMappers)
{
	std::mt19937 rng(7);
	for (int round = 0; round < 300; ++round) {
		const unsigned n = 1 + rng() % 130;
		const int mms = 1 + static_cast<int>(rng() % 40);
		Obs o(n);
		std::map<unsigned, std::set<int>> who;
		for (int m = 0; m < 2 * mms; ++m) {
			const int mm = 1 + static_cast<int>(rng() % mms);
			std::vector<unsigned> pos;
			const unsigned density = rng() % 4;
			for (unsigned p = 0; p < n; ++p)
				if (rng() % 4 < density) {
					pos.push_back(p);
					who[p].insert(mm);
				}
			o.map(mm, pos);
		}
		std::set<unsigned> thp;
		for (unsigned p = 0; p < n; ++p) {
			bool holed = rng() % 10 == 0, huge = rng() % 3 == 0;
			if (holed) {
				who.erase(p);
				continue;
			}
			o.page(p, huge ? RS_POS_THP : 0);
			if (huge)
				thp.insert(p);
		}
		ClassMap want;
		for (const auto &[p, set] : who) {
			want[set].first++;
			want[set].second += thp.count(p);
		}
		rs_phys_result res{};
		ClassMap got;
		phys(res, nullptr, o, RS_SK_ANON, &got);
		EXPECT_EQ(got, want) << "round " << round;
	}
}

TEST(Observation, ClassesOverflowGivesNoClassRatherThanAWrongOne)
{
	Obs o(64);
	std::vector<unsigned> all;
	for (unsigned p = 0; p < 64; ++p) {
		all.push_back(p);
		o.page(p, 0);
	}
	for (int mm = 1; mm <= 20; ++mm)
		o.map(mm, all);
	rs_phys_result res{};
	ClassMap got;
	phys(res, nullptr, o, RS_SK_ANON, &got, 10);
	ASSERT_EQ(got.size(), 1u);
	EXPECT_TRUE(got.count({-1}));
}
