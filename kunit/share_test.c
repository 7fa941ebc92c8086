// SPDX-License-Identifier: GPL-2.0
/*
 * share, phys, tree family=1 and owners=all inside the kernel, in the KUnit thread's own mm
 * (kunit_vm_mmap()): exact figures for a few known pages, by both methods of share and phys,
 * and phys's isolated= counter with a folio isolated by "someone else" right before phys asks
 * about it (a static stub standing in for reclaim on another CPU).
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mm_helpers.h"

KUNIT_DEFINE_ACTION_WRAPPER(rs_walk_free_act, rs_os_walk_free, struct rs_walk *);

/* The folios faulted in a moment ago are in a per-CPU batch: on their LRU lists now. */
static void rs_drain_all(void)
{
	if (rs_callable(RS_SYM_lru_add_drain_all))
		rs_call_lru_add_drain_all();
}

static struct rs_walk *rs_walk_buffer(struct kunit *test, int all_owners)
{
	struct rs_walk *w = rs_os_walk_new(32, all_owners);

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rs_walk_free_act, w), 0);
	return w;
}

/* share of the KUnit thread's mm by method, into a result that lives until the case ends. */
static struct rs_share_result *rs_share(struct kunit *test, int method)
{
	struct rs_share_result *res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	char msg[RS_KMSG];

	KUNIT_ASSERT_NOT_NULL(test, res);
	res->peers = kunit_kcalloc(test, 16, sizeof(*res->peers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res->peers);
	res->peers_cap = 16;
	KUNIT_ASSERT_EQ_MSG(test, rs_share_mm(current->mm, task_pid_nr(current), 0, TASK_SIZE_MAX, 0, method, res, msg,
					      sizeof(msg)), 0, "%s", msg);
	return res;
}

static struct rs_phys_result *rs_phys(struct kunit *test, unsigned long pfn, int referenced, int method, int no_young)
{
	struct rs_phys_result *res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	char msg[RS_KMSG];

