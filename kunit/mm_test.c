// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse-map scenarios built inside the kernel with kunit_vm_mmap(): the KUnit thread gets an
 * mm of its own, pages are faulted in with copy_to_user()/copy_from_user(), and rmapscope's own
 * target resolution, walk, referenced and unmap code paths are checked with exact expectations.
 *
 * Every resource a case takes (folio reference, walk buffer, LRU isolation, file) is handed to
 * KUnit as a deferred action the moment it exists, so a failed assertion, which ends the case
 * at once, still gives it back: no folio is stranded off its LRU for the cases after it, and
 * kmemleak finds nothing. kunit_release_action() gives one back early where a case needs that.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "mm_helpers.h"

KUNIT_DEFINE_ACTION_WRAPPER(rs_walk_free_action, rs_os_walk_free, struct rs_walk *);
KUNIT_DEFINE_ACTION_WRAPPER(rs_putback_action, rs_os_folio_putback, struct rs_folio *);

/* Resolving addr must fail with err; a folio resolved anyway is given back at once. */
static void rs_expect_refusal(struct kunit *test, unsigned long addr, int err)
{
	struct rs_folio *f;
	int ret = rs_resolve(addr, &f);

	if (!ret)
		rs_os_folio_put(f);
	KUNIT_EXPECT_EQ(test, ret, err);
}

static void rs_expect_pfn_refusal(struct kunit *test, unsigned long pfn, int err)
{
	struct rs_folio *f = NULL;
	char msg[RS_KMSG];
	int ret = rs_os_target_pfn(pfn, &f, msg, sizeof(msg));

	if (!ret)
		rs_os_folio_put(f);
	KUNIT_EXPECT_EQ(test, ret, err);
}


/* Walks f under its lock, as the core does; the buffer lives until the case ends or rs_walk_done(). */
static struct rs_walk *rs_walk_of(struct kunit *test, struct rs_folio *f)
{
	struct rs_walk *w = rs_os_walk_new(32, 0);
	char msg[RS_KMSG];
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rs_walk_free_action, w), 0);
	KUNIT_ASSERT_EQ(test, rs_os_folio_lock_killable(f), 0);
	ret = rs_os_walk_run(w, f, msg, sizeof(msg));
	rs_os_folio_unlock(f);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s", msg);
	return w;
}

static void rs_walk_done(struct kunit *test, struct rs_walk *w)
{
	kunit_release_action(test, rs_walk_free_action, w);
}

static unsigned int rs_maps_at(const struct rs_walk_result *r, unsigned long addr)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->nr_recs; i++)
		n += !r->recs[i].skip && r->recs[i].addr == addr;
	return n;
}

/* An anon page faulted in through copy_to_user: exactly one mapping, at that address. */
static void rs_mm_test_anon_one_mapping(struct kunit *test)
{
	unsigned long addr = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	struct rs_folio *f;
	struct rs_walk *w;
	const struct rs_walk_result *r;

	rs_poke(test, addr, 0x5a);
	f = rs_target(test, addr);
	KUNIT_EXPECT_EQ(test, rs_info(f).kind, RS_KIND_ANON);
	w = rs_walk_of(test, f);
	r = rs_os_walk_result(w);
	KUNIT_EXPECT_EQ(test, r->maps, 1UL);
	KUNIT_EXPECT_EQ(test, r->nr_recs, 1U);
	KUNIT_EXPECT_EQ(test, rs_maps_at(r, addr), 1U);
	KUNIT_EXPECT_EQ(test, r->recs[0].level, RS_LEVEL_PTE);
	KUNIT_EXPECT_EQ(test, r->recs[0].pages, 1U);
}

/* One shmem file mapped twice in the same mm: two mappings, at two addresses. */
static void rs_mm_test_shmem_twice(struct kunit *test)
{
	struct file *file = rs_shmem(test);
	unsigned long a = rs_map(test, file, MAP_SHARED), b = rs_map(test, file, MAP_SHARED);
	struct rs_folio *f;
	struct rs_walk *w;
	const struct rs_walk_result *r;

	rs_poke(test, a, 0x11);
	KUNIT_EXPECT_EQ(test, rs_peek(test, b), 0x11);
	f = rs_target(test, b);
	KUNIT_EXPECT_EQ(test, rs_info(f).kind, RS_KIND_SHMEM);
	w = rs_walk_of(test, f);
	r = rs_os_walk_result(w);
	KUNIT_EXPECT_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, r->maps, 2UL);
	KUNIT_EXPECT_EQ(test, rs_maps_at(r, a), 1U);
	KUNIT_EXPECT_EQ(test, rs_maps_at(r, b), 1U);
}

