// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "../../module/core/errno.h"
#include "../../module/core/policy.hpp"
#include "../../module/core/walk_report.h"
#include "../../tools/rmapscope/record.hpp"

namespace {

struct Fixture {
	rs_owner owners[2] = {};
	rs_map_record recs[3] = {};
	rs_walk_result res = {};

	Fixture()
	{
		owners[0].nr_pids = 2;
		owners[0].pids[0] = 100;
		owners[0].pids[1] = 101;
		std::strcpy(owners[0].comm, "a b");
		owners[1].nr_pids = 1;
		owners[1].pids[0] = 7;
		std::strcpy(owners[1].comm, "x");
		recs[0] = {0, 0, 0x1000, 0x3000, 0x10, RS_PROT_READ | RS_PROT_SHARED, "/mnt/my file", 0x2000, RS_LEVEL_PTE, 1, 1, 0, 0, 1, 0, 0, RS_AV_NONE, 0, 0};
		recs[1] = {0, 1, 0x200000, 0x400000, 0, RS_PROT_READ | RS_PROT_WRITE, nullptr, 0x200000, RS_LEVEL_PMD, 512, 0, 1, 1, 2, 1, 0, RS_AV_NONE, 0, 0};
		recs[2] = {1, 1, 0x5000, 0x6000, 0, RS_PROT_READ, nullptr, 0x5000, RS_LEVEL_PTE, 0, 0, 0, 0, 1, 0, 0, RS_AV_NONE, 0, 0};
		res.folio = {0x1234, 0x1235, 512, RS_KIND_FILE, 2, 3, 0x10, RS_FF(LRU) | RS_FF(DIRTY)};
		res.recs = recs;
		res.nr_recs = 3;
		res.maps = 2;
		res.vmas = 4;
		res.ns = 999;
		res.shared_mms = 1;
		res.owners = owners;
		res.nr_owners = 2;
	}
};

} // namespace

TEST(WalkReport, Text)
{
	Fixture f;
	char buf[4096];
	long n = rs_core_format_walk(&f.res, 0, buf, sizeof(buf));
	ASSERT_GT(n, 0);
	EXPECT_EQ(std::string(buf),
		  "folio pfn=0x1234 page_pfn=0x1235 nr_pages=512 kind=file mapcount=2 refcount=3 index=0x10 flags=lru,dirty\n"
		  "map pid=100,101 comm=a\\040b vma=0x1000-0x3000 pgoff=0x10 prot=r--s file=/mnt/my\\040file addr=0x2000 "
		  "level=pte present=1 young=1 dirty=0 write=0 pages=1 visits=1 mlock=0\n"
		  "map pid=7 comm=x vma=0x200000-0x400000 pgoff=0x0 prot=rw-p file=- addr=0x200000 level=pmd present=1 "
		  "young=0 dirty=1 write=1 pages=512 visits=2 mlock=1\n"
		  "skip vma=0x5000-0x6000 pid=7 reason=no_entry_maps_folio\n"
		  "walk maps=2 vmas=4 truncated=0 ns=999 owners=owner shared_mms=1\n");
	// Every line parses as a record with the tools' parser: escaping kept values to one token.
	auto recs = rmapscope::parse_report(buf);
	ASSERT_TRUE(recs);
	EXPECT_EQ((*recs)[1].get("file"), "/mnt/my\\040file");
}

TEST(WalkReport, JsonIsValidAndCarriesTheSameData)
{
	Fixture f;
	char buf[4096];
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	auto j = nlohmann::json::parse(buf);
	EXPECT_EQ(j["folio"]["kind"], "file");
	EXPECT_EQ(j["folio"]["flags"], nlohmann::json::array({"lru", "dirty"}));
	ASSERT_EQ(j["maps"].size(), 2u);
	EXPECT_EQ(j["maps"][0]["pids"], nlohmann::json::array({100, 101}));
	EXPECT_EQ(j["maps"][0]["file"], "/mnt/my file");
	EXPECT_EQ(j["maps"][1]["file"], nullptr);
	EXPECT_EQ(j["maps"][1]["level"], "pmd");
	EXPECT_EQ(j["skips"].size(), 1u);
	EXPECT_EQ(j["walk"]["vmas"], 4);
	EXPECT_EQ(j["walk"]["owners"], "owner");
	EXPECT_EQ(j["walk"]["shared_mms"], 1);
	f.res.all_owners = 1;
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	EXPECT_EQ(nlohmann::json::parse(buf)["walk"]["owners"], "all");
}

