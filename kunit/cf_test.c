// SPDX-License-Identifier: GPL-2.0
/*
 * The call layer's landing-pad detection on code bytes, and its path policy (issue: calling
 * unexported rmap functions safely). TCG never raises #CP, so these are the checks that stand
 * between an IBT CPU and a "Missing ENDBR" BUG.
 */
#include <kunit/test.h>

#include "internal.h"


static void rs_cf_test_code_bytes(struct kunit *test)
{
#ifdef CONFIG_X86_KERNEL_IBT
	u32 poison = gen_endbr_poison();

	/*
	 * ENDBR64 is f3 0f 1e fa. The poison apply_seal_endbr() writes over it is "osp nop (%rax)"
	 * (66 0f 1f 00) until 6.x and "nopl -42(%rax)" (0f 1f 40 d6) in 7.x.
	 */
	KUNIT_EXPECT_EQ(test, rs_cf_classify(0xfa1e0ff3), RS_ENTRY_LANDING_PAD);
	KUNIT_EXPECT_TRUE(test, poison == 0x001f0f66U || poison == 0xd6401f0fU);
	/* The kernel's own test accepts the poison too: rmapscope must not. */
	KUNIT_EXPECT_TRUE(test, rs_kernel_is_endbr(poison));
	KUNIT_EXPECT_EQ(test, rs_cf_classify(poison), RS_ENTRY_SEALED);
	/* push %rbp; mov %rsp,%rbp: an ordinary first instruction. */
	KUNIT_EXPECT_EQ(test, rs_cf_classify(0xe5894855), RS_ENTRY_NO_PAD);
	KUNIT_EXPECT_EQ(test, rs_cf_classify(0x90909090), RS_ENTRY_NO_PAD);
#else
	KUNIT_EXPECT_EQ(test, rs_cf_classify(0xfa1e0ff3), RS_ENTRY_UNCHECKED);
#endif
}

static void rs_cf_test_live_entries(struct kunit *test)
{
	unsigned long anon_lock = 0, walk = 0;

	KUNIT_ASSERT_EQ(test, rs_symbol_lookup("folio_lock_anon_vma_read", &anon_lock), 0);
	KUNIT_ASSERT_EQ(test, rs_symbol_lookup("rmap_walk", &walk), 0);
#ifdef CONFIG_X86_KERNEL_IBT
	/* Address-taken (used as anon_lock): objtool leaves its ENDBR. */
	KUNIT_EXPECT_EQ(test, rs_cf_classify_entry((void *)anon_lock), RS_ENTRY_LANDING_PAD);
	/* Only ever called directly inside the kernel: sealed at boot. */
	KUNIT_EXPECT_EQ(test, rs_cf_classify_entry((void *)walk), RS_ENTRY_SEALED);
#else
	KUNIT_EXPECT_EQ(test, rs_cf_classify_entry((void *)anon_lock), RS_ENTRY_UNCHECKED);
#endif
}

static void rs_cf_test_bogus_symbol(struct kunit *test)
{
	unsigned long entry = 0xdead;

	KUNIT_EXPECT_LT(test, rs_symbol_lookup("rmapscope_no_such_function_anywhere", &entry), 0);
	/* A name that is data, not text: kprobes refuse it, and so does the lookup. */
	KUNIT_EXPECT_LT(test, rs_symbol_lookup("jiffies_64", &entry), 0);
}

static void rs_cf_test_path_policy(struct kunit *test)
{
	/* Sealed and enforced: only the trampoline reaches it; forced direct is refused. */
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_AUTO, true, RS_ENTRY_SEALED, RS_USE_CALL),
			RS_PATH_TRAMPOLINE);
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_DIRECT, true, RS_ENTRY_SEALED, RS_USE_CALL),
			RS_PATH_REFUSED);
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_AUTO, true, RS_ENTRY_NO_PAD, RS_USE_CALL),
			RS_PATH_TRAMPOLINE);
	/* The kernel calls a callback indirectly itself: no trampoline can help. */
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_AUTO, true, RS_ENTRY_SEALED, RS_USE_CALLBACK),
			RS_PATH_REFUSED);
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_TRAMPOLINE, true, RS_ENTRY_LANDING_PAD, RS_USE_CALLBACK),
			RS_PATH_DIRECT);
	/* Not enforced: direct is safe whatever the entry, unless a path is forced. */
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_AUTO, false, RS_ENTRY_SEALED, RS_USE_CALL),
			RS_PATH_DIRECT);
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_TRAMPOLINE, false, RS_ENTRY_LANDING_PAD, RS_USE_CALL),
			RS_PATH_TRAMPOLINE);
	KUNIT_EXPECT_EQ(test, rs_call_choose(RS_MODE_AUTO, true, RS_ENTRY_LANDING_PAD, RS_USE_CALL),
			RS_PATH_DIRECT);
}

static struct kunit_case rs_cf_cases[] = {
	KUNIT_CASE(rs_cf_test_code_bytes),
	KUNIT_CASE(rs_cf_test_live_entries),
	KUNIT_CASE(rs_cf_test_bogus_symbol),
	KUNIT_CASE(rs_cf_test_path_policy),
	{}
};

static struct kunit_suite rs_cf_suite = {
	.name = "rmapscope_call_layer",
	.test_cases = rs_cf_cases,
};

kunit_test_suite(rs_cf_suite);
