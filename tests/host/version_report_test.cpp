// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "../../include/rmapscope/abi.h"
#include "../../module/core/core.h"
#include "../../module/core/errno.h"
#include "../../tools/rmapscope/record.hpp"

namespace {

const rs_symbol_status kSyms[] = {
	{"rmap_walk", 1, 1},
	{"rmap_walk_locked", 0, 0},
};
const rs_version_info kInfo = {"6.1.0-56-amd64", "x86_64", kSyms, 2};

} // namespace

TEST(VersionReport, ExactText)
{
	char buf[RMAPSCOPE_VERSION_MAX_BYTES];
	long n = rs_core_format_version(buf, sizeof(buf), &kInfo);
	const std::string want = std::string("rmapscope version=") + RMAPSCOPE_VERSION + " abi=1\n"
				 "kernel release=6.1.0-56-amd64 arch=x86_64\n"
				 "symbol name=rmap_walk resolved=1 required=1\n"
				 "symbol name=rmap_walk_locked resolved=0 required=0\n";
	ASSERT_EQ(n, static_cast<long>(want.size()));
	EXPECT_EQ(std::string(buf), want);
}

TEST(VersionReport, ParsesWithTheToolsParser)
{
	char buf[RMAPSCOPE_VERSION_MAX_BYTES];
	ASSERT_GT(rs_core_format_version(buf, sizeof(buf), &kInfo), 0);
	auto recs = rmapscope::parse_report(buf);
	ASSERT_TRUE(recs);
	ASSERT_EQ(recs->size(), 4u);
	EXPECT_EQ((*recs)[2].kind, "symbol");
	EXPECT_EQ((*recs)[3].get("resolved"), "0");
}

TEST(VersionReport, TooSmallBufferIsAnErrorNotATruncation)
{
	char buf[32];
	EXPECT_EQ(rs_core_format_version(buf, sizeof(buf), &kInfo), -RS_ENOSPC);
}
