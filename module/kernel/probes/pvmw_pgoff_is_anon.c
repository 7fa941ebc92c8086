/* RS_HAVE_PVMW_PGOFF_IS_ANON: page_vma_mapped_walk needs to know that pgoff is an anon pgoff
 * (7.x: MAP_PRIVATE file VMAs carry a separate anon page offset). */
#include <linux/rmap.h>

struct page_vma_mapped_walk rs_probe = { .pgoff_is_anon = 1 };
