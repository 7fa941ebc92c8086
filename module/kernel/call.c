// SPDX-License-Identifier: GPL-2.0
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "call.h"
#include "trampoline.h"

static enum rs_call_mode rs_mode;
static enum rs_call_path rs_paths[RS_NR_SYMBOLS];
static enum rs_entry_kind rs_entries[RS_NR_SYMBOLS];

enum rs_call_path rs_call_choose(enum rs_call_mode mode, bool enforced, enum rs_entry_kind entry,
				 enum rs_symbol_use use)
{
	bool direct_ok = !enforced || entry == RS_ENTRY_LANDING_PAD;

	/* The kernel makes the call to a callback: only its entry decides. */
	if (use == RS_USE_CALLBACK)
		return direct_ok ? RS_PATH_DIRECT : RS_PATH_REFUSED;
	switch (mode) {
	case RS_MODE_DIRECT:
		/* Forcing "direct" never means faulting: an unsafe direct call is refused. */
		return direct_ok ? RS_PATH_DIRECT : RS_PATH_REFUSED;
	case RS_MODE_TRAMPOLINE:
		return RS_PATH_TRAMPOLINE;
	default:
		return direct_ok ? RS_PATH_DIRECT : RS_PATH_TRAMPOLINE;
	}
}

int rs_call_init(const char *mode)
{
	bool enforced = rs_cf_enforced();
	int id;

	if (!mode || !strcmp(mode, "auto"))
		rs_mode = RS_MODE_AUTO;
	else if (!strcmp(mode, "direct"))
		rs_mode = RS_MODE_DIRECT;
	else if (!strcmp(mode, "trampoline"))
		rs_mode = RS_MODE_TRAMPOLINE;
	else {
		pr_err("call_mode=%s is not one of auto, direct, trampoline\n", mode);
		return -EINVAL;
	}

	for (id = 0; id < RS_NR_SYMBOLS; id++) {
		void *entry = rs_symbol_entry(id);

		if (!entry) {
			rs_entries[id] = RS_ENTRY_UNCHECKED;
			rs_paths[id] = RS_PATH_REFUSED;
			continue;
		}
		rs_entries[id] = rs_cf_classify_entry(entry);
		rs_paths[id] = rs_call_choose(rs_mode, enforced, rs_entries[id], rs_symbol_use(id));
		if (rs_paths[id] == RS_PATH_REFUSED)
			pr_warn("%s cannot be called safely here (%s entry, %s enforced, call_mode=%s): operations that need it are refused\n",
				rs_symbol_name(id), rs_entry_kind_name(rs_entries[id]), rs_cf_kind(),
				rs_call_mode_name());
	}
	return 0;
}

bool rs_callable(enum rs_symbol_id id)
{
	return rs_paths[id] != RS_PATH_REFUSED;
}

enum rs_call_path rs_call_path_of(enum rs_symbol_id id)
{
	return rs_paths[id];
}

enum rs_entry_kind rs_call_entry_of(enum rs_symbol_id id)
{
	return rs_entries[id];
}

const char *rs_call_path_name(enum rs_call_path path)
{
	switch (path) {
	case RS_PATH_DIRECT:
		return "direct";
	case RS_PATH_TRAMPOLINE:
		return "trampoline";
	default:
		return "refused";
	}
}

const char *rs_call_mode_name(void)
{
	static const char *const names[] = {
		[RS_MODE_AUTO] = "auto", [RS_MODE_DIRECT] = "direct", [RS_MODE_TRAMPOLINE] = "trampoline",
	};
	return names[rs_mode];
}

/* A refused function is never called; reaching here with one is a bug in a caller. */
#define RS_REFUSE_UNLESS_CALLABLE(id, ...)				\
	do {								\
		if (WARN_ON_ONCE(!rs_callable(id)))			\
			return __VA_ARGS__;				\
	} while (0)

void rs_call_rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_rmap_walk);
	if (rs_paths[RS_SYM_rmap_walk] == RS_PATH_DIRECT)
		rs_syms.rmap_walk(folio, rwc);
	else
		rs_tramp_rmap_walk(rs_syms.rmap_walk, folio, rwc);
}

bool rs_call_page_vma_mapped_walk(struct page_vma_mapped_walk *pvmw)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_page_vma_mapped_walk, false);
	if (rs_paths[RS_SYM_page_vma_mapped_walk] == RS_PATH_DIRECT)
		return rs_syms.page_vma_mapped_walk(pvmw);
	return rs_tramp_page_vma_mapped_walk(rs_syms.page_vma_mapped_walk, pvmw);
}

