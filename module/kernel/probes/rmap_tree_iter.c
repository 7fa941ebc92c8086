/*
 * RS_HAVE_RMAP_TREE_ITER: the reverse map's interval trees are searched with
 * anon_rmap_tree_iter_first(anon_vma, ...) and mapping_rmap_tree_iter_first(mapping, ...) (7.x);
 * before, with anon_vma_interval_tree_iter_first(&anon_vma->rb_root, ...) and
 * vma_interval_tree_iter_first(&mapping->i_mmap, ...).
 */
#include <linux/mm.h>

void *rs_probe[] = { anon_rmap_tree_iter_first, mapping_rmap_tree_iter_first };