/* MAP_PRIVATE shmem before and after COW: the file folio keeps one mapping fewer. */
static void rs_mm_test_private_cow(struct kunit *test)
{
	struct file *file = rs_shmem(test);
	unsigned long shared = rs_map(test, file, MAP_SHARED), priv = rs_map(test, file, MAP_PRIVATE);
	struct rs_folio *file_folio, *anon;
	struct rs_walk *w;

	rs_poke(test, shared, 0x22);
	KUNIT_EXPECT_EQ(test, rs_peek(test, priv), 0x22);	/* maps the page-cache folio */
	file_folio = rs_target(test, priv);
	w = rs_walk_of(test, file_folio);
	KUNIT_EXPECT_EQ(test, rs_os_walk_result(w)->maps, 2UL);
	rs_walk_done(test, w);

	rs_poke(test, priv, 0x33);				/* COW: a new anon folio */
	w = rs_walk_of(test, file_folio);
	KUNIT_EXPECT_EQ(test, rs_os_walk_result(w)->maps, 1UL);
	KUNIT_EXPECT_EQ(test, rs_maps_at(rs_os_walk_result(w), shared), 1U);
	rs_walk_done(test, w);

	anon = rs_target(test, priv);
	KUNIT_EXPECT_EQ(test, rs_info(anon).kind, RS_KIND_ANON);
	w = rs_walk_of(test, anon);
	KUNIT_EXPECT_EQ(test, rs_os_walk_result(w)->maps, 1UL);
	KUNIT_EXPECT_EQ(test, rs_maps_at(rs_os_walk_result(w), priv), 1U);
	KUNIT_EXPECT_EQ(test, rs_peek(test, shared), 0x22);	/* the file kept its byte */
}

/* folio_referenced, isolated and locked as reclaim does it. */
static int rs_referenced(struct kunit *test, struct rs_folio *f)
{
	struct rs_action_result act = {};
	char msg[RS_KMSG];
	int ret;

	KUNIT_ASSERT_EQ(test, rs_os_folio_isolate(f, msg, sizeof(msg)), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rs_putback_action, f), 0);
	KUNIT_ASSERT_EQ(test, rs_os_folio_lock_killable(f), 0);
	ret = rs_os_folio_referenced(f, &act, msg, sizeof(msg));
	rs_os_folio_unlock(f);
	kunit_release_action(test, rs_putback_action, f);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s", msg);
	return act.refs;
}

/* After an access folio_referenced is > 0, and 0 on a second call. */
static void rs_mm_test_referenced(struct kunit *test)
{
	unsigned long addr = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	struct rs_folio *f;

	rs_poke(test, addr, 1);
	f = rs_target(test, addr);
	KUNIT_EXPECT_GT(test, rs_referenced(test, f), 0);
	KUNIT_EXPECT_EQ(test, rs_referenced(test, f), 0);
}

/* try_to_unmap on a shmem mapping: unmapped; the contents come back after the refault. */
static void rs_mm_test_unmap_shmem(struct kunit *test)
{
	struct file *file = rs_shmem(test);
	unsigned long addr = rs_map(test, file, MAP_SHARED);
	struct rs_action_result act = {};
	struct rs_folio *f;
	char msg[RS_KMSG];

	rs_poke(test, addr, 0x44);
	f = rs_target(test, addr);
	KUNIT_ASSERT_EQ(test, rs_os_folio_lock_killable(f), 0);
	KUNIT_EXPECT_EQ(test, rs_os_folio_unmap(f, &act, msg, sizeof(msg)), 0);
	rs_os_folio_unlock(f);
	KUNIT_EXPECT_EQ(test, act.mapcount_before, 1);
	KUNIT_EXPECT_EQ(test, act.mapcount_after, 0);
	KUNIT_EXPECT_EQ(test, act.unmapped, 1);
	rs_put(test, f);
	/* Nothing mapped there now (resolving never faults) ... */
	rs_expect_refusal(test, addr, -ENOENT);
	/* ... until the next access, which finds the same bytes. */
	KUNIT_EXPECT_EQ(test, rs_peek(test, addr), 0x44);
	(void)rs_target(test, addr);
}

