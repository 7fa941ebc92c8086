/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rmapscope holds right now: every folio reference, folio lock, LRU isolation, mm reference
 * (mmgrab/mmget) and file (which pins its inode) it takes is counted where it is taken and where
 * it is given back, through the helpers below and nowhere else. The version file's "outstanding"
 * line prints the counts (held.c); it must read zero whenever no command runs: make check reads
 * it after every VM test and at rmmod, and the KUnit suites after every case.
 */
#ifndef RMAPSCOPE_HELD_H
#define RMAPSCOPE_HELD_H

#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>

#include "../core/core.h"

enum rs_held_kind {
#define RS_HELD_ID(id, name) RS_HELD_##id,
	RS_OUTSTANDING(RS_HELD_ID)
#undef RS_HELD_ID
	RS_NR_HELD
};

extern atomic_long_t rs_held[RS_NR_HELD];

static inline void rs_held_take(enum rs_held_kind k)
{
	atomic_long_inc(&rs_held[k]);
}

static inline void rs_held_give(enum rs_held_kind k)
{
	atomic_long_dec(&rs_held[k]);
}

/* The counts now, for the version file. */
void rs_held_read(long out[RS_NR_HELD]);

/* Folio references. */
static inline void rs_folio_get(struct folio *folio)
{
	folio_get(folio);
	rs_held_take(RS_HELD_FOLIO_REFS);
}

static inline bool rs_folio_try_get(struct folio *folio)
{
	if (!folio_try_get(folio))
		return false;
	rs_held_take(RS_HELD_FOLIO_REFS);
	return true;
}

static inline void rs_folio_put(struct folio *folio)
{
	rs_held_give(RS_HELD_FOLIO_REFS);
	folio_put(folio);
}

/* A page reference taken by the lookup (follow_page(FOLL_GET), or rs_folio_get() of its folio). */
static inline void rs_put_page(struct page *page)
{
	rs_held_give(RS_HELD_FOLIO_REFS);
	put_page(page);
}

/* Folio locks. */
static inline bool rs_folio_trylock(struct folio *folio)
{
	if (!folio_trylock(folio))
		return false;
	rs_held_take(RS_HELD_FOLIO_LOCKS);
	return true;
}

static inline int rs_folio_lock_killable(struct folio *folio)
{
	int ret = folio_lock_killable(folio);

	if (!ret)
		rs_held_take(RS_HELD_FOLIO_LOCKS);
	return ret;
}

static inline void rs_folio_unlock(struct folio *folio)
{
	rs_held_give(RS_HELD_FOLIO_LOCKS);
	folio_unlock(folio);
}

/* mm references: mmgrab() keeps the mm_struct, mmget() (get_task_mm()) its address space too. */
static inline void rs_mmgrab(struct mm_struct *mm)
{
	mmgrab(mm);
	rs_held_take(RS_HELD_MM_REFS);
}

static inline void rs_mmdrop(struct mm_struct *mm)
{
	rs_held_give(RS_HELD_MM_REFS);
	mmdrop(mm);
}

static inline struct mm_struct *rs_get_task_mm(struct task_struct *task)
{
	struct mm_struct *mm = get_task_mm(task);

	if (mm)
		rs_held_take(RS_HELD_MM_REFS);
	return mm;
}

static inline void rs_mmput(struct mm_struct *mm)
{
	rs_held_give(RS_HELD_MM_REFS);
	mmput(mm);
}

/* Files (each pins its inode). */
static inline struct file *rs_get_file(struct file *file)
{
	rs_held_take(RS_HELD_INODE_REFS);
	return get_file(file);
}

static inline void rs_fput(struct file *file)
{
	rs_held_give(RS_HELD_INODE_REFS);
	fput(file);
}

#endif /* RMAPSCOPE_HELD_H */
