// SPDX-License-Identifier: GPL-2.0
/*
 * Target resolution: from (pid, address) or a PFN to a referenced folio, refusing everything
 * rmap cannot walk with its own errno and message (docs/debugfs.md).
 *
 * (pid, addr) never faults a page in and never touches it: 6.12 uses folio_walk_start() with
 * FW_ZEROPAGE and takes a reference under the page-table lock, as move_pages() does; 6.1 uses
 * follow_page(FOLL_GET) without FOLL_TOUCH, as KSM and migration do. Both under mmap_lock read.
 *
 * A PFN goes the way of page_idle_get_folio() and damon_get_folio(): online page, LRU folio,
 * folio_try_get(), then re-check that the page still belongs to that folio.
 */
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "../core/os.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "folio.h"
#include "held.h"
#include "target.h"

/*
 * The page mapped at addr with a reference, NULL if none, or ERR_PTR(-ENXIO) for a page that is
 * not in the reverse map. That is the shared zero page, small or huge (folio_walk_start() with
 * FW_ZEROPAGE reports both with fw->page == NULL; follow_page() without FOLL_DUMP returns the
 * huge one as an ordinary page, and is_huge_zero_page() reads a variable modules cannot reach),
 * or any page with neither an anon_vma nor an address_space, such as a driver's vm_insert_page().
 * ERR_PTR(-EOPNOTSUPP) for device memory.
 */
struct page *rs_page_at(struct vm_area_struct *vma, unsigned long addr, bool *young)
{
	struct page *page;

	*young = false;

#if RS_HAVE_FOLIO_WALK
	struct folio_walk fw;
	struct folio *folio = rs_call_folio_walk_start(&fw, vma, addr, FW_ZEROPAGE);

	if (!folio)
		return NULL;
	if (!fw.page) {
		rs_folio_walk_end(&fw, vma);
		return ERR_PTR(-ENXIO);
	}
	/* As KSM's own caller does: device memory is not for us (and the PFN path refuses it). */
	if (folio_is_zone_device(folio)) {
		rs_folio_walk_end(&fw, vma);
		return ERR_PTR(-EOPNOTSUPP);
	}
	/* A mapped folio has references; under the PTL this one cannot drop to zero. */
	rs_folio_get(folio);
	if (fw.level == FW_LEVEL_PTE)
		*young = pte_young(fw.pte);
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	else if (fw.level == FW_LEVEL_PMD)
		*young = pmd_young(fw.pmd);
#endif
	page = fw.page;
	rs_folio_walk_end(&fw, vma);
#else
	page = rs_call_follow_page(vma, addr, FOLL_GET);
	if (IS_ERR_OR_NULL(page))
		return NULL;
	rs_held_take(RS_HELD_FOLIO_REFS);	/* FOLL_GET's reference */
	if (is_zero_pfn(page_to_pfn(page))) {
		rs_put_page(page);
		return ERR_PTR(-ENXIO);
	}
	if (is_zone_device_page(page)) {
		rs_put_page(page);
		return ERR_PTR(-EOPNOTSUPP);
	}
#endif
	/* As page_idle does: no anon_vma and no mapping means nothing for rmap to walk. */
	if (!rs_folio_has_rmap(page_folio(page))) {
		rs_put_page(page);
		return ERR_PTR(-ENXIO);
	}
	return page;
}

int rs_task_mm(int pid, struct mm_struct **out, char *msg, size_t cap)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *p;

	if (!rs_callable(RS_SYM_PAGE_LOOKUP)) {
		rs_msg(msg, cap, "the page-table lookup cannot be called safely on this kernel");
		return -EOPNOTSUPP;
	}
	p = find_get_pid(pid);	/* in the caller's pid namespace */
	task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	put_pid(p);
	if (!task) {
		rs_msg(msg, cap, "no process with pid %d", pid);
		return -ESRCH;
	}
	mm = rs_get_task_mm(task);
	put_task_struct(task);
	if (!mm) {
		rs_msg(msg, cap, "pid %d has no user memory (kernel thread or exiting)", pid);
		return -ESRCH;
	}
	*out = mm;
	return 0;
}

