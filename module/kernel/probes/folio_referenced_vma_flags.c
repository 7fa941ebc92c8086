/* RS_HAVE_FOLIO_REFERENCED_VMA_FLAGS: folio_referenced() reports into a vma_flags_t bitmap
 * (7.x) rather than an unsigned long / vm_flags_t word. */
#include <linux/rmap.h>

int rs_probe(struct folio *folio)
{
	vma_flags_t flags;

	return folio_referenced(folio, 1, NULL, &flags);
}
