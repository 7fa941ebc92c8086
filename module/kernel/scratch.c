// SPDX-License-Identifier: GPL-2.0
/*
 * Scratch tables kept between commands.
 *
 * share, phys and walk work in tables sized for their worst case (RMAPSCOPE_MAX_MAPS candidates,
 * RMAPSCOPE_PHYS_SETS_MAX sets, ...): about 8 MiB for phys, 20 MiB with sets=1. Every command of
 * a kind asks for the same sizes, so a freed table is kept and given to the next request of its
 * exact size instead of being freed and allocated again. Allocating is not free: with
 * init_on_alloc (Debian's default) the page allocator zeroes every page it hands out, which
 * under emulation cost more than phys over the RAM of an idle machine (docs/performance.md,
 * "The census").
 *
 * Bounds: at most RS_SCRATCH_KEEP_MAX bytes are kept; past that a freed table is freed. Whatever
 * is kept is freed scratch_keep_ms after the last free (a delayed work), at once when
 * scratch_keep_ms is written, and at rmmod. scratch_keep_ms=0 keeps nothing: every table is
 * allocated and freed by its command, which the fault-injection sweep (tests/selftest/faults.cpp)
 * sets so that every command reaches every allocation site.
 *
 * Each table has a small record of its size, apart from the table (a header in front would push
 * a power-of-two table into the next page order: twice the pages). Records are on one of two
 * lists, the tables handed out and the tables kept, under a spinlock; nothing sleeps under it
 * (kvmalloc() and kvfree() run outside).
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/bug.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "alloc.h"
#include "scratch.h"

#define RS_SCRATCH_KEEP_MAX (64UL << 20)

struct rs_scratch {
	struct list_head node;	/* on rs_scratch_out or rs_scratch_kept */
	void *p;
	size_t size;
};

static DEFINE_SPINLOCK(rs_scratch_lock);
static LIST_HEAD(rs_scratch_out);	/* handed out: a command uses them */
static LIST_HEAD(rs_scratch_kept);	/* freed by their command, kept for the next */
static size_t rs_scratch_bytes;		/* of the kept tables */
static bool rs_scratch_closed;		/* rmmod has begun: nothing is kept any more */

static void rs_scratch_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(rs_scratch_reaper, rs_scratch_reap);

static unsigned int scratch_keep_ms = 10000;

/* A new scratch_keep_ms: what is kept is freed at once (0 then keeps nothing from now on). */
static int rs_scratch_keep_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (ret)
		return ret;
	spin_lock(&rs_scratch_lock);
	if (!rs_scratch_closed)
		mod_delayed_work(system_wq, &rs_scratch_reaper, 0);
	spin_unlock(&rs_scratch_lock);
	flush_delayed_work(&rs_scratch_reaper);
	return 0;
}

static const struct kernel_param_ops rs_scratch_keep_ops = {
	.set = rs_scratch_keep_set,
	.get = param_get_uint,
};
module_param_cb(scratch_keep_ms, &rs_scratch_keep_ops, &scratch_keep_ms, 0644);
MODULE_PARM_DESC(scratch_keep_ms,
		 "how long a command's tables are kept for the next command after the last one ends, in ms (0: not kept)");

static void *rs_scratch_get(size_t n, size_t size, bool zero)
{
	struct rs_scratch *s = NULL, *it;
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	spin_lock(&rs_scratch_lock);
	list_for_each_entry(it, &rs_scratch_kept, node) {
		if (it->size == bytes) {
			list_move(&it->node, &rs_scratch_out);
			rs_scratch_bytes -= bytes;
			s = it;
			break;
		}
	}
	spin_unlock(&rs_scratch_lock);
	if (!s) {
		s = kmalloc(sizeof(*s), RS_GFP);
		if (!s)
			return NULL;
		s->size = bytes;
		s->p = kvmalloc(bytes ? bytes : 1, RS_GFP);
		if (!s->p) {
			kfree(s);
			return NULL;
		}
		spin_lock(&rs_scratch_lock);
		list_add(&s->node, &rs_scratch_out);
		spin_unlock(&rs_scratch_lock);
	}
	if (zero)
		memset(s->p, 0, bytes);
	else if (IS_ENABLED(CONFIG_KASAN))
		/*
		 * The debug kernel hands every table out full of poison, as slab's debugging
		 * does: a command that reads what it did not write then gives figures the
		 * suite's oracles reject, which a fresh zeroed page, or the last command's
		 * figures, could hide.
		 */
		memset(s->p, POISON_FREE, bytes);
	return s->p;
}

void *rs_scratch_alloc(size_t n, size_t size)
{
	return rs_scratch_get(n, size, false);
}

void *rs_scratch_zalloc(size_t n, size_t size)
{
	return rs_scratch_get(n, size, true);
}

void rs_scratch_free(void *p)
{
	struct rs_scratch *s = NULL, *it;
	unsigned int ms = READ_ONCE(scratch_keep_ms);
	bool kept = false;

	if (!p)
		return;
	spin_lock(&rs_scratch_lock);
	list_for_each_entry(it, &rs_scratch_out, node) {
		if (it->p == p) {
			s = it;
			break;
		}
	}
	if (s && ms && !rs_scratch_closed && rs_scratch_bytes + s->size <= RS_SCRATCH_KEEP_MAX) {
		list_move(&s->node, &rs_scratch_kept);
		rs_scratch_bytes += s->size;
		kept = true;
		/* Under the lock: rmmod's cancel, which sets closed first, cannot miss it. */
		mod_delayed_work(system_wq, &rs_scratch_reaper, msecs_to_jiffies(ms));
	} else if (s) {
		list_del(&s->node);
	}
	spin_unlock(&rs_scratch_lock);
	if (WARN_ON_ONCE(!s))
		return;		/* not ours: leaked rather than freed wrongly */
	if (!kept) {
		kvfree(s->p);
		kfree(s);
	}
}

static void rs_scratch_reap(struct work_struct *work)
{
	struct rs_scratch *s, *tmp;
	LIST_HEAD(gone);

	spin_lock(&rs_scratch_lock);
	list_splice_init(&rs_scratch_kept, &gone);
	rs_scratch_bytes = 0;
	spin_unlock(&rs_scratch_lock);
	list_for_each_entry_safe(s, tmp, &gone, node) {
		kvfree(s->p);
		kfree(s);
	}
}

size_t rs_scratch_kept_bytes(void)
{
	size_t bytes;

	spin_lock(&rs_scratch_lock);
	bytes = rs_scratch_bytes;
	spin_unlock(&rs_scratch_lock);
	return bytes;
}

void rs_scratch_exit(void)
{
	spin_lock(&rs_scratch_lock);
	rs_scratch_closed = true;
	spin_unlock(&rs_scratch_lock);
	cancel_delayed_work_sync(&rs_scratch_reaper);
	rs_scratch_reap(NULL);
	/* No command runs at rmmod: every table was given back. */
	WARN_ON(!list_empty(&rs_scratch_out));
}
