/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way rmapscope calls an unexported kernel function. At load, each resolved symbol gets a
 * path: a direct call through its typeof(&fn) pointer where that is safe, the return-based
 * trampoline where the CPU enforces IBT/BTI and the entry is not a landing pad (sealed), or
 * refused where neither is safe. A refused function makes the operations that need it fail
 * with EOPNOTSUPP instead of faulting.
 */
#ifndef RMAPSCOPE_CALL_H
#define RMAPSCOPE_CALL_H

#include <linux/rmap.h>

#include "cf.h"
#include "symbols.h"

enum rs_call_mode { RS_MODE_AUTO, RS_MODE_DIRECT, RS_MODE_TRAMPOLINE };
enum rs_call_path { RS_PATH_DIRECT, RS_PATH_TRAMPOLINE, RS_PATH_REFUSED };

/*
 * The policy, a pure function so KUnit can drive it: how to reach an entry of this kind, used
 * this way, in this mode, when the CPU does (not) enforce landing pads.
 */
enum rs_call_path rs_call_choose(enum rs_call_mode mode, bool enforced, enum rs_entry_kind entry,
				 enum rs_symbol_use use);

/* Parses call_mode=, classifies every resolved symbol and picks its path. */
int rs_call_init(const char *mode);

bool rs_callable(enum rs_symbol_id id);
enum rs_call_path rs_call_path_of(enum rs_symbol_id id);
enum rs_entry_kind rs_call_entry_of(enum rs_symbol_id id);
const char *rs_call_path_name(enum rs_call_path path);
const char *rs_call_mode_name(void);

/*
 * Typed calls. Callers check rs_callable() first (a refused function is never called: these
 * return without calling and WARN once if asked anyway).
 */
void rs_call_rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
bool rs_call_page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw);
/* vm_flags: the first word of the VMA flags the kernel reports, whatever its type (compat.h). */
int rs_call_folio_referenced(struct folio *folio, int is_locked, struct mem_cgroup *memcg,
			     unsigned long *vm_flags);
void rs_call_try_to_unmap(struct folio *folio, enum ttu_flags flags);
/* True when the folio was taken off its LRU list (with a reference), whatever the kernel's type. */
bool rs_call_folio_isolate_lru(struct folio *folio);
void rs_call_folio_putback_lru(struct folio *folio);
void rs_call_lru_add_drain(void);
void rs_call_lru_add_drain_all(void);
#if RS_HAVE_FOLIO_WALK
struct folio *rs_call_folio_walk_start(struct folio_walk *fw, struct vm_area_struct *vma,
				       unsigned long addr, folio_walk_flags_t flags);
#else
struct page *rs_call_follow_page(struct vm_area_struct *vma, unsigned long address,
				 unsigned int foll_flags);
int rs_call_folio_mapcount(struct folio *folio);
#endif

/*
 * The reverse map's candidate VMAs for a range of page offsets, as rmap_walk_anon() and
 * rmap_walk_file() find them (under the anon_vma lock or i_mmap_rwsem, held by the caller).
 * rs_rmap_trees_callable() says whether the four can be called here.
 */
bool rs_rmap_trees_callable(void);
struct anon_vma_chain *rs_call_anon_tree_first(struct anon_vma *anon_vma, pgoff_t first, pgoff_t last);
struct anon_vma_chain *rs_call_anon_tree_next(struct anon_vma_chain *avc, pgoff_t first, pgoff_t last);
struct vm_area_struct *rs_call_file_tree_first(struct address_space *mapping, pgoff_t first,
					       pgoff_t last);
struct vm_area_struct *rs_call_file_tree_next(struct vm_area_struct *vma, pgoff_t first, pgoff_t last);

/*
 * folio_lock_anon_vma_read(folio, NULL), called by rmapscope itself as memory-failure's
 * collect_procs_anon() calls it (it is address-taken, so its entry is a landing pad: callable
 * when rs_callable(RS_SYM_folio_lock_anon_vma_read)). The locked anon_vma, or NULL.
 */
struct anon_vma *rs_call_folio_lock_anon_vma_read(struct folio *folio);

/* pte_offset_map_lock() of this kernel (compat.h): the table mapped and locked, or NULL. */
bool rs_pte_map_lock_callable(void);
pte_t *rs_pte_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptl);

#endif /* RMAPSCOPE_CALL_H */
