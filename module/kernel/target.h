/* SPDX-License-Identifier: GPL-2.0 */
/* Target resolution pieces the range scan shares with target.c. */
#ifndef RMAPSCOPE_TARGET_H
#define RMAPSCOPE_TARGET_H

#include <linux/mm_types.h>

struct rs_folio;

/* The mm of pid (mmput() it), or -ESRCH/-EOPNOTSUPP with a message. */
int rs_task_mm(int pid, struct mm_struct **out, char *msg, size_t cap);
/* The folio mapped at addr in mm (pid only names it in messages), as for pid= addr=. */
int rs_target_mm_addr(struct mm_struct *mm, int pid, unsigned long addr, struct rs_folio **out,
		      char *msg, size_t cap);
/*
 * Under mmap_lock (read): the page mapped at addr with a reference, without faulting or touching
 * it; NULL if none; ERR_PTR(-ENXIO) for a page rmap does not track (zero page, driver page);
 * ERR_PTR(-EOPNOTSUPP) for device memory. *young: the entry's accessed bit (6.12; false on 6.1,
 * whose follow_page() does not show the entry).
 */
struct page *rs_page_at(struct vm_area_struct *vma, unsigned long addr, bool *young);

#endif /* RMAPSCOPE_TARGET_H */