int rs_target_mm_addr(struct mm_struct *mm, int pid, unsigned long addr, struct rs_folio **out,
		      char *msg, size_t cap)
{
	struct vm_area_struct *vma;
	struct page *page;
	bool young;
	int ret;

	if (addr >= TASK_SIZE_MAX) {
		rs_msg(msg, cap, "0x%lx is not a user address", addr);
		return -EFAULT;
	}
	if (mmap_read_lock_killable(mm)) {
		rs_msg(msg, cap, "interrupted while waiting for mmap_lock");
		return -EINTR;
	}
	vma = vma_lookup(mm, addr);
	if (!vma) {
		ret = -EFAULT;
		rs_msg(msg, cap, "0x%lx is not inside any mapping of pid %d", addr, pid);
	} else if (is_vm_hugetlb_page(vma)) {
		/* hugetlb needs the hugetlb VMA lock and hugetlb-aware walks: not supported. */
		ret = -EOPNOTSUPP;
		rs_msg(msg, cap, "0x%lx in pid %d is a hugetlb mapping, which is not supported", addr, pid);
	} else {
		page = rs_page_at(vma, addr, &young);
		if (page == ERR_PTR(-ENXIO)) {
			ret = -ENXIO;
			rs_msg(msg, cap, "0x%lx in pid %d maps a page the reverse map does not track (a shared zero page or a driver's page)",
			       addr, pid);
		} else if (page == ERR_PTR(-EOPNOTSUPP)) {
			ret = -EOPNOTSUPP;
			rs_msg(msg, cap, "0x%lx in pid %d maps device memory (ZONE_DEVICE)", addr, pid);
		} else if (!page) {
			ret = -ENOENT;
			rs_msg(msg, cap, "no page mapped at 0x%lx in pid %d", addr, pid);
		} else {
			ret = rs_folio_new(page_folio(page), page, out);
			if (ret)
				rs_msg(msg, cap, "out of memory");
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

int rs_os_target_pid_addr(int pid, unsigned long addr, struct rs_folio **out, char *msg, size_t cap)
{
	struct mm_struct *mm;
	int ret;

	if (addr >= TASK_SIZE_MAX) {
		rs_msg(msg, cap, "0x%lx is not a user address", addr);
		return -EFAULT;
	}
	ret = rs_task_mm(pid, &mm, msg, cap);
	if (ret)
		return ret;
	ret = rs_target_mm_addr(mm, pid, addr, out, msg, cap);
	rs_mmput(mm);
	return ret;
}

int rs_os_target_pfn(unsigned long pfn, struct rs_folio **out, char *msg, size_t cap)
{
	struct folio *folio;
	struct page *page;
	int ret;

	if (!pfn_valid(pfn)) {
		rs_msg(msg, cap, "pfn 0x%lx is not backed by memory (beyond the end, or a hole)", pfn);
		return -ERANGE;
	}
	if (is_zero_pfn(pfn)) {
		rs_msg(msg, cap, "pfn 0x%lx is the shared zero page, which is not in the reverse map", pfn);
		return -ENXIO;
	}
	page = pfn_to_online_page(pfn);
	if (!page) {
		/*
		 * pfn_to_online_page() also says no to ZONE_DEVICE memory; tell the two apart the
		 * way memory_failure() does, without reading a possibly poisoned memmap.
		 */
		struct dev_pagemap *pgmap = rs_get_dev_pagemap(pfn);

		if (pgmap) {
			put_dev_pagemap(pgmap);
			rs_msg(msg, cap, "pfn 0x%lx is device memory (ZONE_DEVICE)", pfn);
			return -EOPNOTSUPP;
		}
		rs_msg(msg, cap, "pfn 0x%lx is in offline memory", pfn);
		return -ENODEV;
	}
	folio = page_folio(page);
	/*
	 * A folio faulted in a moment ago may still sit in a per-CPU LRU batch: drain them once,
	 * as migration does before isolating (lru_add_drain_all sleeps; no locks are held here).
	 */
	if (!folio_test_lru(folio) && rs_callable(RS_SYM_lru_add_drain_all)) {
		rs_call_lru_add_drain_all();
		folio = page_folio(page);
	}
	if (!folio_test_lru(folio) || !rs_folio_try_get(folio))
		goto not_lru;
	if (unlikely(page_folio(page) != folio || !folio_test_lru(folio))) {
		rs_folio_put(folio);
		goto not_lru;
	}
	ret = rs_folio_new(folio, page, out);
	if (ret)
		rs_msg(msg, cap, "out of memory");
	return ret;

not_lru:
	rs_msg(msg, cap,
	       "pfn 0x%lx is not on an LRU list (free, slab, reserved or kernel memory, or isolated right now)",
	       pfn);
	return -EBUSY;
}
