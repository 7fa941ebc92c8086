/*
 * RS_HAVE_PTE_OFFSET_MAP_LOCK_INNER: pte_offset_map_lock() is an inline around the out-of-line
 * __pte_offset_map_lock() (6.5 .. 6.x). 6.1 has a macro of inlines; 7.x makes
 * pte_offset_map_lock() itself the out-of-line function.
 */
#include <linux/mm.h>

void *rs_probe = __pte_offset_map_lock;
