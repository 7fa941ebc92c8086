// SPDX-License-Identifier: GPL-2.0
// The walk command's orchestration against the fake kernel: every path out of it gives back the
// folio reference, the folio lock and the walk buffer, and says why it failed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "../../module/core/command.h"
#include "../../module/core/core.h"
#include "../../module/core/errno.h"
#include "fake_os.hpp"

namespace {

struct Outcome {
	long ret;
	std::string text;
};

Outcome run(bool by_pfn = false, unsigned max = 8, int all_owners = 0)
{
	rs_command cmd{};
	cmd.verb = RS_VERB_WALK;
	cmd.all_owners = all_owners;
	cmd.by_pfn = by_pfn;
	cmd.pid = 1;
	cmd.max = max;
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
}

class Walk : public ::testing::Test {
protected:
	void SetUp() override
	{
		fake::reset();
		fake::state().folio.kind = RS_KIND_ANON;
		fake::state().folio.nr_pages = 1;
	}
};

} // namespace

TEST_F(Walk, EveryKindWalksUnderTheFolioLock)
{
	// rmap_walk_file/ksm have always needed it; rmap_walk_anon does since 7.x.
	for (int kind : {RS_KIND_ANON, RS_KIND_FILE, RS_KIND_SHMEM, RS_KIND_KSM}) {
		fake::reset();
		fake::state().folio.kind = kind;
		EXPECT_GT(run(true).ret, 0);
		EXPECT_EQ(fake::state().lock_calls, 1) << kind;
		expect_all_released();
	}
}

TEST_F(Walk, TheLockIsDroppedBeforeTheResponseIsWritten)
{
	fake::state().folio.kind = RS_KIND_FILE;
	EXPECT_GT(run(true).ret, 0);
	EXPECT_EQ(fake::calls(), "get lock walk unlock valloc+0+0 put");
	expect_all_released();
}

TEST_F(Walk, ResolverFailureIsReportedAndTakesNothing)
{
	fake::state().target_err = -RS_ENOENT;
	Outcome r = run();
	EXPECT_EQ(r.ret, -RS_ENOENT);
	EXPECT_EQ(r.text, "error ENOENT scripted failure\n");
	EXPECT_EQ(fake::state().walk_runs, 0);
	expect_all_released();
}

TEST_F(Walk, HugetlbIsRefusedBeforeAnyLockOrWalk)
{
	fake::state().folio.kind = RS_KIND_HUGETLB;
	Outcome r = run();
	EXPECT_EQ(r.ret, -RS_EOPNOTSUPP);
	EXPECT_EQ(r.text, "error EOPNOTSUPP hugetlb folios are not supported\n");
	EXPECT_EQ(fake::state().lock_calls, 0);
	EXPECT_EQ(fake::state().walk_runs, 0);
	expect_all_released();
}

TEST_F(Walk, InterruptedLockGivesEintrAndReleases)
{
	fake::state().folio.kind = RS_KIND_FILE;
	fake::state().lock_err = -RS_EINTR;
	Outcome r = run();
	EXPECT_EQ(r.ret, -RS_EINTR);
	EXPECT_EQ(r.text.rfind("error EINTR ", 0), 0u);
	EXPECT_EQ(fake::state().walk_runs, 0);
	expect_all_released();
}

TEST_F(Walk, WalkFailureReleasesLockBufferAndReference)
{
	fake::state().folio.kind = RS_KIND_KSM;
	fake::state().walk_err = -RS_EOPNOTSUPP;
	Outcome r = run();
	EXPECT_EQ(r.ret, -RS_EOPNOTSUPP);
	EXPECT_EQ(r.text, "error EOPNOTSUPP scripted walk failure\n");
	expect_all_released();
}

TEST_F(Walk, NoMemoryForRecords)
{
	fake::state().walk_alloc_fails = true;
	Outcome r = run();
	EXPECT_EQ(r.ret, -RS_ENOMEM);
	expect_all_released();
}

TEST_F(Walk, TruncatedBelowMaxWalksAgainAtMax)
{
	fake::state().folio.mapcount = 1;
	fake::state().result.truncated = 1; // every walk says it ran out of room
	EXPECT_GT(run(false, 4096).ret, 0);
	EXPECT_EQ(fake::state().walk_runs, 2); // once at 2 * 1 + 16 = 18, once at max
	EXPECT_EQ(fake::state().last_capacity, 4096u);
	expect_all_released();
}

TEST_F(Walk, TruncatedAtMaxIsReportedNotRetried)
{
	fake::state().folio.mapcount = 100; // capacity min(216, 8) = 8 = max
	fake::state().result.truncated = 1;
	Outcome r = run();
	EXPECT_NE(r.text.find("truncated=1"), std::string::npos);
	EXPECT_EQ(fake::state().walk_runs, 1);
	expect_all_released();
}

TEST_F(Walk, CapacityFollowsMapcount)
{
	fake::state().folio.mapcount = 3;
	EXPECT_GT(run(false, 4096).ret, 0);
	EXPECT_EQ(fake::state().walk_runs, 1);
	EXPECT_EQ(fake::state().last_capacity, 22u); // 2 * 3 + 16
	expect_all_released();
}

TEST_F(Walk, OwnersAllReachesTheKernelSide)
{
	EXPECT_GT(run(false, 8, 0).ret, 0);
	EXPECT_EQ(fake::state().last_all_owners, 0);
	EXPECT_GT(run(false, 8, 1).ret, 0);
	EXPECT_EQ(fake::state().last_all_owners, 1);
	expect_all_released();
}