int rs_call_folio_referenced(struct folio *folio, int is_locked, struct mem_cgroup *memcg,
			     unsigned long *vm_flags)
{
	rs_referenced_flags_t flags;
	int ret;

	*vm_flags = 0;
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_folio_referenced, 0);
	if (rs_paths[RS_SYM_folio_referenced] == RS_PATH_DIRECT)
		ret = rs_syms.folio_referenced(folio, is_locked, memcg, &flags);
	else
		ret = rs_tramp_folio_referenced(rs_syms.folio_referenced, folio, is_locked, memcg,
						&flags);
	*vm_flags = rs_referenced_flags_word(flags);
	return ret;
}

void rs_call_try_to_unmap(struct folio *folio, enum ttu_flags flags)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_try_to_unmap);
	if (rs_paths[RS_SYM_try_to_unmap] == RS_PATH_DIRECT)
		rs_syms.try_to_unmap(folio, flags);
	else
		rs_tramp_try_to_unmap(rs_syms.try_to_unmap, folio, flags);
}

bool rs_call_folio_isolate_lru(struct folio *folio)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_folio_isolate_lru, false);
	if (rs_paths[RS_SYM_folio_isolate_lru] == RS_PATH_DIRECT)
		return RS_ISOLATED(rs_syms.folio_isolate_lru(folio));
	return RS_ISOLATED(rs_tramp_folio_isolate_lru(rs_syms.folio_isolate_lru, folio));
}

void rs_call_folio_putback_lru(struct folio *folio)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_folio_putback_lru);
	if (rs_paths[RS_SYM_folio_putback_lru] == RS_PATH_DIRECT)
		rs_syms.folio_putback_lru(folio);
	else
		rs_tramp_folio_putback_lru(rs_syms.folio_putback_lru, folio);
}

void rs_call_lru_add_drain(void)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_lru_add_drain);
	if (rs_paths[RS_SYM_lru_add_drain] == RS_PATH_DIRECT)
		rs_syms.lru_add_drain();
	else
		rs_tramp_lru_add_drain(rs_syms.lru_add_drain);
}

void rs_call_lru_add_drain_all(void)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_lru_add_drain_all);
	if (rs_paths[RS_SYM_lru_add_drain_all] == RS_PATH_DIRECT)
		rs_syms.lru_add_drain_all();
	else
		rs_tramp_lru_add_drain_all(rs_syms.lru_add_drain_all);
}

#if RS_HAVE_FOLIO_WALK
struct folio *rs_call_folio_walk_start(struct folio_walk *fw, struct vm_area_struct *vma,
				       unsigned long addr, folio_walk_flags_t flags)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_folio_walk_start, NULL);
	if (rs_paths[RS_SYM_folio_walk_start] == RS_PATH_DIRECT)
		return rs_syms.folio_walk_start(fw, vma, addr, flags);
	return rs_tramp_folio_walk_start(rs_syms.folio_walk_start, fw, vma, addr, flags);
}
#else
struct page *rs_call_follow_page(struct vm_area_struct *vma, unsigned long address,
				 unsigned int foll_flags)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_follow_page, NULL);
	if (rs_paths[RS_SYM_follow_page] == RS_PATH_DIRECT)
		return rs_syms.follow_page(vma, address, foll_flags);
	return rs_tramp_follow_page(rs_syms.follow_page, vma, address, foll_flags);
}

int rs_call_folio_mapcount(struct folio *folio)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_folio_mapcount, -1);
	if (rs_paths[RS_SYM_folio_mapcount] == RS_PATH_DIRECT)
		return rs_syms.folio_mapcount(folio);
	return rs_tramp_folio_mapcount(rs_syms.folio_mapcount, folio);
}
#endif

struct anon_vma *rs_call_folio_lock_anon_vma_read(struct folio *folio)
{
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_folio_lock_anon_vma_read, NULL);
	return rs_syms.folio_lock_anon_vma_read(folio, NULL);
}

/* The reverse map's trees ------------------------------------------------------------------ */

bool rs_rmap_trees_callable(void)
{
	return rs_callable(RS_SYM_ANON_TREE_FIRST) && rs_callable(RS_SYM_ANON_TREE_NEXT) &&
	       rs_callable(RS_SYM_FILE_TREE_FIRST) && rs_callable(RS_SYM_FILE_TREE_NEXT);
}

