// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

#include "../../module/core/text_writer.hpp"

using rs::TextWriter;

TEST(TextWriter, NumbersAndPairs)
{
	char buf[128];
	TextWriter w(buf, sizeof(buf));
	w.str("folio").kv_hex("pfn", 0x1a2b).kv_dec("nr_pages", 512).kv_bool("young", true).kv("file", "").endl();
	EXPECT_EQ(std::string(buf), "folio pfn=0x1a2b nr_pages=512 young=1 file=-\n");
	EXPECT_FALSE(w.overflowed());
	EXPECT_EQ(w.size(), std::string(buf).size());
}

TEST(TextWriter, Extremes)
{
	char buf[128];
	TextWriter w(buf, sizeof(buf));
	w.dec(0).ch(' ').dec(UINT64_MAX).ch(' ').hex(0).ch(' ').hex(UINT64_MAX).ch(' ').sdec(INT64_MIN).ch(' ').sdec(-1);
	EXPECT_EQ(std::string(buf), "0 18446744073709551615 0x0 0xffffffffffffffff -9223372036854775808 -1");
}

TEST(TextWriter, OverflowIsRecordedAndTextStaysTerminated)
{
	char buf[8];
	TextWriter w(buf, sizeof(buf));
	w.str("0123456789");
	EXPECT_TRUE(w.overflowed());
	EXPECT_EQ(std::string(buf), "0123456"); // cap - 1 characters and the NUL
	// Once overflowed, nothing more is written even if it would fit.
	w.str("");
	w.ch('x');
	EXPECT_EQ(std::string(buf), "0123456");
}

TEST(TextWriter, ZeroCapacityNeverWrites)
{
	char sentinel = 'S';
	TextWriter w(&sentinel, 0);
	w.str("abc");
	EXPECT_TRUE(w.overflowed());
	EXPECT_EQ(sentinel, 'S');
}

TEST(TextWriter, BulkStringStopsAtTheEnd)
{
	char buf[6];
	TextWriter w(buf, sizeof(buf));
	w.str("ab").str("cdefgh");
	EXPECT_TRUE(w.overflowed());
	EXPECT_EQ(std::string(buf), "abcde");
	EXPECT_EQ(w.size(), 5u);
}
