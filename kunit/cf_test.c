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

/* The path policy: one row per situation, one verdict each (KUNIT_CASE_PARAM). */
struct rs_path_case {
	const char *what;
	enum rs_call_mode mode;
	bool enforced;
	enum rs_entry_kind entry;
	enum rs_symbol_use use;
	enum rs_call_path want;
};

static const struct rs_path_case rs_path_cases[] = {
	{ "sealed, enforced, auto: only the trampoline reaches it", RS_MODE_AUTO, true, RS_ENTRY_SEALED,
	  RS_USE_CALL, RS_PATH_TRAMPOLINE },
	{ "sealed, enforced, forced direct: refused, never a fault", RS_MODE_DIRECT, true, RS_ENTRY_SEALED,
	  RS_USE_CALL, RS_PATH_REFUSED },
	{ "no pad, enforced, auto: the trampoline", RS_MODE_AUTO, true, RS_ENTRY_NO_PAD, RS_USE_CALL,
	  RS_PATH_TRAMPOLINE },
	{ "sealed callback, enforced: the kernel calls it indirectly, refused", RS_MODE_AUTO, true,
	  RS_ENTRY_SEALED, RS_USE_CALLBACK, RS_PATH_REFUSED },
	{ "padded callback, enforced, forced trampoline: direct", RS_MODE_TRAMPOLINE, true,
	  RS_ENTRY_LANDING_PAD, RS_USE_CALLBACK, RS_PATH_DIRECT },
	{ "sealed, not enforced, auto: direct", RS_MODE_AUTO, false, RS_ENTRY_SEALED, RS_USE_CALL,
	  RS_PATH_DIRECT },
	{ "padded, not enforced, forced trampoline: the trampoline", RS_MODE_TRAMPOLINE, false,
	  RS_ENTRY_LANDING_PAD, RS_USE_CALL, RS_PATH_TRAMPOLINE },
	{ "padded, enforced, auto: direct", RS_MODE_AUTO, true, RS_ENTRY_LANDING_PAD, RS_USE_CALL,
	  RS_PATH_DIRECT },
};

static void rs_path_case_desc(const struct rs_path_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rs_path, rs_path_cases, rs_path_case_desc);

static void rs_cf_test_path_policy(struct kunit *test)
{
	const struct rs_path_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, rs_call_choose(c->mode, c->enforced, c->entry, c->use), c->want);
}

static struct kunit_case rs_cf_cases[] = {
	KUNIT_CASE(rs_cf_test_code_bytes),
	KUNIT_CASE(rs_cf_test_live_entries),
	KUNIT_CASE(rs_cf_test_bogus_symbol),
	KUNIT_CASE_PARAM(rs_cf_test_path_policy, rs_path_gen_params),
	{}
};

static struct kunit_suite rs_cf_suite = {
	.name = "rmapscope_call_layer",
	.test_cases = rs_cf_cases,
};

kunit_test_suite(rs_cf_suite);
