// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "../../tools/rmapscope/record.hpp"

using rmapscope::parse_record;
using rmapscope::parse_report;

TEST(Record, KindAndFields)
{
	auto r = parse_record("map pid=12,13 vma=0x1000-0x2000 future_key=x");
	ASSERT_TRUE(r);
	EXPECT_EQ(r->kind, "map");
	EXPECT_EQ(r->get("pid"), "12,13");
	EXPECT_EQ(r->get("future_key"), "x"); // unknown keys are kept
	EXPECT_FALSE(r->get("absent"));
}

TEST(Record, Malformed)
{
	EXPECT_FALSE(parse_record(""));
	EXPECT_FALSE(parse_record("   "));
	EXPECT_FALSE(parse_record("k=v"));	 // no kind
	EXPECT_FALSE(parse_record("map novalue")); // no '='
	EXPECT_FALSE(parse_record("map =v"));	 // empty key
	auto r = parse_record("map k=");
	ASSERT_TRUE(r);
	EXPECT_EQ(r->get("k"), "");
}

TEST(Record, Report)
{
	auto rs = parse_report("a x=1\n\nb y=2\n");
	ASSERT_TRUE(rs);
	ASSERT_EQ(rs->size(), 2u);
	EXPECT_FALSE(parse_report("a x=1\nx=1\n")); // a line with no kind
}
