// SPDX-License-Identifier: GPL-2.0
/* The present pages of a span of addresses (span.h). */
#include <linux/err.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>

#include "../core/range_report.h"
#include "held.h"
#include "span.h"
#include "target.h"

/* Looks up [addr, end) (within one PMD span) under mmap_lock; returns the items filled. */
unsigned int rs_span_collect(struct mm_struct *mm, unsigned long addr, unsigned long end,
				    struct rs_span_item *items)
{
	unsigned int n = 0;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		struct rs_span_item *last = n ? &items[n - 1] : NULL;
		struct page *page;
		bool young;

		if (!vma || vma->vm_start >= end)
			break;
		if (addr < vma->vm_start)
			addr = vma->vm_start;
		/* hugetlb needs hugetlb-aware walks; PFN maps have no struct folio to ask about. */
		if (is_vm_hugetlb_page(vma) || (vma->vm_flags & (VM_PFNMAP | VM_IO))) {
			addr = vma->vm_end;
			continue;
		}
		page = rs_page_at(vma, addr, &young);
		if (!page) {
			addr += PAGE_SIZE;
			continue;
		}
		if (IS_ERR(page)) {
			int skip = PTR_ERR(page) == -ENXIO ? RS_SKIP_UNTRACKED : RS_SKIP_UNSUPPORTED;

			items[n++] = (struct rs_span_item){ .addr = addr, .pages = 1, .skip = skip };
			addr += PAGE_SIZE;
			continue;
		}
		if (last && last->folio == page_folio(page) &&
		    last->addr + (unsigned long)last->pages * PAGE_SIZE == addr &&
		    last->pfn + last->pages == page_to_pfn(page)) {
			if (young && last->pages < BITS_PER_LONG)
				last->young_mask |= 1UL << last->pages;
			last->young += young;
			last->pages++;
			rs_put_page(page);
		} else {
			items[n++] = (struct rs_span_item){
				.folio = page_folio(page), .addr = addr, .pfn = page_to_pfn(page),
				.pages = 1, .young = young, .young_mask = young, .skip = RS_RANGE_NO_SKIP,
				.vma = vma,
			};
		}
		addr += PAGE_SIZE;
	}
	return n;
}

