// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a VMA's page tables (pt.h), level by level as page_vma_mapped_walk() and
 * mm/pagewalk.c do: pgd/p4d/pud entries that are not present are stepped over whole, a PMD that
 * looks like a leaf is read again under pmd_lock(), and a PTE table is mapped and locked by the
 * kernel's own pte_offset_map_lock() (compat.h: an inline on 6.1, a function since).
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "call.h"
#include "compat.h"
#include "pt.h"

int rs_pt_callable(void)
{
	return rs_pte_map_lock_callable() ? 0 : -EOPNOTSUPP;
}

pmd_t *rs_pt_pmd(struct mm_struct *mm, unsigned long addr, unsigned long *skip)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pud_t pudval;

	if (!pgd_present(READ_ONCE(*pgd))) {
		*skip = (addr + PGDIR_SIZE) & PGDIR_MASK;
		return NULL;
	}
	p4d = p4d_offset(pgd, addr);
	if (!p4d_present(READ_ONCE(*p4d))) {
		*skip = (addr + P4D_SIZE) & P4D_MASK;
		return NULL;
	}
	pud = pud_offset(p4d, addr);
	pudval = READ_ONCE(*pud);
	/* A PUD leaf is hugetlb or DAX, whose VMAs are never walked here. */
	if (!pud_present(pudval) || pud_leaf(pudval)) {
		*skip = (addr + PUD_SIZE) & PUD_MASK;
		return NULL;
	}
	return pmd_offset(pud, addr);
}

static bool rs_pt_is_leaf(pmd_t pmd)
{
	return pmd_trans_huge(pmd) || (pmd_present(pmd) && pmd_leaf(pmd));
}

pte_t *rs_pt_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptl,
		  pmd_t *leaf)
{
	pmd_t pmdval = rs_pmdp_get(pmd);
	pte_t *pte;

	*ptl = NULL;
	if (pmd_none(pmdval))
		return NULL;
	if (rs_pt_is_leaf(pmdval)) {
		*ptl = pmd_lock(mm, pmd);
		pmdval = rs_pmdp_get(pmd);
		if (pmd_present(pmdval) && rs_pt_is_leaf(pmdval)) {
			*leaf = pmdval;
			return NULL;
		}
		spin_unlock(*ptl);
		*ptl = NULL;
		/* Split meanwhile: its page table is read below; gone or migrating: nothing. */
		if (!pmd_present(pmdval))
			return NULL;
	} else if (!pmd_present(pmdval)) {
		return NULL;	/* a migration entry: not mapped right now */
	}
	pte = rs_pte_map_lock(mm, pmd, addr, ptl);
	if (!pte)
		*ptl = NULL;
	return pte;
}

void rs_pt_unlock(pte_t *pte, spinlock_t *ptl)
{
	if (pte)
		pte_unmap_unlock(pte, ptl);
	else if (ptl)
		spin_unlock(ptl);
}

/* Every 512 empty entries stepped over, and after every table: a fatal signal ends the walk. */
static int rs_pt_pause(void)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return 0;
}

int rs_pt_walk(struct vm_area_struct *vma, unsigned long start, unsigned long end,
	       rs_pt_visit_t visit, void *arg, unsigned long *next)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = start;
	unsigned int empty = 0;
	int ret = 0;

	while (addr < end) {
		unsigned long table_end = pmd_addr_end(addr, end), skip;
		struct rs_pt_table t = { .addr = addr, .n = (table_end - addr) >> PAGE_SHIFT };
		pmd_t *pmd = rs_pt_pmd(mm, addr, &skip);
		spinlock_t *ptl;

		if (!pmd) {
			/* 0 when the step wraps past the top of the address space */
			addr = skip && skip < end ? skip : end;
			if (++empty % 512 == 0 && (ret = rs_pt_pause()))
				break;
			continue;
		}
		t.pte = rs_pt_lock(mm, pmd, addr, &ptl, &t.pmd);
		addr = table_end;
		if (ptl) {
			ret = visit(arg, &t);
			rs_pt_unlock(t.pte, ptl);
			if (ret || (ret = rs_pt_pause()))
				break;
		} else if (++empty % 512 == 0 && (ret = rs_pt_pause())) {
			break;
		}
	}
	*next = addr;
	return ret;
}