TEST(WalkReport, AnonFamilyTreeTextAndJsonAgree)
{
	// A family of two anon_vmas: the folio's own (the child's, level 0) and the root (level 1),
	// the root's VMA linked to the root only, the child's VMA to both (its own: level 0).
	Fixture f;
	f.res.tree = RS_TREE_ANON;
	f.res.family = f.res.marked = 1;
	f.res.nr_levels = f.res.nr_avs = 2;
	rs_anon_level levels[2] = {{0, 1, 2, 0, 1, 1}, {2, 1, 3, 1, 2, 1}};
	f.res.levels = levels;
	f.recs[0] = {1, 0, 0x1000, 0x3000, 0, RS_PROT_READ | RS_PROT_WRITE, nullptr, 0x1000, RS_LEVEL_PTE, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0};
	f.recs[1] = {0, 1, 0x1000, 0x3000, 0, RS_PROT_READ | RS_PROT_WRITE, nullptr, 0x2000, RS_LEVEL_PTE, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0};
	f.recs[2] = {0, 1, 0x1000, 0x3000, 0, RS_PROT_READ | RS_PROT_WRITE, nullptr, 0x2000, RS_LEVEL_PTE, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0};
	f.res.maps = 2;
	char buf[8192];
	ASSERT_GT(rs_core_format_walk(&f.res, 0, buf, sizeof(buf)), 0);
	EXPECT_EQ(std::string(buf),
		  "folio pfn=0x1234 page_pfn=0x1235 nr_pages=512 kind=file mapcount=2 refcount=3 index=0x10 flags=lru,dirty\n"
		  "anon_vma level=0 root=0 refcount=2 children=0 active_vmas=1 avcs=1 id=0 parent=1\n"
		  "anon_vma level=1 root=1 refcount=3 children=2 active_vmas=1 avcs=2 id=1 parent=1\n"
		  "avc pid=100,101 comm=a\\040b vma=0x1000-0x3000 pgoff=0x0 prot=rw-p file=- anon_vma=1 own=1 mapped=0\n"
		  "avc pid=7 comm=x vma=0x1000-0x3000 pgoff=0x0 prot=rw-p file=- anon_vma=1 own=0 mapped=1\n"
		  "avc pid=7 comm=x vma=0x1000-0x3000 pgoff=0x0 prot=rw-p file=- anon_vma=0 own=1 mapped=1\n"
		  "tree kind=anon levels=2 avcs=1 anon_vmas=2 family=1 maps=2 marked=1 truncated=0\n");
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	auto j = nlohmann::json::parse(buf)["tree"];
	EXPECT_EQ(j["family"], true);
	ASSERT_EQ(j["anon_vmas"].size(), 2u);
	EXPECT_EQ(j["anon_vmas"][0]["parent"], 1);
	EXPECT_EQ(j["anon_vmas"][1]["root"], true);
	ASSERT_EQ(j["avcs"].size(), 3u);
	EXPECT_EQ(j["avcs"][0]["mapped"], false);
	EXPECT_EQ(j["avcs"][0]["own"], true);
	EXPECT_EQ(j["avcs"][2]["anon_vma"], 0);
	EXPECT_EQ(j["avcs"][2]["addr"], 0x2000);
	EXPECT_EQ(j["maps"], 2);
	// A VMA beyond the anon_vma table (RS_AV_NONE) is "-" in text and null in JSON.
	f.recs[2].av = RS_AV_NONE;
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	EXPECT_EQ(nlohmann::json::parse(buf)["tree"]["avcs"][2]["anon_vma"], nullptr);
}

TEST(WalkReport, HostilePathsStayOneToken)
{
	Fixture f;
	f.recs[0].path = "/a b\n\tc\\d\x7f\"e";
	char buf[4096];
	ASSERT_GT(rs_core_format_walk(&f.res, 0, buf, sizeof(buf)), 0);
	EXPECT_NE(std::string(buf).find("file=/a\\040b\\012\\011c\\134d\\177\"e "), std::string::npos);
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	EXPECT_EQ(nlohmann::json::parse(buf)["maps"][0]["file"], "/a b\n\tc\\d\x7f\"e");
}

