/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unexported kernel functions rmapscope calls, found at load time. Every pointer is declared
 * with typeof(&fn) so its prototype comes from the target kernel's own header: if a kernel
 * changes a prototype, the module stops compiling instead of making a wrong call.
 */
#ifndef RMAPSCOPE_SYMBOLS_H
#define RMAPSCOPE_SYMBOLS_H

#include <linux/rmap.h>
#include <linux/swap.h>

#include "compat.h"

/*
 * X(name, required, use): a required symbol that cannot be found makes the load fail.
 * use is RS_USE_CALL for functions rmapscope calls (through module/kernel/call.c), and
 * RS_USE_CALLBACK for functions handed to the kernel, which calls them indirectly itself.
 */
#define RS_KERNEL_SYMBOLS(X)					\
	X(rmap_walk, 1, RS_USE_CALL)				\
	X(rmap_walk_locked, 0, RS_USE_CALL)			\
	X(page_vma_mapped_walk, 1, RS_USE_CALL)			\
	X(folio_lock_anon_vma_read, 1, RS_USE_CALLBACK)		\
	X(folio_referenced, 1, RS_USE_CALL)			\
	X(try_to_unmap, 1, RS_USE_CALL)				\
	X(folio_isolate_lru, 0, RS_USE_CALL)			\
	X(folio_putback_lru, 0, RS_USE_CALL)			\
	X(lru_add_drain, 0, RS_USE_CALL)			\
	X(lru_add_drain_all, 0, RS_USE_CALL)			\
	RS_VERSION_SYMBOLS(X)					\
	RS_RMAP_TREE_SYMBOLS(X)					\
	RS_PTE_MAP_LOCK_SYMBOLS(X)

#if RS_HAVE_FOLIO_WALK
#define RS_VERSION_SYMBOLS(X) X(folio_walk_start, 1, RS_USE_CALL)
#define RS_SYM_PAGE_LOOKUP RS_SYM_folio_walk_start
#else
#define RS_VERSION_SYMBOLS(X) X(follow_page, 1, RS_USE_CALL) X(folio_mapcount, 0, RS_USE_CALL)
#define RS_SYM_PAGE_LOOKUP RS_SYM_follow_page
#endif

/*
 * The reverse map's interval trees, searched by share and phys's bulk comparison (bulk.c) as
 * rmap_walk_anon() and rmap_walk_file() search them: renamed in 7.x (probes/rmap_tree_iter.c).
 */
#if RS_HAVE_RMAP_TREE_ITER
#define RS_RMAP_TREE_SYMBOLS(X)					\
	X(anon_rmap_tree_iter_first, 0, RS_USE_CALL)		\
	X(anon_rmap_tree_iter_next, 0, RS_USE_CALL)		\
	X(mapping_rmap_tree_iter_first, 0, RS_USE_CALL)		\
	X(mapping_rmap_tree_iter_next, 0, RS_USE_CALL)
#define RS_SYM_ANON_TREE_FIRST RS_SYM_anon_rmap_tree_iter_first
#define RS_SYM_ANON_TREE_NEXT RS_SYM_anon_rmap_tree_iter_next
#define RS_SYM_FILE_TREE_FIRST RS_SYM_mapping_rmap_tree_iter_first
#define RS_SYM_FILE_TREE_NEXT RS_SYM_mapping_rmap_tree_iter_next
#else
#define RS_RMAP_TREE_SYMBOLS(X)					\
	X(anon_vma_interval_tree_iter_first, 0, RS_USE_CALL)	\
	X(anon_vma_interval_tree_iter_next, 0, RS_USE_CALL)	\
	X(vma_interval_tree_iter_first, 0, RS_USE_CALL)		\
	X(vma_interval_tree_iter_next, 0, RS_USE_CALL)
#define RS_SYM_ANON_TREE_FIRST RS_SYM_anon_vma_interval_tree_iter_first
#define RS_SYM_ANON_TREE_NEXT RS_SYM_anon_vma_interval_tree_iter_next
#define RS_SYM_FILE_TREE_FIRST RS_SYM_vma_interval_tree_iter_first
#define RS_SYM_FILE_TREE_NEXT RS_SYM_vma_interval_tree_iter_next
#endif

/* pte_offset_map_lock(): inline on 6.1, out of line since (compat.h). */
#if RS_PTE_MAP_LOCK_INLINE
#define RS_PTE_MAP_LOCK_SYMBOLS(X)
#elif RS_HAVE_PTE_OFFSET_MAP_LOCK_INNER
#define RS_PTE_MAP_LOCK_SYMBOLS(X) X(__pte_offset_map_lock, 0, RS_USE_CALL)
#define RS_SYM_PTE_MAP_LOCK RS_SYM___pte_offset_map_lock
#else
#define RS_PTE_MAP_LOCK_SYMBOLS(X) X(pte_offset_map_lock, 0, RS_USE_CALL)
#define RS_SYM_PTE_MAP_LOCK RS_SYM_pte_offset_map_lock
#endif

enum rs_symbol_use { RS_USE_CALL, RS_USE_CALLBACK };

enum rs_symbol_id {
#define RS_SYMBOL_ID(name, required, use) RS_SYM_##name,
	RS_KERNEL_SYMBOLS(RS_SYMBOL_ID)
#undef RS_SYMBOL_ID
	RS_NR_SYMBOLS
};

struct rs_kernel_syms {
#define RS_DECLARE_PTR(name, required, use) typeof(&name) name;
	RS_KERNEL_SYMBOLS(RS_DECLARE_PTR)
#undef RS_DECLARE_PTR
};

extern struct rs_kernel_syms rs_syms;

struct rs_symbol_status;

/* Resolves every symbol; 0, or -ENOENT/-EOPNOTSUPP with one clear log line per failure. */
int rs_symbols_resolve(void);
/* Looks one name up (the function entry, before any ENDBR); 0, or -ENOENT/-EOPNOTSUPP. */
int rs_symbol_lookup(const char *name, unsigned long *entry);
/* The resolved entry of a symbol (NULL if not found), its name and its use. */
void *rs_symbol_entry(enum rs_symbol_id id);
const char *rs_symbol_name(enum rs_symbol_id id);
enum rs_symbol_use rs_symbol_use(enum rs_symbol_id id);
bool rs_symbol_required(enum rs_symbol_id id);

#endif /* RMAPSCOPE_SYMBOLS_H */
