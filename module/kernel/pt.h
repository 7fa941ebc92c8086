/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a VMA's page tables as the kernel's own walkers read them (pt.c): empty upper levels
 * are stepped over whole, a PMD leaf is read under its PMD lock, and a page table under its PTL
 * through the kernel's pte_offset_map_lock(). What share (share.c) walks the target with, and
 * what the bulk comparison (bulk.c) reads its candidates with.
 *
 * The caller holds what keeps the VMA and the page-table pages above its PTE tables alive: the
 * mm's mmap_lock (a walk of the process's own VMAs), or the rmap lock of a tree the VMA is in
 * (anon_vma rwsem or i_mmap_rwsem: free_pgtables() unlinks a VMA from both before it frees
 * any table under it, which page_vma_mapped_walk() relies on too). A PTE table may still go
 * (khugepaged's retract_page_tables(), empty-table reclaim): pte_offset_map_lock() checks the
 * PMD again under RCU and the PTL since 6.5, and on 6.1 neither happens under those locks.
 */
#ifndef RMAPSCOPE_PT_H
#define RMAPSCOPE_PT_H

#include <linux/mm_types.h>
#include <linux/pgtable.h>

/* The entries a visitor sees: one page table's, or one PMD leaf's, inside the walked range. */
struct rs_pt_table {
	unsigned long addr;	/* the first address */
	unsigned int n;		/* pages from addr, all in this table */
	pte_t *pte;		/* the entry for addr, mapped and under the PTL; NULL for a PMD leaf */
	pmd_t pmd;		/* the leaf (pte == NULL), under its PMD lock: maps addr & PMD_MASK on */
};

typedef int (*rs_pt_visit_t)(void *arg, const struct rs_pt_table *t);

/* 0 when the kernel functions a walk needs can be called here; else -EOPNOTSUPP. */
int rs_pt_callable(void);

/*
 * Visits the non-empty page tables and PMD leaves of [start, end) in vma, in address order,
 * with their lock held. Checks for a fatal signal, and reschedules, between tables and every
 * 512 empty upper-level entries (callers hold only sleeping locks). Returns 0 with *next = end
 * when done; a visitor's non-zero return, with *next = the end of its table; or -EINTR, with
 * *next where the walk stopped.
 */
int rs_pt_walk(struct vm_area_struct *vma, unsigned long start, unsigned long end,
	       rs_pt_visit_t visit, void *arg, unsigned long *next);

/*
 * The PMD entry that covers addr in mm; or NULL when an upper level is empty there, with
 * *skip the first address past that empty entry.
 */
pmd_t *rs_pt_pmd(struct mm_struct *mm, unsigned long addr, unsigned long *skip);

/*
 * The table or leaf under pmd for addr: the page table mapped and locked (returned, *ptl set),
 * or a present PMD leaf under its lock (NULL returned, *ptl set, *leaf its value), or nothing
 * (NULL, *ptl NULL: none, a migration entry, or gone meanwhile). Unlock with rs_pt_unlock().
 */
pte_t *rs_pt_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptl,
		  pmd_t *leaf);
void rs_pt_unlock(pte_t *pte, spinlock_t *ptl);

#endif /* RMAPSCOPE_PT_H */