TEST(WalkReport, BoundHoldsForWorstCaseRecords)
{
	// Worst case: longest path of bytes that all escape, longest comm, huge numbers.
	std::string path(RMAPSCOPE_PATH_MAX - 1, ' ');
	std::vector<rs_map_record> recs(64);
	rs_owner o{};
	o.nr_pids = RMAPSCOPE_OWNER_PIDS;
	for (auto &p : o.pids)
		p = 4194304;
	std::memset(o.comm, ' ', 15);
	for (auto &r : recs)
		r = {0, 0, ~0UL, ~0UL, ~0UL, 15, path.c_str(), ~0UL, RS_LEVEL_PMD, ~0U, 1, 1, 1, ~0U, 1, ~0UL, RS_TREE_AVS - 1, 1, ~0UL};
	rs_walk_result res{};
	res.folio = {~0UL, ~0UL, ~0UL, RS_KIND_HUGETLB, -2147483647, -2147483647, ~0UL, ~0UL};
	res.recs = recs.data();
	res.nr_recs = 64;
	res.maps = res.vmas = ~0UL;
	res.ns = ~0ULL;
	res.owners = &o;
	res.nr_owners = 1;
	size_t cap = rs_core_walk_response_bound(64);
	std::vector<char> buf(cap);
	EXPECT_GT(rs_core_format_walk(&res, 0, buf.data(), cap), 0);
	EXPECT_GT(rs_core_format_walk(&res, 1, buf.data(), cap), 0);
	// tree, each kind, with every anon_vma slot used and the largest numbers.
	std::vector<rs_anon_level> levels(RS_TREE_AVS, {~0UL, ~0UL, -2147483647, 1, ~0UL, RS_TREE_AVS - 1});
	res.levels = levels.data();
	res.nr_levels = RS_TREE_LEVELS;
	res.nr_avs = RS_TREE_AVS;
	res.tree_vmas = res.mapping_pages = ~0UL;
	res.family = res.marked = res.truncated = 1;
	for (int kind : {RS_TREE_ANON, RS_TREE_FILE, RS_TREE_KSM}) {
		res.tree = kind;
		EXPECT_GT(rs_core_format_walk(&res, 0, buf.data(), cap), 0) << kind;
		EXPECT_GT(rs_core_format_walk(&res, 1, buf.data(), cap), 0) << kind;
	}
}

TEST(WalkReport, SizedResponseAlwaysFitsAndStaysWithinTheBound)
{
	Fixture f;
	std::string hostile(RMAPSCOPE_PATH_MAX - 1, '\n'); // every byte escapes to four
	for (const char *path : {static_cast<const char *>(nullptr), "/x", hostile.c_str()}) {
		f.recs[0].path = path;
		for (int format : {0, 1}) {
			size_t need = rs_core_walk_response_size(&f.res, format);
			std::vector<char> buf(need);
			EXPECT_GT(rs_core_format_walk(&f.res, format, buf.data(), need), 0) << format;
			EXPECT_LE(need, rs_core_walk_response_bound(f.res.nr_recs));
		}
	}
}

// The real worst case of each format: every byte of a path and a comm is a control byte (6 bytes
// in JSON, "\u0001"), for many records; and bytes that are not UTF-8 must still give JSON a
// strict parser takes.
TEST(WalkReport, WorstCaseEscapingFitsTheBoundAndStaysStrictJson)
{
	for (char fill : {'\x01', '\xff', ' '}) {
		std::string path(RMAPSCOPE_PATH_MAX - 1, fill);
		rs_owner o{};
		o.nr_pids = 1;
		o.pids[0] = 1;
		std::memset(o.comm, fill, 15);
		std::vector<rs_map_record> recs(64);
		for (auto &r : recs)
			r = {0, 0, 0x1000, 0x2000, 0, RS_PROT_READ, path.c_str(), 0x1000, RS_LEVEL_PTE, 1, 1, 0, 0, 1, 0, 0, RS_AV_NONE, 0, 0};
		rs_walk_result res{};
		res.folio = {1, 1, 1, RS_KIND_FILE, 64, 65, 0, RS_FF(LRU)};
		res.recs = recs.data();
		res.nr_recs = 64;
		res.maps = 64;
		res.owners = &o;
		res.nr_owners = 1;
		for (int format : {0, 1}) {
			size_t need = rs_core_walk_response_size(&res, format);
			EXPECT_LE(need, rs_core_walk_response_bound(64));
			std::vector<char> buf(need);
			long n = rs_core_format_walk(&res, format, buf.data(), need);
			ASSERT_GT(n, 0) << "fill " << int(static_cast<unsigned char>(fill)) << " format " << format;
			if (format == 1) {
				nlohmann::json j;
				EXPECT_NO_THROW(j = nlohmann::json::parse(std::string(buf.data(), size_t(n))))
					<< "fill " << int(static_cast<unsigned char>(fill));
			}
		}
	}
}

