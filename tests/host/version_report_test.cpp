// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "../../include/rmapscope/abi.h"
#include "../../module/core/core.h"
#include "../../module/core/errno.h"
#include "../../tools/rmapscope/record.hpp"

namespace {

const rs_symbol_status kSyms[] = {
	{"rmap_walk", 1, 1, "sealed", "trampoline"},
	{"rmap_walk_locked", 0, 0, "unchecked", "refused"},
};
const rs_feature_status kFeatures[] = {{"folio_walk", 1}, {"pvmw_pgoff_is_anon", 0}};
const rs_version_info kInfo = {"6.12.117+deb12-amd64", "x86_64", "ibt", 1, "auto", "none", kSyms, 2,
			       "page+mm_id", 1, kFeatures, 2, {3, 1, 0, 2, 0}};

} // namespace

TEST(VersionReport, ExactText)
{
	char buf[RMAPSCOPE_VERSION_MAX_BYTES];
	long n = rs_core_format_version(buf, sizeof(buf), &kInfo);
	const std::string want = std::string("rmapscope version=") + RMAPSCOPE_VERSION + " abi=2\n"
				 "kernel release=6.12.117+deb12-amd64 arch=x86_64\n"
				 "cf kind=ibt enforced=1 call_mode=auto\n"
				 "lockdown mode=none\n"
				 "mm mapcount=page+mm_id per_vma_lock=1\n"
				 "outstanding folio_refs=3 folio_locks=1 isolated=0 mm_refs=2 inode_refs=0\n"
				 "feature name=folio_walk detected=1\n"
				 "feature name=pvmw_pgoff_is_anon detected=0\n"
				 "symbol name=rmap_walk resolved=1 required=1 entry=sealed path=trampoline\n"
				 "symbol name=rmap_walk_locked resolved=0 required=0 entry=unchecked path=refused\n";
	ASSERT_EQ(n, static_cast<long>(want.size()));
	EXPECT_EQ(std::string(buf), want);
}

TEST(VersionReport, ParsesWithTheToolsParser)
{
	char buf[RMAPSCOPE_VERSION_MAX_BYTES];
	ASSERT_GT(rs_core_format_version(buf, sizeof(buf), &kInfo), 0);
	auto recs = rmapscope::parse_report(buf);
	ASSERT_TRUE(recs);
	ASSERT_EQ(recs->size(), 10u);
	EXPECT_EQ((*recs)[4].get("mapcount"), "page+mm_id");
	EXPECT_EQ((*recs)[5].kind, "outstanding");
	EXPECT_EQ((*recs)[5].get("mm_refs"), "2");
	EXPECT_EQ((*recs)[6].get("detected"), "1");
	EXPECT_EQ((*recs)[8].kind, "symbol");
	EXPECT_EQ((*recs)[8].get("path"), "trampoline");
	EXPECT_EQ((*recs)[9].get("resolved"), "0");
}

TEST(VersionReport, TooSmallBufferIsAnErrorNotATruncation)
{
	char buf[32];
	EXPECT_EQ(rs_core_format_version(buf, sizeof(buf), &kInfo), -RS_ENOSPC);
}