/* One tree search: direct or through the trampoline, as the symbol's path says. */
#define RS_TREE_CALL(id, ptr, tramp, arg0, first, last)					\
	({										\
		RS_REFUSE_UNLESS_CALLABLE(id, NULL);					\
		rs_paths[id] == RS_PATH_DIRECT ? ptr(arg0, first, last)			\
					       : tramp(ptr, arg0, first, last);		\
	})

#if RS_HAVE_RMAP_TREE_ITER
struct anon_vma_chain *rs_call_anon_tree_first(struct anon_vma *anon_vma, pgoff_t first, pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_anon_rmap_tree_iter_first, rs_syms.anon_rmap_tree_iter_first,
			    rs_tramp_anon_tree_first, anon_vma, first, last);
}

struct anon_vma_chain *rs_call_anon_tree_next(struct anon_vma_chain *avc, pgoff_t first, pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_anon_rmap_tree_iter_next, rs_syms.anon_rmap_tree_iter_next,
			    rs_tramp_anon_tree_next, avc, first, last);
}

struct vm_area_struct *rs_call_file_tree_first(struct address_space *mapping, pgoff_t first,
					       pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_mapping_rmap_tree_iter_first, rs_syms.mapping_rmap_tree_iter_first,
			    rs_tramp_file_tree_first, mapping, first, last);
}

struct vm_area_struct *rs_call_file_tree_next(struct vm_area_struct *vma, pgoff_t first, pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_mapping_rmap_tree_iter_next, rs_syms.mapping_rmap_tree_iter_next,
			    rs_tramp_file_tree_next, vma, first, last);
}
#else
struct anon_vma_chain *rs_call_anon_tree_first(struct anon_vma *anon_vma, pgoff_t first, pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_anon_vma_interval_tree_iter_first,
			    rs_syms.anon_vma_interval_tree_iter_first, rs_tramp_anon_tree_first,
			    &anon_vma->rb_root, first, last);
}

struct anon_vma_chain *rs_call_anon_tree_next(struct anon_vma_chain *avc, pgoff_t first, pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_anon_vma_interval_tree_iter_next,
			    rs_syms.anon_vma_interval_tree_iter_next, rs_tramp_anon_tree_next, avc,
			    first, last);
}

struct vm_area_struct *rs_call_file_tree_first(struct address_space *mapping, pgoff_t first,
					       pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_vma_interval_tree_iter_first, rs_syms.vma_interval_tree_iter_first,
			    rs_tramp_file_tree_first, &mapping->i_mmap, first, last);
}

struct vm_area_struct *rs_call_file_tree_next(struct vm_area_struct *vma, pgoff_t first, pgoff_t last)
{
	return RS_TREE_CALL(RS_SYM_vma_interval_tree_iter_next, rs_syms.vma_interval_tree_iter_next,
			    rs_tramp_file_tree_next, vma, first, last);
}
#endif

bool rs_pte_map_lock_callable(void)
{
#if RS_PTE_MAP_LOCK_INLINE
	return true;
#else
	return rs_callable(RS_SYM_PTE_MAP_LOCK);
#endif
}

pte_t *rs_pte_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptl)
{
#if RS_PTE_MAP_LOCK_INLINE
	/*
	 * 6.1: what pmd_trans_unstable() checks before walk_pte_range() maps the table, without
	 * clearing a bad entry (pmd_clear_bad() is not exported): page tables are not freed under
	 * mmap_lock or an rmap lock on 6.1, so a table seen here stays.
	 */
	pmd_t pmdval = READ_ONCE(*pmd);

	if (pmd_none(pmdval) || !pmd_present(pmdval) || pmd_trans_huge(pmdval) || pmd_bad(pmdval))
		return NULL;
	return pte_offset_map_lock(mm, pmd, addr, ptl);
#else
	RS_REFUSE_UNLESS_CALLABLE(RS_SYM_PTE_MAP_LOCK, NULL);
	if (rs_paths[RS_SYM_PTE_MAP_LOCK] == RS_PATH_DIRECT)
		return rs_syms.RS_PTE_MAP_LOCK_FN(mm, pmd, addr, ptl);
	return rs_tramp_pte_map_lock(rs_syms.RS_PTE_MAP_LOCK_FN, mm, pmd, addr, ptl);
#endif
}
