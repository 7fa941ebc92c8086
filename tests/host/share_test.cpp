// SPDX-License-Identifier: GPL-2.0
// share pid=: the parser, the core's handling of what the kernel side found (peers sorted, pss in
// bytes as smaps rounds it), and the response in text and JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../../module/core/command.h"
#include "../../module/core/core.h"
#include "../../module/core/errno.h"
#include "../../module/core/share_report.h"
#include "../../tools/rmapscope/record.hpp"
#include "fake_os.hpp"

namespace {

struct Parsed {
	int ret;
	rs_command cmd;
	std::string err;
};

Parsed parse(const std::string &s)
{
	Parsed p{};
	char err[128] = "";
	p.ret = rs_core_parse_command(s.data(), s.size(), &p.cmd, err, sizeof(err));
	p.err = err;
	return p;
}

std::string run(const std::string &line, long *ret = nullptr)
{
	Parsed p = parse(line);
	EXPECT_EQ(p.ret, 0) << p.err;
	char *out = nullptr;
	long r = rs_core_run_command(&p.cmd, &out);
	if (ret)
		*ret = r;
	std::string text = out ? out : "";
	std::free(out);
	return text;
}

rs_share_peer peer(int pid, const char *comm, unsigned long pages)
{
	rs_share_peer p{};
	p.pid = pid;
	p.nr_pids = 1;
	std::snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.pages = pages;
	p.kind[RS_SK_ANON] = pages;
	p.pss = static_cast<unsigned long long>(pages) * 4096 / 2 << RS_PSS_SHIFT;
	return p;
}

class Share : public ::testing::Test {
protected:
	void SetUp() override
	{
		fake::reset();
		auto &s = fake::state();
		s.share.pid = 42;
		s.share.start = 0;
		s.share.end = 0x7ffffffff000;
		s.share.rss = 10;
		// 8 private pages and 2 shared by two: 8 * 4096 + 2 * 2048 bytes, plus a remainder
		// smaps' >> PSS_SHIFT drops.
		s.share.pss = (8ULL * 4096 + 2 * 2048) << RS_PSS_SHIFT | 5;
		s.share.uss = 8;
		s.share.private_dirty = 8;
		s.share.shared_clean = 2;
		s.share.kind[RS_SK_ANON] = 10;
		s.share.skips[RS_SS_UNTRACKED] = 3;
		s.share_peers = {peer(7, "small", 1), peer(9, "big one", 2), peer(8, "tie", 1)};
	}
};

} // namespace

TEST(ShareCommand, Grammar)
{
	Parsed whole = parse("share pid=5");
	ASSERT_EQ(whole.ret, 0) << whole.err;
	EXPECT_EQ(whole.cmd.verb, RS_VERB_SHARE);
	EXPECT_EQ(whole.cmd.start, 0UL);
	EXPECT_EQ(whole.cmd.end, 0UL);
	Parsed part = parse("share pid=5 start=0x1000 end=0x3000 format=json owners=all");
	ASSERT_EQ(part.ret, 0) << part.err;
	EXPECT_EQ(part.cmd.end, 0x3000UL);
	EXPECT_EQ(part.cmd.all_owners, 1);
	EXPECT_EQ(part.cmd.format, RS_FORMAT_JSON);
	const std::pair<const char *, const char *> bad[] = {
		{"share", "share needs pid="},
		{"share start=1 end=2", "share needs pid="},
		{"share pid=1 start=0x1000", "give both start= and end=, or neither (the whole address space)"},
		{"share pid=1 end=0x1000", "give both start= and end=, or neither (the whole address space)"},
		{"share pid=1 start=0x2000 end=0x2000", "start= must be below end="},
		{"share pid=1 addr=0x1000", "share takes pid=, start=, end=, method=, format= and owners= only"},
		{"share pid=1 detail=1", "share takes pid=, start=, end=, method=, format= and owners= only"},
		{"share pfn=1", "share takes pid=, start=, end=, method=, format= and owners= only"},
		{"share pid=0", "pid out of range (1..4194304): '0'"},
	};
	for (const auto &[line, msg] : bad) {
		Parsed p = parse(line);
		EXPECT_EQ(p.ret, -RS_EINVAL) << line;
		EXPECT_EQ(p.err, msg) << line;
	}
}

TEST_F(Share, TextSortsPeersAndRoundsPssAsSmaps)
{
	long ret = 0;
	std::string t = run("share pid=42 start=0x1000 end=0x9000", &ret);
	EXPECT_GT(ret, 0);
	EXPECT_EQ(fake::state().last_share_pid, 42);
	EXPECT_EQ(fake::state().last_share_start, 0x1000UL);
	EXPECT_EQ(fake::state().last_share_end, 0x9000UL);
	EXPECT_EQ(t, "share pid=42 start=0x0 end=0x7ffffffff000 rss=10 pss_bytes=36864 uss=8 shared_clean=2 "
		     "shared_dirty=0 private_clean=0 private_dirty=8 anon=10 file=0 shmem=0 ksm=0 thp=0 folios=0 "
		     "vmas=0 peers=3 peers_dropped=0 owners=owner shared_mms=0 method=bulk mapcount=- lock_max_ns=0 ns=0\n"
		     "skips untracked=3 unsupported=0 large=0 raced=0 too_many_mappings=0\n"
		     "peer pid=9 comm=big\\040one pages=2 anon=2 file=0 shmem=0 ksm=0 thp=0 pss_bytes=4096\n"
		     "peer pid=7 comm=small pages=1 anon=1 file=0 shmem=0 ksm=0 thp=0 pss_bytes=2048\n"
		     "peer pid=8 comm=tie pages=1 anon=1 file=0 shmem=0 ksm=0 thp=0 pss_bytes=2048\n");
	auto recs = rmapscope::parse_report(t);
	ASSERT_TRUE(recs);
	EXPECT_EQ(recs->size(), 5u);
}

