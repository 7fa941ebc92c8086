/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rs_cf_trampoline(target, a1..a5) tail-calls target(a1..a5) without an indirect branch (see
 * trampoline_*.S). Each callee gets its own alias of the same code, declared in C with the
 * callee's real prototype, so every trampolined call is type-checked like a direct one.
 */
#ifndef RMAPSCOPE_TRAMPOLINE_H
#define RMAPSCOPE_TRAMPOLINE_H

#define RS_TRAMPOLINE_ALIASES(X)	\
	X(rs_tramp_rmap_walk)		\
	X(rs_tramp_page_vma_mapped_walk) \
	X(rs_tramp_folio_referenced)	\
	X(rs_tramp_try_to_unmap)	\
	X(rs_tramp_folio_isolate_lru)	\
	X(rs_tramp_folio_putback_lru)	\
	X(rs_tramp_lru_add_drain)	\
	X(rs_tramp_lru_add_drain_all)	\
	X(rs_tramp_folio_walk_start)	\
	X(rs_tramp_follow_page)		\
	X(rs_tramp_folio_mapcount)	\
	X(rs_tramp_anon_tree_first)	\
	X(rs_tramp_anon_tree_next)	\
	X(rs_tramp_file_tree_first)	\
	X(rs_tramp_file_tree_next)	\
	X(rs_tramp_pte_map_lock)

#ifdef __ASSEMBLY__
#define RS_TRAMPOLINE_ALIAS(name) SYM_FUNC_ALIAS(name, rs_cf_trampoline)
#else
#include <linux/rmap.h>
#include <linux/swap.h>
#include "compat.h"

void rs_tramp_rmap_walk(typeof(&rmap_walk) target, struct folio *folio,
			struct rmap_walk_control *rwc);
bool rs_tramp_page_vma_mapped_walk(typeof(&page_vma_mapped_walk) target,
				   struct page_vma_mapped_walk *pvmw);
int rs_tramp_folio_referenced(typeof(&folio_referenced) target, struct folio *folio,
			      int is_locked, struct mem_cgroup *memcg,
			      rs_referenced_flags_t *vm_flags);
void rs_tramp_try_to_unmap(typeof(&try_to_unmap) target, struct folio *folio,
			   enum ttu_flags flags);
typeof(folio_isolate_lru(NULL)) rs_tramp_folio_isolate_lru(typeof(&folio_isolate_lru) target,
							   struct folio *folio);
void rs_tramp_folio_putback_lru(typeof(&folio_putback_lru) target, struct folio *folio);
void rs_tramp_lru_add_drain(typeof(&lru_add_drain) target);
void rs_tramp_lru_add_drain_all(typeof(&lru_add_drain_all) target);
#if RS_HAVE_FOLIO_WALK
struct folio *rs_tramp_folio_walk_start(typeof(&folio_walk_start) target, struct folio_walk *fw,
					struct vm_area_struct *vma, unsigned long addr,
					folio_walk_flags_t flags);
#else
struct page *rs_tramp_follow_page(typeof(&follow_page) target, struct vm_area_struct *vma,
				  unsigned long address, unsigned int foll_flags);
int rs_tramp_folio_mapcount(typeof(&folio_mapcount) target, struct folio *folio);
#endif
#if RS_HAVE_RMAP_TREE_ITER
struct anon_vma_chain *rs_tramp_anon_tree_first(typeof(&anon_rmap_tree_iter_first) target,
						struct anon_vma *anon_vma, pgoff_t first, pgoff_t last);
struct anon_vma_chain *rs_tramp_anon_tree_next(typeof(&anon_rmap_tree_iter_next) target,
					       struct anon_vma_chain *avc, pgoff_t first, pgoff_t last);
struct vm_area_struct *rs_tramp_file_tree_first(typeof(&mapping_rmap_tree_iter_first) target,
						struct address_space *mapping, pgoff_t first, pgoff_t last);
struct vm_area_struct *rs_tramp_file_tree_next(typeof(&mapping_rmap_tree_iter_next) target,
					       struct vm_area_struct *vma, pgoff_t first, pgoff_t last);
#else
struct anon_vma_chain *rs_tramp_anon_tree_first(typeof(&anon_vma_interval_tree_iter_first) target,
						struct rb_root_cached *root, unsigned long first,
						unsigned long last);
struct anon_vma_chain *rs_tramp_anon_tree_next(typeof(&anon_vma_interval_tree_iter_next) target,
					       struct anon_vma_chain *avc, unsigned long first,
					       unsigned long last);
struct vm_area_struct *rs_tramp_file_tree_first(typeof(&vma_interval_tree_iter_first) target,
						struct rb_root_cached *root, unsigned long first,
						unsigned long last);
struct vm_area_struct *rs_tramp_file_tree_next(typeof(&vma_interval_tree_iter_next) target,
					       struct vm_area_struct *vma, unsigned long first,
					       unsigned long last);
#endif
#if !RS_PTE_MAP_LOCK_INLINE
pte_t *rs_tramp_pte_map_lock(typeof(&RS_PTE_MAP_LOCK_FN) target, struct mm_struct *mm, pmd_t *pmd,
			     unsigned long addr, spinlock_t **ptl);
#endif
#endif

#endif /* RMAPSCOPE_TRAMPOLINE_H */
