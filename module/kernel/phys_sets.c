// SPDX-License-Identifier: GPL-2.0
/*
 * phys sets=1: the sets of processes that map the same pages (phys_sets.h). Everything here is
 * arithmetic on preallocated arrays: it runs after an observation is accounted, under the
 * group's rmap lock, and takes nothing.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "alloc.h"
#include "../core/phys_report.h"
#include "phys_sets.h"
#include "scratch.h"
#include "sharing.h"

/*
 * Room for one observation's class memberships (a process in a class): a library's page table
 * that 300 processes map, split into 50 classes, needs up to 15000. Past it the observation's
 * pages are counted in sets_dropped.
 */
#define RS_SETS_CELLS (256U * 1024)

int rs_phys_sets_init(struct rs_phys_sets *t, struct rs_phys_result *res)
{
	unsigned int buckets = roundup_pow_of_two(2 * res->sets_cap);

	t->res = res;
	t->cls.cap = RS_POS_MAX;
	t->cls.cls = rs_scratch_alloc(RS_POS_MAX, sizeof(*t->cls.cls));
	t->cls.heads = rs_scratch_alloc(RS_POS_MAX, sizeof(*t->cls.heads));
	t->cls.masks = rs_scratch_alloc(RS_POS_MAX * BITS_TO_LONGS(RS_POS_MAX), sizeof(long));
	t->cls.members_cap = RS_SETS_CELLS;
	t->cls.members = rs_scratch_alloc(RS_SETS_CELLS, sizeof(*t->cls.members));
	t->cls.cells_cap = RS_SETS_CELLS;
	t->cls.cells = rs_scratch_alloc(2 * RS_SETS_CELLS, sizeof(*t->cls.cells));
	t->ids = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*t->ids));
	t->key = rs_scratch_alloc(RMAPSCOPE_MAX_MAPS, sizeof(*t->key));
	t->hash = rs_scratch_zalloc(buckets, sizeof(*t->hash));
	t->hash_mask = buckets - 1;
	return t->cls.cls && t->cls.heads && t->cls.masks && t->cls.members && t->cls.cells && t->ids && t->key &&
	       t->hash ? 0 : -ENOMEM;
}

void rs_phys_sets_free(struct rs_phys_sets *t)
{
	rs_scratch_free(t->cls.cls);
	rs_scratch_free(t->cls.heads);
	rs_scratch_free(t->cls.masks);
	rs_scratch_free(t->cls.members);
	rs_scratch_free(t->cls.cells);
	rs_scratch_free(t->ids);
	rs_scratch_free(t->key);
	rs_scratch_free(t->hash);
}

static int rs_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* The set of these n sorted ids (and unlisted mappers), made if new; NULL past the room. */
static struct rs_phys_set *rs_phys_set_of(struct rs_phys_sets *t, const u32 *ids, unsigned int n,
					  unsigned int unlisted)
{
	struct rs_phys_result *res = t->res;
	u32 h = jhash2(ids, n, unlisted) & t->hash_mask;
	struct rs_phys_set *set;

	for (;; h = (h + 1) & t->hash_mask) {
		if (!t->hash[h])
			break;
		set = &res->sets[t->hash[h] - 1];
		if (set->n == n && set->unlisted == unlisted &&
		    !memcmp(&res->set_members[set->first], ids, n * sizeof(*ids)))
			return set;
	}
	if (res->nr_sets == res->sets_cap || res->set_members_cap - res->nr_set_members < n)
		return NULL;
	set = &res->sets[res->nr_sets++];
	*set = (struct rs_phys_set){ .first = res->nr_set_members, .n = n, .unlisted = unlisted };
	memcpy(&res->set_members[set->first], ids, n * sizeof(*ids));
	res->nr_set_members += n;
	t->hash[h] = res->nr_sets;
	return set;
}

void rs_phys_sets_add(struct rs_phys_sets *t, int kind)
{
	struct rs_obs_classes *c = &t->cls;
	unsigned int k, i;

	for (k = 0; k < c->ncls; k++) {
		const struct rs_obs_class *cl = &c->cls[k];
		unsigned int n = 0, unlisted = 0;
		struct rs_phys_set *set;

		for (i = 0; i < cl->n; i++) {
			u32 id = t->ids[c->members[cl->first + i]];

			if (id == U32_MAX)
				unlisted++;
			else
				t->key[n++] = id;
		}
		sort(t->key, n, sizeof(*t->key), rs_cmp_u32, NULL);
		set = rs_phys_set_of(t, t->key, n, unlisted);
		if (!set) {
			t->res->sets_dropped += cl->pages;
			continue;
		}
		set->pages += cl->pages;
		set->kind[kind] += cl->pages;
		set->thp += cl->thp;
	}
}
