/* RS_HAVE_VMA_REFCNT: VMAs with a refcounted per-VMA lock, freed SLAB_TYPESAFE_BY_RCU (6.15+):
 * a VMA pointer means nothing once the lock that protected it is dropped. */
#include <linux/mm_types.h>

unsigned int rs_probe(struct vm_area_struct *vma)
{
	return refcount_read(&vma->vm_refcnt);
}
