// SPDX-License-Identifier: GPL-2.0
// referenced and unmap against the fake kernel: the policy refuses what could lose data before
// any kernel call, and every path gives back the isolation, the lock, the buffers and the
// reference.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "../../module/core/command.h"
#include "../../module/core/core.h"
#include "../../module/core/errno.h"
#include "../../module/core/policy.hpp"
#include "fake_os.hpp"

namespace {

struct Outcome {
	long ret;
	std::string text;
};

Outcome run(int verb, bool range = false)
{
	rs_command cmd{};
	cmd.verb = verb;
	cmd.pid = 1;
	cmd.max = 8;
	cmd.range = range;
	cmd.start = 0x1000;
	cmd.end = 0x9000;
	char *out = nullptr;
	long r = rs_core_run_command(&cmd, &out);
	std::string text = out ? out : "";
	std::free(out);
	return {r, text};
}

void expect_all_released()
{
	EXPECT_EQ(fake::state().refs, 0);
	EXPECT_EQ(fake::state().locks, 0);
	EXPECT_EQ(fake::state().walks, 0);
	EXPECT_EQ(fake::state().isolated, 0);
}

class Action : public ::testing::Test {
protected:
	void SetUp() override
	{
		fake::reset();
		fake::state().folio.kind = RS_KIND_FILE;
		fake::state().folio.nr_pages = 1;
		fake::state().folio.mapcount = 1;
	}
};

} // namespace

TEST_F(Action, ReferencedIsolatesLocksAndReportsTheKernelsValue)
{
	fake::state().action.refs = 3;
	Outcome r = run(RS_VERB_REFERENCED);
	EXPECT_GT(r.ret, 0);
	EXPECT_EQ(r.text.rfind("referenced refs=3 vm_flags=- effects=lru_isolated mglru=0\nfolio ", 0), 0u) << r.text;
	EXPECT_EQ(fake::state().lock_calls, 1);
	EXPECT_EQ(fake::state().action_calls, 1);
	expect_all_released();
}

// Reclaim's order, and nothing held while the response is written: isolate, lock, walk, ask;
// unlock, put back; then the response (no lock, no isolation), then the reference goes.
TEST_F(Action, ReferencedUnlocksAndPutsBackBeforeWritingTheResponse)
{
	fake::state().action.refs = 1;
	Outcome r = run(RS_VERB_REFERENCED);
	ASSERT_GT(r.ret, 0) << r.text;
	EXPECT_EQ(fake::calls(), "get isolate lock walk referenced unlock putback valloc+0+0 put");
	expect_all_released();
}

TEST_F(Action, UnmapUnlocksBeforeWritingTheResponse)
{
	fake::state().folio.flags = RS_FF(LRU);
	fake::state().action.mapcount_after = 0;
	Outcome r = run(RS_VERB_UNMAP);
	ASSERT_GT(r.ret, 0) << r.text;
	// The "gone" marks and the response are allocated once the lock is dropped.
	EXPECT_EQ(fake::calls(), "get lock walk unmap unlock valloc+0+0 valloc+0+0 put");
	expect_all_released();
}

TEST_F(Action, ReferencedContentionIsEagainNeverAFakeZero)
{
	fake::state().action.refs = -1;
	Outcome r = run(RS_VERB_REFERENCED);
	EXPECT_EQ(r.ret, -RS_EAGAIN);
	EXPECT_EQ(r.text.rfind("error EAGAIN folio_referenced returned -1", 0), 0u) << r.text;
	expect_all_released();
}

TEST_F(Action, ReferencedNotOnLruIsRefusedBeforeLocking)
{
	fake::state().isolate_err = -RS_EBUSY;
	Outcome r = run(RS_VERB_REFERENCED);
	EXPECT_EQ(r.ret, -RS_EBUSY);
	EXPECT_EQ(fake::state().lock_calls, 0);
	EXPECT_EQ(fake::state().action_calls, 0);
	expect_all_released();
}