TEST_F(Share, JsonCarriesTheSameData)
{
	fake::state().share_peers.push_back(rs_share_peer{}); // a peer whose mm no process uses any more
	std::string t = run("share pid=42 format=json owners=all");
	EXPECT_EQ(fake::state().last_all_owners, 1);
	EXPECT_EQ(fake::state().last_share_end, 0UL);
	auto j = nlohmann::json::parse(t);
	EXPECT_EQ(j["share"]["rss"], 10);
	EXPECT_EQ(j["share"]["pss_bytes"], 36864);
	EXPECT_EQ(j["skips"]["untracked"], 3);
	ASSERT_EQ(j["peers"].size(), 4u);
	EXPECT_EQ(j["peers"][0]["comm"], "big one");
	EXPECT_EQ(j["peers"][3]["pid"], nullptr);
	EXPECT_EQ(j["peers"][3]["comm"], nullptr);
}

TEST_F(Share, KernelFailureIsOneErrorLine)
{
	fake::state().share_err = -RS_ESRCH;
	long ret = 0;
	EXPECT_EQ(run("share pid=42", &ret), "error ESRCH scripted share failure\n");
	EXPECT_EQ(ret, -RS_ESRCH);
}

TEST_F(Share, ThousandsOfPeersFitTheResponse)
{
	auto &s = fake::state();
	s.share_peers.clear();
	for (int i = 0; i < 2000; ++i)
		s.share_peers.push_back(peer(100 + i, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 1000000000UL + i));
	long ret = 0;
	std::string t = run("share pid=42 format=json", &ret);
	ASSERT_GT(ret, 0) << t;
	auto j = nlohmann::json::parse(t);
	EXPECT_EQ(j["peers"].size(), static_cast<size_t>(RMAPSCOPE_SHARE_PEERS_MAX));
	EXPECT_EQ(j["peers"][0]["pid"], 100 + RMAPSCOPE_SHARE_PEERS_MAX - 1); // most pages first
	std::string txt = run("share pid=42", &ret);
	EXPECT_GT(ret, 0) << txt;
}

TEST(PhysCommand, Grammar)
{
	Parsed all = parse("phys");
	ASSERT_EQ(all.ret, 0) << all.err;
	EXPECT_EQ(all.cmd.verb, RS_VERB_PHYS);
	EXPECT_EQ(all.cmd.end_pfn, 0UL);
	Parsed part = parse("phys start_pfn=0x100 end_pfn=0x200 referenced=1 format=json owners=all");
	ASSERT_EQ(part.ret, 0) << part.err;
	EXPECT_EQ(part.cmd.start_pfn, 0x100UL);
	EXPECT_EQ(part.cmd.end_pfn, 0x200UL);
	EXPECT_EQ(part.cmd.referenced, 1);
	EXPECT_EQ(parse("phys end_pfn=0x200").ret, 0);
	EXPECT_EQ(all.cmd.no_young, 0);
	EXPECT_EQ(parse("phys young=0").cmd.no_young, 1);
	EXPECT_EQ(parse("phys young=1 referenced=1").cmd.no_young, 0);
	EXPECT_EQ(parse("phys sets=1").cmd.sets, 1);
	EXPECT_EQ(all.cmd.sets, 0);
	const std::pair<const char *, const char *> bad[] = {
		{"phys start_pfn=0x100", "start_pfn= needs end_pfn="},
		{"phys start_pfn=0x200 end_pfn=0x200", "start_pfn= must be below end_pfn="},
		{"phys referenced=2", "referenced must be 0 or 1, got '2'"},
		{"phys pid=1", "phys takes start_pfn=, end_pfn=, referenced=, young=, sets=, method=, format= and owners= only"},
		{"phys pfn=1", "phys takes start_pfn=, end_pfn=, referenced=, young=, sets=, method=, format= and owners= only"},
		{"phys start=1 end=2", "phys takes start_pfn=, end_pfn=, referenced=, young=, sets=, method=, format= and owners= only"},
		{"walk pfn=1 start_pfn=1", "start_pfn=, end_pfn=, referenced=, young= and sets= belong to phys only"},
		{"share pid=1 referenced=1", "start_pfn=, end_pfn=, referenced=, young= and sets= belong to phys only"},
		{"share pid=1 young=0", "start_pfn=, end_pfn=, referenced=, young= and sets= belong to phys only"},
		{"share pid=1 sets=1", "start_pfn=, end_pfn=, referenced=, young= and sets= belong to phys only"},
		{"phys sets=2", "sets must be 0 or 1, got '2'"},
		{"phys young=2", "young must be 0 or 1, got '2'"},
		{"phys young=0 referenced=1", "young=0 and referenced=1 do not go together: referenced= needs the young entries"},
	};
	for (const auto &[line, msg] : bad) {
		Parsed p = parse(line);
		EXPECT_EQ(p.ret, -RS_EINVAL) << line;
		EXPECT_EQ(p.err, msg) << line;
	}
}

