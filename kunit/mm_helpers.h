/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mm and share suites share: mappings made in the KUnit thread's own mm with
 * kunit_vm_mmap(), pages faulted in through copy_to_user(), and rmapscope's folio handles given
 * to KUnit as deferred actions the moment they exist, so that a failed assertion still gives
 * them back.
 */
#ifndef RMAPSCOPE_KUNIT_MM_HELPERS_H
#define RMAPSCOPE_KUNIT_MM_HELPERS_H

#include <kunit/test.h>
#include <linux/file.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/uaccess.h>

#include "internal.h"

#define RS_KMSG RS_MSG_MAX

KUNIT_DEFINE_ACTION_WRAPPER(rs_put_action, rs_os_folio_put, struct rs_folio *);
KUNIT_DEFINE_ACTION_WRAPPER(rs_fput_action, fput, struct file *);

static inline unsigned long rs_map(struct kunit *test, struct file *file, unsigned long flags)
{
	unsigned long addr = kunit_vm_mmap(test, file, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, flags, 0);

	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "kunit_vm_mmap failed");
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	return addr;
}

static inline void rs_poke(struct kunit *test, unsigned long addr, u8 byte)
{
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, &byte, 1), 0UL);
}

static inline u8 rs_peek(struct kunit *test, unsigned long addr)
{
	u8 byte = 0;

	KUNIT_ASSERT_EQ(test, copy_from_user(&byte, (void __user *)addr, 1), 0UL);
	return byte;
}

static inline int rs_resolve(unsigned long addr, struct rs_folio **f)
{
	char msg[RS_KMSG];

	*f = NULL;
	return rs_target_mm_addr(current->mm, task_pid_nr(current), addr, f, msg, sizeof(msg));
}

/*
 * Whatever the case before this one did, even failing half-way, it gave back everything
 * rmapscope took: the version file's outstanding counts (module/kernel/held.h) are zero. A
 * suite's init calls this before every case, and its suite_exit after the last.
 */
static inline void rs_expect_nothing_held(struct kunit *test)
{
	long held[RS_NR_HELD];
	int k;

	rs_held_read(held);
	for (k = 0; k < RS_NR_HELD; k++)
		KUNIT_EXPECT_EQ_MSG(test, held[k], 0L, "outstanding count %d (folio_refs, folio_locks, isolated, mm_refs, inode_refs)", k);
}

/* The folio at addr, referenced until the case ends (or rs_put() gives it back). */
static inline struct rs_folio *rs_target(struct kunit *test, unsigned long addr)
{
	struct rs_folio *f;

	KUNIT_ASSERT_EQ(test, rs_resolve(addr, &f), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rs_put_action, f), 0);
	return f;
}

static inline void rs_put(struct kunit *test, struct rs_folio *f)
{
	kunit_release_action(test, rs_put_action, f);
}

static inline struct rs_folio_info rs_info(struct rs_folio *f)
{
	struct rs_folio_info info;

	rs_os_folio_describe(f, &info);
	return info;
}

static inline struct file *rs_shmem(struct kunit *test)
{
	struct file *file = rs_shmem_file_setup("rmapscope-kunit", PAGE_SIZE);

	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rs_fput_action, file), 0);
	return file;
}

#endif