TEST_F(Action, UnmapOfAPlainAnonFolioIsRefusedWithoutACall)
{
	fake::state().folio.kind = RS_KIND_ANON;
	fake::state().folio.flags = RS_FF(SWAPBACKED);
	Outcome r = run(RS_VERB_UNMAP);
	EXPECT_EQ(r.ret, -RS_EPERM);
	EXPECT_EQ(r.text, "error EPERM anon folio not in the swap cache: unmapping it would lose its data\n");
	EXPECT_EQ(fake::state().action_calls, 0);
	EXPECT_EQ(fake::state().walk_runs, 0);
	expect_all_released();
}

TEST_F(Action, UnmapPolicy)
{
	rs_folio_info f{};
	f.kind = RS_KIND_ANON;
	f.flags = RS_FF(SWAPBACKED) | RS_FF(SWAPCACHE);
	EXPECT_EQ(rs::plan_unmap(f).refuse, 0); // anon in the swap cache
	f.flags = 0;
	EXPECT_EQ(rs::plan_unmap(f).refuse, -RS_EPERM); // lazyfree anon would be discarded
	f.flags = RS_FF(SWAPCACHE);
	EXPECT_EQ(rs::plan_unmap(f).refuse, -RS_EPERM);
	f.kind = RS_KIND_KSM;
	f.flags = RS_FF(SWAPBACKED) | RS_FF(SWAPCACHE);
	EXPECT_EQ(rs::plan_unmap(f).refuse, -RS_EOPNOTSUPP);
	f.kind = RS_KIND_HUGETLB;
	EXPECT_EQ(rs::plan_unmap(f).refuse, -RS_EOPNOTSUPP);
	f.kind = RS_KIND_SHMEM;
	f.flags = RS_FF(SWAPBACKED);
	EXPECT_EQ(rs::plan_unmap(f).refuse, 0);
	f.flags |= RS_FF(MLOCKED);
	EXPECT_EQ(rs::plan_unmap(f).refuse, -RS_EPERM);
	f.kind = RS_KIND_FILE;
	f.flags = RS_FF(DIRTY);
	EXPECT_EQ(rs::plan_unmap(f).refuse, 0); // the kernel moves a dirty PTE's bit to the folio
}

TEST_F(Action, UnmapMarksWhichMappingsWent)
{
	rs_map_record recs[2]{};
	recs[0].addr = 0x1000;
	recs[0].mm_cookie = 1;
	recs[1].addr = 0x2000;
	recs[1].mm_cookie = 2;
	fake::state().result.recs = recs;
	fake::state().result.nr_recs = 2;
	fake::state().action.mapcount_before = 2;
	fake::state().action.mapcount_after = 0;
	fake::state().action.unmapped = 1;
	Outcome r = run(RS_VERB_UNMAP);
	EXPECT_GT(r.ret, 0);
	EXPECT_EQ(r.text.rfind("unmap mapcount_before=2 mapcount_after=0 unmapped=1 gone=2 flags=-\n", 0), 0u) << r.text;
	EXPECT_NE(r.text.find("gone=1\n"), std::string::npos);
	EXPECT_EQ(fake::state().walk_runs, 1); // nothing left to walk after
	expect_all_released();
}

TEST_F(Action, UnmapRefusesAFolioAnMlockedVmaMaps)
{
	rs_map_record rec{};
	rec.mlock = 1;
	fake::state().result.recs = &rec;
	fake::state().result.nr_recs = 1;
	Outcome r = run(RS_VERB_UNMAP);
	EXPECT_EQ(r.ret, -RS_EPERM);
	EXPECT_EQ(fake::state().action_calls, 0);
	expect_all_released();
}

