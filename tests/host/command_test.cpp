// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "../../include/rmapscope/abi.h"
#include "../../module/core/command.h"
#include "../../module/core/errno.h"

namespace {

struct Parsed {
	int ret;
	rs_command cmd;
	std::string err;
};

Parsed parse(const std::string &s)
{
	Parsed p{};
	char err[160];
	err[0] = 'X';
	p.ret = rs_core_parse_command(s.data(), s.size(), &p.cmd, err, sizeof(err));
	p.err = p.ret ? err : "";
	return p;
}

} // namespace

TEST(Command, WalkByPidAndAddr)
{
	Parsed p = parse("walk pid=42 addr=0x7f0000001000\n");
	ASSERT_EQ(p.ret, 0) << p.err;
	EXPECT_EQ(p.cmd.verb, RS_VERB_WALK);
	EXPECT_EQ(p.cmd.by_pfn, 0);
	EXPECT_EQ(p.cmd.pid, 42);
	EXPECT_EQ(p.cmd.addr, 0x7f0000001000UL);
	EXPECT_EQ(p.cmd.format, RS_FORMAT_TEXT);
	EXPECT_EQ(p.cmd.max, static_cast<unsigned>(RMAPSCOPE_DEFAULT_MAX_MAPS));
}

TEST(Command, WalkByPfnWithOptions)
{
	Parsed p = parse("walk   pfn=12345 format=json max=0x10  ");
	ASSERT_EQ(p.ret, 0) << p.err;
	EXPECT_EQ(p.cmd.by_pfn, 1);
	EXPECT_EQ(p.cmd.pfn, 12345UL);
	EXPECT_EQ(p.cmd.format, RS_FORMAT_JSON);
	EXPECT_EQ(p.cmd.max, 16u);
}

TEST(Command, Tree)
{
	Parsed p = parse("tree pfn=0x10\n");
	ASSERT_EQ(p.ret, 0) << p.err;
	EXPECT_EQ(p.cmd.verb, RS_VERB_TREE);
	Parsed j = parse("tree pid=1 addr=2 format=json");
	EXPECT_EQ(j.ret, 0) << j.err;
	EXPECT_EQ(j.cmd.format, RS_FORMAT_JSON);
}

TEST(Command, FamilyBelongsToTreeOnly)
{
	Parsed p = parse("tree pid=1 addr=2 family=1");
	ASSERT_EQ(p.ret, 0) << p.err;
	EXPECT_EQ(p.cmd.family, 1);
	EXPECT_EQ(parse("tree pfn=3").cmd.family, 0);
	EXPECT_EQ(parse("tree pfn=3 family=2").err, "family must be 0 or 1, got '2'");
	for (const char *c : {"walk pfn=3 family=1", "referenced pfn=3 family=0", "unmap pfn=3 family=1", "share pid=1 family=1"})
		EXPECT_EQ(parse(c).err, "family= belongs to tree only") << c;
	EXPECT_EQ(parse("phys family=1").ret, -RS_EINVAL);
}

TEST(Command, OwnersIsAWord)
{
	EXPECT_EQ(parse("walk pid=1 addr=2").cmd.all_owners, 0);
	EXPECT_EQ(parse("walk pid=1 addr=2 owners=owner").cmd.all_owners, 0);
	Parsed a = parse("tree pfn=3 owners=all format=json");
	ASSERT_EQ(a.ret, 0) << a.err;
	EXPECT_EQ(a.cmd.all_owners, 1);
	EXPECT_EQ(a.cmd.format, RS_FORMAT_JSON);
	Parsed bad = parse("walk pid=1 addr=2 owners=1");
	EXPECT_EQ(bad.ret, -RS_EINVAL);
	EXPECT_EQ(bad.err, "owners must be owner or all, got '1'");
	EXPECT_EQ(parse("walk pid=1 addr=2 owners=all owners=all").err, "duplicate key 'owners'");
	EXPECT_EQ(parse("referenced pid=1 start=0 end=0x1000 owners=all").err,
		  "a range scan takes pid=, start=, end= and detail= only");
}

TEST(Command, BoundsAreInclusive)
{
	EXPECT_EQ(parse("walk pid=1 addr=0").ret, 0);
	EXPECT_EQ(parse("walk pid=4194304 addr=0").ret, 0);
	EXPECT_EQ(parse("walk pid=1 addr=0 max=16384").ret, 0);
	EXPECT_EQ(parse("walk pfn=0xffffffffffffffff").ret, 0); // the kernel side refuses it (ERANGE)
	EXPECT_EQ(parse("walk pid=1 addr=18446744073709551615").ret, 0);
}

