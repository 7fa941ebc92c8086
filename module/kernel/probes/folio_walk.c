/* RS_HAVE_FOLIO_WALK: folio_walk_start() (6.12+; mm/pagewalk.c), instead of follow_page(). */
#include <linux/pagewalk.h>

struct folio *rs_probe(struct folio_walk *fw, struct vm_area_struct *vma, unsigned long addr)
{
	return folio_walk_start(fw, vma, addr, FW_ZEROPAGE);
}
