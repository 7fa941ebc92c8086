// SPDX-License-Identifier: GPL-2.0
/*
 * The tables kept between commands (module/kernel/scratch.c): a freed table is kept and given
 * to the next request of its exact size, zeroed when asked even though it was written before,
 * never to a request of another size; a size that overflows is refused.
 */
#include <kunit/test.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "internal.h"

/* A size no command asks for: other commands may run meanwhile, and keep tables of their own. */
#define RS_ODD (3 * 4096 + 24)

static void rs_scratch_test_reuse(struct kunit *test)
{
	unsigned char *p = rs_scratch_alloc(1, RS_ODD), *q, *r;
	size_t i, dirty = 0;

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xaa, RS_ODD);
	rs_scratch_free(p);
	KUNIT_EXPECT_GE(test, rs_scratch_kept_bytes(), (size_t)RS_ODD);

	/* Another size: a table of its own, not the kept one. */
	r = rs_scratch_alloc(1, RS_ODD + 8);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_PTR_NE(test, r, p);

	/* The same size (asked as n * size): the kept table, zeroed. */
	q = rs_scratch_zalloc(RS_ODD / 8, 8);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	for (i = 0; i < RS_ODD; i++)
		dirty += q[i] != 0;
	KUNIT_EXPECT_EQ(test, dirty, 0);
	rs_scratch_free(q);
	rs_scratch_free(r);
	rs_scratch_free(NULL);
}

static void rs_scratch_test_overflow(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, rs_scratch_alloc(SIZE_MAX / 2, 4));
	KUNIT_EXPECT_NULL(test, rs_scratch_zalloc(1, SIZE_MAX - 8));
}

static struct kunit_case rs_scratch_cases[] = {
	KUNIT_CASE(rs_scratch_test_reuse),
	KUNIT_CASE(rs_scratch_test_overflow),
	{}
};

static struct kunit_suite rs_scratch_suite = {
	.name = "rmapscope_scratch",
	.test_cases = rs_scratch_cases,
};

kunit_test_suite(rs_scratch_suite);