TEST(WalkReport, JsonKeepsUtf8AndReplacesWhatIsNotUtf8)
{
	Fixture f;
	// Valid: é (2 bytes), € (3), U+1F600 (4). Invalid: a lone continuation byte, 0xff, a
	// truncated sequence, an overlong '/', a UTF-16 surrogate, a code point above U+10FFFF.
	f.recs[0].path = "/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\x80|\xff|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|";
	std::strcpy(f.owners[0].comm, "\xff\xfe");
	char buf[4096];
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	nlohmann::json j;
	ASSERT_NO_THROW(j = nlohmann::json::parse(buf));
	const std::string r = "\xef\xbf\xbd"; // U+FFFD
	// One U+FFFD per byte that is not part of a valid sequence.
	EXPECT_EQ(j["maps"][0]["file"], "/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|" + r + "|" + r + "|" + r + r + "|" + r + r +
						"|" + r + r + r + "|" + r + r + r + r + "|");
	EXPECT_EQ(j["maps"][0]["comm"], r + r);
}

// An owner outside the reader's pid namespace: the kernel says 0 (task_tgid_vnr()).
TEST(WalkReport, OwnersOutsideThePidNamespaceAreQuestionMarksNotZero)
{
	Fixture f;
	f.owners[0].pids[1] = 0;
	char buf[4096];
	ASSERT_GT(rs_core_format_walk(&f.res, 0, buf, sizeof(buf)), 0);
	EXPECT_NE(std::string(buf).find("map pid=100,? comm="), std::string::npos) << buf;
	ASSERT_GT(rs_core_format_walk(&f.res, 1, buf, sizeof(buf)), 0);
	EXPECT_EQ(nlohmann::json::parse(buf)["maps"][0]["pids"], nlohmann::json::parse("[100,null]"));
}

TEST(WalkReport, ErrorLine)
{
	char buf[128];
	long n = rs_core_format_error(-RS_ENXIO, "the zero page", buf, sizeof(buf));
	EXPECT_EQ(std::string(buf, n), "error ENXIO the zero page\n");
	rs_core_format_error(-999, "odd", buf, sizeof(buf));
	EXPECT_EQ(std::string(buf), "error EUNKNOWN odd\n");
}

TEST(Policy, WhatMayBeWalked)
{
	rs_folio_info f{};
	f.kind = RS_KIND_ANON;
	for (int k : {RS_KIND_ANON, RS_KIND_FILE, RS_KIND_SHMEM, RS_KIND_KSM}) {
		f.kind = k;
		EXPECT_EQ(rs::plan_walk(f).refuse, 0) << k;
	}
	f.kind = RS_KIND_HUGETLB;
	EXPECT_EQ(rs::plan_walk(f).refuse, -RS_EOPNOTSUPP);
}

TEST(Policy, WalkCapacity)
{
	EXPECT_EQ(rs::walk_capacity(4096, 1), 18u);
	EXPECT_EQ(rs::walk_capacity(4096, 256), 528u);
	EXPECT_EQ(rs::walk_capacity(100, 256), 100u);	// never above max
	EXPECT_EQ(rs::walk_capacity(4096, -1), 64u);	// mapcount unreadable (6.1 without the symbol)
	EXPECT_EQ(rs::walk_capacity(4096, 0), 64u);
	EXPECT_TRUE(rs::walk_again(18, 4096, true));
	EXPECT_FALSE(rs::walk_again(4096, 4096, true));	// already at max: report truncated=1
	EXPECT_FALSE(rs::walk_again(18, 4096, false));
}
