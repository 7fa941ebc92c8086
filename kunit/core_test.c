// SPDX-License-Identifier: GPL-2.0
/*
 * The C++ core (module/core/) in kernel mode: the same parser and report writer objects the
 * host tests run under ASan, here built with the kernel's flags and called from a kthread.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static void rs_core_test_parse(struct kunit *test)
{
	static const char ok[] = "walk pid=42 addr=0x7f0000001000\n";
	static const char range[] = "referenced pid=3 start=0x1000 end=0x3000 detail=1";
	static const char bad[] = "walk pid=0 addr=0x1000";
	struct rs_command cmd;
	char err[160];

	KUNIT_ASSERT_EQ(test, rs_core_parse_command(ok, sizeof(ok) - 1, &cmd, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cmd.verb, RS_VERB_WALK);
	KUNIT_EXPECT_EQ(test, cmd.pid, 42);
	KUNIT_EXPECT_EQ(test, cmd.addr, 0x7f0000001000UL);
	KUNIT_EXPECT_EQ(test, cmd.max, 4096U);

	KUNIT_ASSERT_EQ(test, rs_core_parse_command(range, sizeof(range) - 1, &cmd, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, cmd.verb, RS_VERB_REFERENCED);
	KUNIT_EXPECT_EQ(test, cmd.range, 1);
	KUNIT_EXPECT_EQ(test, cmd.end, 0x3000UL);

	KUNIT_EXPECT_EQ(test, rs_core_parse_command(bad, sizeof(bad) - 1, &cmd, err, sizeof(err)), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err, "pid out of range (1..4194304): '0'");
}

static void rs_core_test_report(struct kunit *test)
{
	struct rs_owner owner = { .nr_pids = 1, .pids = { 7 }, .comm = "x y" };
	struct rs_map_record rec = {
		.vma_start = 0x1000, .vma_end = 0x3000, .prot = RS_PROT_READ | RS_PROT_WRITE,
		.addr = 0x2000, .pages = 1, .young = 1, .visits = 1,
	};
	/* On the heap, where the module keeps its results. */
	struct rs_walk_result *res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	size_t cap = 4096;
	char *buf = kunit_kzalloc(test, cap, GFP_KERNEL);
	long n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, res);
	res->folio = (struct rs_folio_info){ .pfn = 0x1234, .page_pfn = 0x1234, .nr_pages = 1,
					     .kind = RS_KIND_ANON, .mapcount = 1, .refcount = 1,
					     .index = 0x2, .flags = RS_FF(LRU) };
	res->recs = &rec;
	res->nr_recs = 1;
	res->maps = 1;
	res->vmas = 1;
	res->ns = 5;
	res->owners = &owner;
	res->nr_owners = 1;
	n = rs_core_format_walk(res, RS_FORMAT_TEXT, buf, cap);
	KUNIT_ASSERT_GT(test, n, 0L);
	KUNIT_EXPECT_STREQ(test, buf,
			   "folio pfn=0x1234 page_pfn=0x1234 nr_pages=1 kind=anon mapcount=1 refcount=1 index=0x2 flags=lru\n"
			   "map pid=7 comm=x\\040y vma=0x1000-0x3000 pgoff=0x0 prot=rw-p file=- addr=0x2000 level=pte present=1 young=1 dirty=0 write=0 pages=1 visits=1 mlock=0\n"
			   "walk maps=1 vmas=1 truncated=0 ns=5 owners=owner shared_mms=0\n");
	KUNIT_EXPECT_EQ(test, n, (long)strlen(buf));
	/* Too small a buffer is reported, never overrun. */
	KUNIT_EXPECT_EQ(test, rs_core_format_walk(res, RS_FORMAT_TEXT, buf, 16), -(long)ENOSPC);

	n = rs_core_format_error(-ENOENT, "no page mapped at 0x1000 in pid 1", buf, cap);
	KUNIT_EXPECT_STREQ(test, buf, "error ENOENT no page mapped at 0x1000 in pid 1\n");
}

static struct kunit_case rs_core_cases[] = {
	KUNIT_CASE(rs_core_test_parse),
	KUNIT_CASE(rs_core_test_report),
	{}
};

static struct kunit_suite rs_core_suite = {
	.name = "rmapscope_core",
	.test_cases = rs_core_cases,
};

kunit_test_suite(rs_core_suite);
