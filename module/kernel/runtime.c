// SPDX-License-Identifier: GPL-2.0
/* The core's runtime on the kernel's side of core/os.h: allocation and logging (and the errno check). */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "alloc.h"
#include "scratch.h"
#include "../core/errno.h"
#include "../core/os.h"

/* The core's errno numbers must be the kernel's. */
#define RS_ERRNO_CHECK(name, value) static_assert(RS_##name == name);
RS_ERRNOS(RS_ERRNO_CHECK)
#undef RS_ERRNO_CHECK

unsigned long rs_os_page_size(void)
{
	return PAGE_SIZE;
}

void *rs_os_alloc(size_t size)
{
	return kmalloc(size, RS_GFP);
}

void rs_os_free(void *ptr)
{
	kfree(ptr);
}

void *rs_os_valloc(size_t size)
{
	return kvmalloc(size, RS_GFP);
}

void rs_os_vfree(void *ptr)
{
	kvfree(ptr);
}

void *rs_os_scratch(size_t size)
{
	return rs_scratch_alloc(1, size);
}

void rs_os_scratch_free(void *ptr)
{
	rs_scratch_free(ptr);
}

void rs_os_log(int error, const char *msg)
{
	if (error)
		pr_err("%s\n", msg);
	else
		pr_info("%s\n", msg);
}