TEST_F(Action, ReferencedEffectsFollowTheYoungBits)
{
	rs_map_record recs[2]{};
	recs[0].young = 1;
	recs[0].level = RS_LEVEL_PTE;
	recs[1].young = 1;
	recs[1].level = RS_LEVEL_PMD;
	rs_walk_result before{};
	before.recs = recs;
	before.nr_recs = 1;
	rs_action_result a{};
	a.mglru = 1;
	EXPECT_EQ(rs::referenced_effects(a, before), RS_EFF(LRU_ISOLATED) | RS_EFF(YOUNG_CLEARED) |
							     RS_EFF(IDLE_CLEARED) | RS_EFF(MGLRU_LOOK_AROUND));
	a.mglru = 0;
	a.arch_flushes_young = 1;
	EXPECT_TRUE(rs::referenced_effects(a, before) & RS_EFF(TLB_FLUSHED));
	a.arch_flushes_young = 0;
	EXPECT_FALSE(rs::referenced_effects(a, before) & RS_EFF(TLB_FLUSHED));
	before.nr_recs = 2; // a young PMD is flushed on every arch
	EXPECT_TRUE(rs::referenced_effects(a, before) & RS_EFF(TLB_FLUSHED));
	recs[0].young = recs[1].young = 0;
	EXPECT_EQ(rs::referenced_effects(a, before), RS_EFF(LRU_ISOLATED));
	a.vm_flags = RS_VMF(LOCKED);
	EXPECT_TRUE(rs::referenced_effects(a, before) & RS_EFF(MLOCK_RESTORED));
}

TEST_F(Action, RangeReportCountsSkipsAndDetail)
{
	rs_range_result &g = fake::state().range;
	g.pid = 1;
	g.start = 0x1000;
	g.end = 0x9000;
	g.pages = 3;
	g.pages_referenced = 1;
	g.folios = 2;
	g.folios_referenced = 1;
	g.skipped_folios = 1;
	g.skipped_pages = 1;
	g.skips[RS_SKIP_LOCKED] = 1;
	g.hist[0] = 1;
	g.hist[rs_range_bucket(5)] = 1;
	fake::state().range_pages = {{0x1000, 0x50, 5, RS_RANGE_NO_SKIP, 1, 0}, {0x2000, 0x51, 0, RS_SKIP_LOCKED, 0, 0}};
	Outcome r = run(RS_VERB_REFERENCED, true);
	EXPECT_GT(r.ret, 0);
	EXPECT_EQ(r.text,
		  "range pid=1 start=0x1000 end=0x9000 pages=3 pages_referenced=1 folios=2 folios_referenced=1 "
		  "skipped_folios=1 skipped_pages=1 look_around=0 answered_by_entry=0 mglru=0 ns=0 lookup_ns=0 ask_ns=0\n"
		  "skips not_lru=0 locked=1 contended=0 untracked=0 unsupported=0\n"
		  "histogram refs_0=1 refs_1=0 refs_2_3=0 refs_4_7=1 refs_8_15=0 refs_16_plus=0\n");
	expect_all_released();
}

TEST(RangeBucket, Log2Buckets)
{
	EXPECT_EQ(rs_range_bucket(-1), 0u);
	EXPECT_EQ(rs_range_bucket(0), 0u);
	EXPECT_EQ(rs_range_bucket(1), 1u);
	EXPECT_EQ(rs_range_bucket(2), 2u);
	EXPECT_EQ(rs_range_bucket(3), 2u);
	EXPECT_EQ(rs_range_bucket(4), 3u);
	EXPECT_EQ(rs_range_bucket(15), 4u);
	EXPECT_EQ(rs_range_bucket(16), 5u);
	EXPECT_EQ(rs_range_bucket(1000), 5u);
}

// detail=1 is bounded in pages of the kernel's own size: 256 MiB + 4 KiB is 65537 pages of 4 KiB
// (refused) but 16385 of 16 KiB (taken), and the per-page buffer is sized in that page size.
TEST_F(Action, RangeDetailBoundIsInTheKernelsPages)
{
	rs_command cmd{};
	cmd.verb = RS_VERB_REFERENCED;
	cmd.pid = 1;
	cmd.range = 1;
	cmd.detail = 1;
	cmd.start = 0;
	cmd.end = 0x10001000;
	char *out = nullptr;
	long r = rs_core_run_command(&cmd, &out);
	EXPECT_EQ(r, -RS_EINVAL);
	EXPECT_STREQ(out, "error EINVAL detail=1 covers at most 65536 pages\n");
	std::free(out);
	out = nullptr;
	fake::state().page_size = 16384;
	r = rs_core_run_command(&cmd, &out);
	EXPECT_GT(r, 0) << (out ? out : "");
	std::free(out);
	fake::state().page_size = 4096;
	expect_all_released();
}
