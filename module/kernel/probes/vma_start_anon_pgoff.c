/*
 * RS_HAVE_VMA_START_ANON_PGOFF: a VMA carries an anonymous page offset apart from vm_pgoff
 * (7.x: MAP_PRIVATE file VMAs), which anon folios' index and the anon_vma tree use.
 */
#include <linux/mm.h>

pgoff_t rs_probe(const struct vm_area_struct *vma)
{
	return vma_start_anon_pgoff(vma);
}