TEST(Command, ErrorsNameTheToken)
{
	struct Case {
		const char *in;
		const char *msg;
	} cases[] = {
		{"", "empty command"},
		{"frobnicate", "unknown command 'frobnicate'"},
		{"walk pid=1 addr=2 colour=red", "unknown key 'colour'"},
		{"walk pid=1 pid=2 addr=3", "duplicate key 'pid'"},
		{"walk pid=1 addr=2 junk", "expected key=value, got 'junk'"},
		{"walk pid=1 addr=", "empty value for key 'addr'"},
		{"walk pid=1 addr=0xzz", "value of 'addr' is not a decimal or 0x-hex number: '0xzz'"},
		{"walk pid=0 addr=1", "pid out of range (1..4194304): '0'"},
		{"walk pid=1 addr=1 max=0", "max out of range (1..16384): '0'"},
		{"walk pid=1 addr=1 format=yaml", "format must be text or json, got 'yaml'"},
		{"walk pid=1", "pid= needs addr="},
		{"walk addr=1", "addr= needs pid="},
		{"walk", "no target: give pid= and addr=, or pfn="},
		{"walk pfn=1 pid=2", "give pfn= or pid= with addr=, not both"},
		{"walk pid=1\naddr=2", "one command per write (newline inside the command)"},
		{"walk pid=1\taddr=2", "non-printable byte in command"},
		{"walk pfn=18446744073709551616", "value of 'pfn' is not a decimal or 0x-hex number: '18446744073709551616'"},
	};
	for (const auto &c : cases) {
		Parsed p = parse(c.in);
		EXPECT_EQ(p.ret, -RS_EINVAL) << c.in;
		EXPECT_EQ(p.err, c.msg) << c.in;
	}
}

TEST(Command, NulAndLength)
{
	EXPECT_EQ(parse(std::string("walk pid=1\0 addr=2", 18)).err, "NUL byte in command");
	EXPECT_EQ(parse(std::string(RMAPSCOPE_CMD_MAX + 1, 'w')).err, "command longer than 256 bytes");
	std::string longest = "walk pid=1 addr=1" + std::string(RMAPSCOPE_CMD_MAX - 17, ' ');
	EXPECT_EQ(parse(longest).ret, 0);
	EXPECT_EQ(parse(longest + "\n").ret, 0); // the trailing newline does not count
}

TEST(Command, HostileTokenIsQuotedShort)
{
	Parsed p = parse("walk pid=1 addr=2 " + std::string(200, 'k') + "=1");
	EXPECT_EQ(p.err, "unknown key '" + std::string(32, 'k') + "...'");
}

TEST(Command, TinyErrorBufferStaysTerminated)
{
	rs_command cmd;
	char err[8];
	EXPECT_EQ(rs_core_parse_command("bogus", 5, &cmd, err, sizeof(err)), -RS_EINVAL);
	EXPECT_EQ(std::string(err), "unknown");
}

TEST(Command, ReferencedAndUnmapTakeATarget)
{
	Parsed r = parse("referenced pid=5 addr=0x1000 format=json\n");
	ASSERT_EQ(r.ret, 0) << r.err;
	EXPECT_EQ(r.cmd.verb, RS_VERB_REFERENCED);
	EXPECT_EQ(r.cmd.range, 0);
	Parsed u = parse("unmap pfn=0x1234");
	ASSERT_EQ(u.ret, 0) << u.err;
	EXPECT_EQ(u.cmd.verb, RS_VERB_UNMAP);
	EXPECT_EQ(u.cmd.by_pfn, 1);
}

TEST(Command, RangeScan)
{
	Parsed p = parse("referenced pid=7 start=0x10000 end=0x20000 detail=1\n");
	ASSERT_EQ(p.ret, 0) << p.err;
	EXPECT_EQ(p.cmd.range, 1);
	EXPECT_EQ(p.cmd.start, 0x10000UL);
	EXPECT_EQ(p.cmd.end, 0x20000UL);
	EXPECT_EQ(p.cmd.detail, 1);
}

TEST(Command, RangeScanRefusals)
{
	struct Case {
		const char *line, *msg;
	} cases[] = {
		{"referenced pid=7 start=0x1000", "a range scan needs both start= and end="},
		{"referenced pid=7 start=0x2000 end=0x1000", "start= must be below end="},
		{"referenced pid=7 start=0x1000 end=0x1000", "start= must be below end="},
		{"referenced pid=7 addr=0x1 start=0x1000 end=0x2000", "a range scan takes pid=, start=, end= and detail= only"},
		{"referenced start=0x1000 end=0x2000", "a range scan takes pid=, start=, end= and detail= only"},
		{"referenced pid=7 start=0 end=0x40000001", "range longer than 1073741824 bytes"},
		{"referenced pid=7 start=0 end=0x1000 detail=2", "detail must be 0 or 1, got '2'"},
		{"referenced pid=7 start=0 end=0x1000 format=json", "format=json is not available for range scans"},
		{"unmap pid=7 start=0 end=0x1000", "start= and end= belong to referenced and share, detail= to referenced only"},
		{"walk pfn=1 detail=0", "start= and end= belong to referenced and share, detail= to referenced only"},
	};
	for (const auto &c : cases) {
		Parsed p = parse(c.line);
		EXPECT_EQ(p.ret, -RS_EINVAL) << c.line;
		EXPECT_EQ(p.err, c.msg) << c.line;
	}
	EXPECT_EQ(parse("referenced pid=7 start=0 end=0x40000000").ret, 0);
	EXPECT_EQ(parse("referenced pid=7 start=0 end=0x10000000 detail=1").ret, 0);
}