/* unmap of a plain anon page is refused, and the mapping stays as it was. */
static void rs_mm_test_unmap_anon_refused(struct kunit *test)
{
	unsigned long addr = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	struct rs_action_result act = {};
	struct rs_folio *f, *again;
	unsigned long pfn;
	char msg[RS_KMSG];

	rs_poke(test, addr, 0x55);
	f = rs_target(test, addr);
	pfn = rs_info(f).page_pfn;
	KUNIT_ASSERT_EQ(test, rs_os_folio_lock_killable(f), 0);
	KUNIT_EXPECT_EQ(test, rs_os_folio_unmap(f, &act, msg, sizeof(msg)), -EPERM);
	rs_os_folio_unlock(f);
	KUNIT_EXPECT_EQ(test, act.kind, RS_ACTION_NONE);	/* try_to_unmap was never called */
	rs_put(test, f);
	again = rs_target(test, addr);
	KUNIT_EXPECT_EQ(test, rs_info(again).page_pfn, pfn);
	KUNIT_EXPECT_EQ(test, rs_info(again).mapcount, 1);
	rs_put(test, again);
	KUNIT_EXPECT_EQ(test, rs_peek(test, addr), 0x55);
}

/* Every refusal of the target resolver. */
static void rs_mm_test_refusals(struct kunit *test)
{
	unsigned long zero = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	unsigned long none = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	void *slab = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_EXPECT_EQ(test, rs_peek(test, zero), 0);		/* a read fault maps the zero page */
	rs_expect_refusal(test, zero, -ENXIO);
	rs_expect_refusal(test, none, -ENOENT);			/* never touched */
	rs_expect_refusal(test, none, -ENOENT);			/* and still not populated */
	rs_expect_refusal(test, none + 1024 * PAGE_SIZE * 1024, -EFAULT);
	rs_expect_refusal(test, TASK_SIZE_MAX, -EFAULT);
	rs_expect_pfn_refusal(test, 1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT), -ERANGE);
	KUNIT_ASSERT_NOT_NULL(test, slab);
	rs_expect_pfn_refusal(test, page_to_pfn(virt_to_page(slab)), -EBUSY);
}

static int rs_mm_init(struct kunit *test)
{
	/* Whatever the case before this one did, even failing half-way, it gave every folio back. */
	KUNIT_EXPECT_EQ_MSG(test, rs_folios_live(), 0, "a folio rmapscope took was never given back");
	rs_expect_nothing_held(test);
	/* The walk, referenced and unmap paths need the resolved kernel functions. */
	if (!rs_callable(RS_SYM_rmap_walk) || !rs_callable(RS_SYM_folio_isolate_lru))
		kunit_skip(test, "rmap functions cannot be called on this kernel");
	return 0;
}

/* The last case: its init looks at what the case before it left (as every init does). */
static void rs_mm_test_nothing_held(struct kunit *test)
{
	rs_expect_nothing_held(test);
}

static struct kunit_case rs_mm_cases[] = {
	KUNIT_CASE(rs_mm_test_anon_one_mapping),
	KUNIT_CASE(rs_mm_test_shmem_twice),
	KUNIT_CASE(rs_mm_test_private_cow),
	KUNIT_CASE(rs_mm_test_referenced),
	KUNIT_CASE(rs_mm_test_unmap_shmem),
	KUNIT_CASE(rs_mm_test_unmap_anon_refused),
	KUNIT_CASE(rs_mm_test_refusals),
	KUNIT_CASE(rs_mm_test_nothing_held),
	{}
};

static struct kunit_suite rs_mm_suite = {
	.name = "rmapscope_mm",
	.init = rs_mm_init,
	.test_cases = rs_mm_cases,
};

kunit_test_suite(rs_mm_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites of rmapscope: call layer, C++ core in kernel mode, rmap scenarios");
RS_MODULE_IMPORT_KUNIT_NS();
