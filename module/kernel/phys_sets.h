/* SPDX-License-Identifier: GPL-2.0 */
/*
 * phys sets=1 (phys_sets.c): the table of the sets of processes that map the same pages. The
 * core splits each observation's pages by who maps them (../core/observation.h, "classes");
 * this table merges equal sets across observations, keyed by their sorted owner ids, so that a
 * page 253 processes map costs one set, never 253 * 252 pairs. Pairs are made in userspace.
 */
#ifndef RMAPSCOPE_PHYS_SETS_H
#define RMAPSCOPE_PHYS_SETS_H

#include <linux/types.h>

#include "../core/observation.h"

struct rs_phys_sets {
	struct rs_phys_result *res;	/* its sets[] and set_members[] are the table */
	struct rs_obs_classes cls;	/* one observation's classes, filled by the core */
	u32 *ids;			/* RMAPSCOPE_MAX_MAPS: each delta's owner id, or U32_MAX: unlisted */
	u32 *key;			/* one class's listed ids, sorted */
	u32 *hash;			/* set index + 1, or 0: empty */
	unsigned int hash_mask;
};

int rs_phys_sets_init(struct rs_phys_sets *t, struct rs_phys_result *res);
void rs_phys_sets_free(struct rs_phys_sets *t);
/* The classes of the last observation (nd deltas, every page of one kind) into the table. */
void rs_phys_sets_add(struct rs_phys_sets *t, int kind);

#endif /* RMAPSCOPE_PHYS_SETS_H */