	KUNIT_ASSERT_NOT_NULL(test, res);
	res->owners = kunit_kcalloc(test, 16, sizeof(*res->owners), GFP_KERNEL);
	res->files = kunit_kcalloc(test, 4, sizeof(*res->files), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res->owners);
	KUNIT_ASSERT_NOT_NULL(test, res->files);
	res->owners_cap = 16;
	res->files_cap = 4;
	/* sets=1 always: the census of the same pages (phys_sets.c). */
	res->sets = kunit_kcalloc(test, 4, sizeof(*res->sets), GFP_KERNEL);
	res->set_members = kunit_kcalloc(test, 16, sizeof(*res->set_members), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res->sets);
	KUNIT_ASSERT_NOT_NULL(test, res->set_members);
	res->sets_cap = 4;
	res->set_members_cap = 16;
	res->no_young = no_young;
	KUNIT_ASSERT_EQ_MSG(test, rs_os_phys(pfn, pfn + 1, referenced, 0, method, res, msg, sizeof(msg)), 0, "%s", msg);
	return res;
}

/*
 * An anon page, a shmem page mapped twice, a MAP_PRIVATE mapping of another shmem page that was
 * written (COW: a private anon page): rss 4, two of them shared by the two entries of one page.
 */
static void rs_share_test_figures(struct kunit *test)
{
	struct file *a = rs_shmem(test), *b = rs_shmem(test);
	unsigned long anon = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	unsigned long s1 = rs_map(test, a, MAP_SHARED), s2 = rs_map(test, a, MAP_SHARED);
	unsigned long cow = rs_map(test, b, MAP_PRIVATE);
	int method;

	rs_poke(test, anon, 1);
	rs_poke(test, s1, 2);
	KUNIT_EXPECT_EQ(test, rs_peek(test, s2), 2);
	rs_poke(test, cow, 3);
	for (method = RS_METHOD_BULK; method <= RS_METHOD_WALK; method++) {
		const struct rs_share_result *r = rs_share(test, method);

		KUNIT_EXPECT_EQ(test, r->method, method);
		KUNIT_EXPECT_EQ(test, r->rss, 4UL);
		KUNIT_EXPECT_EQ(test, r->uss, 2UL);
		KUNIT_EXPECT_EQ(test, r->shared_clean + r->shared_dirty, 2UL);
		KUNIT_EXPECT_EQ(test, r->pss >> RS_PSS_SHIFT, 3 * PAGE_SIZE);	/* 2 whole + 2 halves */
		KUNIT_EXPECT_EQ(test, r->kind[RS_SK_ANON], 2UL);
		KUNIT_EXPECT_EQ(test, r->kind[RS_SK_SHMEM], 2UL);
		KUNIT_EXPECT_EQ(test, r->nr_peers, 0U);	/* one mm */
		KUNIT_EXPECT_EQ(test, r->skips[RS_SS_RACED], 0UL);
		KUNIT_EXPECT_GT(test, r->folios, 0UL);
	}
}

/*
 * phys of the twice-mapped shmem page: one owner, one page (not shared: one mm), the file named,
 * one set of owners (sets=1); by each method, and by bulk's mapcount shortcut (young=0: its
 * mapcount, 2, is its candidates').
 */
static void rs_share_test_phys(struct kunit *test)
{
	struct file *file = rs_shmem(test);
	unsigned long s1 = rs_map(test, file, MAP_SHARED), s2 = rs_map(test, file, MAP_SHARED);
	unsigned long pfn;
	struct rs_folio *f;
	int run;

	rs_poke(test, s1, 4);
	KUNIT_EXPECT_EQ(test, rs_peek(test, s2), 4);
	f = rs_target(test, s1);
	pfn = rs_info(f).page_pfn;
	rs_put(test, f);
	rs_drain_all();
	for (run = 0; run < 3; run++) {
		const struct rs_phys_result *r = rs_phys(test, pfn, 0, run == 1 ? RS_METHOD_WALK : RS_METHOD_BULK, run == 2);

		KUNIT_EXPECT_EQ(test, r->pages, 1UL);
		KUNIT_EXPECT_EQ(test, r->lru, 1UL);
		KUNIT_EXPECT_EQ(test, r->mapped, 1UL);
		KUNIT_EXPECT_EQ(test, r->shared, 0UL);
		KUNIT_ASSERT_EQ(test, r->nr_owners, 1U);
		KUNIT_EXPECT_EQ(test, r->owners[0].pages, 1UL);
		KUNIT_EXPECT_EQ(test, r->owners[0].pss >> RS_PSS_SHIFT, PAGE_SIZE);	/* both its entries */
		/* Both entries were just used, so young; the shortcut read neither. */
		KUNIT_EXPECT_EQ(test, r->owners[0].young, run == 2 ? 0UL : 1UL);
		/* smaps' Rss counts both entries; with two entries the page is shared, not private. */
		KUNIT_EXPECT_EQ(test, r->owners[0].rss, 2UL);
		KUNIT_EXPECT_EQ(test, r->owners[0].uss, 0UL);
		/* One set: this mm alone, holding the page once. */
		KUNIT_ASSERT_EQ(test, r->nr_sets, 1U);
		KUNIT_EXPECT_EQ(test, r->sets_dropped, 0UL);
		KUNIT_EXPECT_EQ(test, r->sets[0].pages, 1UL);
		KUNIT_EXPECT_EQ(test, r->sets[0].kind[RS_SK_SHMEM], 1UL);
		KUNIT_ASSERT_EQ(test, r->sets[0].n, 1U);
		KUNIT_EXPECT_EQ(test, r->set_members[r->sets[0].first], r->owners[0].id);
		KUNIT_EXPECT_EQ(test, r->sets[0].unlisted, 0U);
		KUNIT_ASSERT_EQ(test, r->nr_files, 1U);
		KUNIT_EXPECT_NOT_NULL(test, strstr(r->files[0].path, "rmapscope-kunit"));
		KUNIT_EXPECT_EQ(test, r->files[0].pages, 1UL);
	}
}

static struct rs_folio *rs_stub_folio;

/* Someone else isolates the folio just before phys does. */
static void rs_isolate_first(struct folio *folio)
{
	char msg[RS_KMSG];

	if (rs_stub_folio && rs_os_folio_isolate(rs_stub_folio, msg, sizeof(msg)) == 0)
		return;
	rs_stub_folio = NULL;	/* tells the case it could not */
}

/* phys referenced=1 counts isolated= the pages of a folio it could not isolate, by each method. */
static void rs_share_test_isolated(struct kunit *test)
{
	unsigned long addr = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	struct rs_folio *f;
	unsigned long pfn;
	int method;

	rs_poke(test, addr, 5);
	f = rs_target(test, addr);
	pfn = rs_info(f).page_pfn;
	rs_drain_all();
	for (method = RS_METHOD_BULK; method <= RS_METHOD_WALK; method++) {
		const struct rs_phys_result *r;

		rs_stub_folio = f;
		kunit_activate_static_stub(test, rs_phys_before_isolate, rs_isolate_first);
		r = rs_phys(test, pfn, 1, method, 0);
		kunit_deactivate_static_stub(test, rs_phys_before_isolate);
		KUNIT_ASSERT_NOT_NULL_MSG(test, rs_stub_folio, "the stub could not isolate the folio");
		rs_os_folio_putback(f);
		KUNIT_EXPECT_EQ(test, r->mapped, 1UL);
		KUNIT_EXPECT_EQ(test, r->skips[RS_PS_ISOLATED], 1UL);
		KUNIT_EXPECT_EQ(test, r->referenced, 1L);	/* the walk had seen its entry young */
	}
}

/* tree family=1 of an anon page: its own anon_vma, one VMA, marked as mapping it. */
static void rs_share_test_tree_family(struct kunit *test)
{
	unsigned long addr = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	struct rs_walk *w = rs_walk_buffer(test, 0);
	const struct rs_walk_result *r;
	struct rs_folio *f;
	char msg[RS_KMSG];
	int ret;

	rs_poke(test, addr, 6);
	f = rs_target(test, addr);
	KUNIT_ASSERT_EQ(test, rs_os_folio_lock_killable(f), 0);
	ret = rs_os_tree_run(w, f, 1, msg, sizeof(msg));
	rs_os_folio_unlock(f);
	r = rs_os_walk_result(w);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s", msg);
	KUNIT_EXPECT_EQ(test, r->tree, RS_TREE_ANON);
	KUNIT_EXPECT_EQ(test, r->family, 1);
	KUNIT_EXPECT_EQ(test, r->nr_avs, 1U);
	KUNIT_EXPECT_EQ(test, r->maps, 1UL);
}

/* owners=all: the walk scans the tasks; the KUnit thread is a kernel thread, so none is named. */
static void rs_share_test_owners_all(struct kunit *test)
{
	unsigned long addr = rs_map(test, NULL, MAP_PRIVATE | MAP_ANONYMOUS);
	struct rs_walk *w = rs_walk_buffer(test, 1);
	struct rs_folio *f;
	char msg[RS_KMSG];
	int ret;

	rs_poke(test, addr, 7);
	f = rs_target(test, addr);
	KUNIT_ASSERT_EQ(test, rs_os_folio_lock_killable(f), 0);
	ret = rs_os_walk_run(w, f, msg, sizeof(msg));
	rs_os_folio_unlock(f);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s", msg);
	KUNIT_EXPECT_EQ(test, rs_os_walk_result(w)->all_owners, 1);
	KUNIT_EXPECT_EQ(test, rs_os_walk_result(w)->maps, 1UL);
	KUNIT_ASSERT_EQ(test, rs_os_walk_result(w)->nr_owners, 1U);
	KUNIT_EXPECT_EQ(test, rs_os_walk_result(w)->owners[0].nr_pids, 0U);
}

static int rs_share_init(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, rs_folios_live(), 0, "a folio rmapscope took was never given back");
	rs_expect_nothing_held(test);
	if (!rs_callable(RS_SYM_rmap_walk) || !rs_callable(RS_SYM_folio_isolate_lru) || !rs_rmap_trees_callable() ||
	    !rs_pte_map_lock_callable())
		kunit_skip(test, "rmap functions cannot be called on this kernel");
	return 0;
}

/* The last case: its init looks at what the case before it left (as every init does). */
static void rs_share_test_nothing_held(struct kunit *test)
{
	rs_expect_nothing_held(test);
}

static struct kunit_case rs_share_cases[] = {
	KUNIT_CASE(rs_share_test_figures),
	KUNIT_CASE(rs_share_test_phys),
	KUNIT_CASE(rs_share_test_isolated),
	KUNIT_CASE(rs_share_test_tree_family),
	KUNIT_CASE(rs_share_test_owners_all),
	KUNIT_CASE(rs_share_test_nothing_held),
	{}
};

static struct kunit_suite rs_share_suite = {
	.name = "rmapscope_share",
	.init = rs_share_init,
	.test_cases = rs_share_cases,
};

kunit_test_suite(rs_share_suite);