TEST_F(Share, PhysReportsOwnersAndFilesMostPagesFirst)
{
	auto &s = fake::state();
	s.phys.start_pfn = 0x100;
	s.phys.end_pfn = 0x80000;
	s.phys.pages = 0x7ff00;
	s.phys.mapped = 4;
	s.phys.referenced = -1;
	rs_phys_file a{}, b{};
	std::snprintf(a.path, sizeof(a.path), "/usr/lib/libc.so.6");
	a.pages = 3;
	std::snprintf(b.path, sizeof(b.path), "/a b");
	b.pages = 9;
	s.phys_files = {a, b};
	long ret = 0;
	std::string t = run("phys start_pfn=0x100 end_pfn=0x80000", &ret);
	ASSERT_GT(ret, 0) << t;
	EXPECT_EQ(s.last_phys, (std::vector<unsigned long>{0x100, 0x80000, 0, 0}));
	auto recs = rmapscope::parse_report(t);
	ASSERT_TRUE(recs);
	ASSERT_EQ(recs->size(), 2u + 3 + 2);
	EXPECT_EQ((*recs)[0].get("referenced"), "-");
	EXPECT_EQ((*recs)[2].kind, "owner");
	EXPECT_EQ((*recs)[2].get("comm"), "big\\040one");
	EXPECT_EQ((*recs)[5].get("path"), "/a\\040b");
	auto j = nlohmann::json::parse(run("phys format=json referenced=1"));
	EXPECT_EQ(s.last_phys, (std::vector<unsigned long>{0, 0, 1, 0}));
	EXPECT_EQ(j["phys"]["referenced"], nullptr);
	EXPECT_EQ(j["phys"]["young"], true);
	EXPECT_TRUE(j["owners"][0]["young"].is_number());
	// young=0: the owners' young counts are not known, and say so.
	std::string ty = run("phys young=0", &ret);
	EXPECT_EQ(s.last_phys, (std::vector<unsigned long>{0, 0, 0, 1}));
	auto ry = rmapscope::parse_report(ty);
	ASSERT_TRUE(ry);
	EXPECT_EQ((*ry)[0].get("young"), "0");
	EXPECT_EQ((*ry)[2].get("young"), "-");
	auto jy = nlohmann::json::parse(run("phys young=0 format=json"));
	EXPECT_EQ(jy["phys"]["young"], false);
	EXPECT_EQ(jy["owners"][0]["young"], nullptr);
	EXPECT_EQ(j["owners"].size(), 3u);
	EXPECT_EQ(j["files"][0]["path"], "/a b");
	s.phys_err = -RS_ERANGE;
	EXPECT_EQ(run("phys", &ret), "error ERANGE scripted phys failure\n");
}

TEST(ShareCommand, MethodIsBulkOrWalkForShareAndPhysOnly)
{
	EXPECT_EQ(parse("share pid=5").cmd.method, RS_METHOD_BULK);
	EXPECT_EQ(parse("share pid=5 method=walk").cmd.method, RS_METHOD_WALK);
	EXPECT_EQ(parse("share pid=5 method=bulk").cmd.method, RS_METHOD_BULK);
	EXPECT_EQ(parse("phys method=walk").cmd.method, RS_METHOD_WALK);
	const std::pair<const char *, const char *> bad[] = {
		{"share pid=5 method=fast", "method must be bulk or walk, got 'fast'"},
		{"walk pid=5 addr=0x1000 method=walk", "method= belongs to share and phys only"},
		{"tree pfn=5 method=bulk", "method= belongs to share and phys only"},
		{"referenced pid=5 start=0x1000 end=0x2000 method=walk", "method= belongs to share and phys only"},
	};
	for (const auto &[line, msg] : bad) {
		Parsed p = parse(line);
		EXPECT_EQ(p.ret, -RS_EINVAL) << line;
		EXPECT_EQ(p.err, msg) << line;
	}
}

TEST_F(Share, TheMethodReachesTheKernelAndTheResponse)
{
	fake::state().share.method = RS_METHOD_WALK;
	fake::state().share.mapcount = "folio";
	std::string t = run("share pid=42 method=walk format=json");
	EXPECT_EQ(fake::state().last_method, RS_METHOD_WALK);
	auto j = nlohmann::json::parse(t);
	EXPECT_EQ(j["share"]["method"], "walk");
	EXPECT_EQ(j["share"]["mapcount"], "folio");
	run("phys");
	EXPECT_EQ(fake::state().last_method, RS_METHOD_BULK);
}
