/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows how the kernels of the matrix differ for rmapscope (Debian 6.1, 6.12,
 * 7.3 and the debug kernels; scripts/kernels). Everything else calls these helpers.
 *
 * Differences are detected from the target tree itself wherever a test can tell:
 * - features.h: Kbuild try-compiles each module/kernel/probes/NAME.c against the tree's headers
 *   and defines RS_HAVE_NAME 1 or 0;
 * - #ifdef on a macro the change introduced, or a Kconfig symbol;
 * - the version number only where neither can tell (the prototypes of mm/internal.h, which no
 *   module can include). Debian's LINUX_VERSION_CODE caps the sublevel at 255: harmless here.
 * docs/building.md lists every difference with the version it appeared in.
 */
#ifndef RMAPSCOPE_COMPAT_H
#define RMAPSCOPE_COMPAT_H

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rmap.h>
#include <linux/sched/coredump.h>
#include <linux/swap.h>
#include <linux/version.h>

#include "features.h"

/*
 * Looking up the page at an address without faulting or touching it: folio_walk_start()
 * (mm/pagewalk.c, 6.12+, used by move_pages and KSM), or follow_page() without FOLL_TOUCH
 * (before; used by KSM and migrate). Neither is exported: both are resolved like the rmap
 * functions.
 */
#if RS_HAVE_FOLIO_WALK
#include <linux/pagewalk.h>
/*
 * folio_walk_end() without its vma_pgtable_walk_end(), which is unexported and only drops the
 * hugetlb VMA lock: rmapscope refuses hugetlb VMAs before calling folio_walk_start(), so for
 * every VMA that gets here it is a no-op (mm/memory.c). Unchanged up to 7.3.
 */
static inline void rs_folio_walk_end(struct folio_walk *fw, struct vm_area_struct *vma)
{
	spin_unlock(fw->ptl);
	if (likely(fw->level == FW_LEVEL_PTE))
		pte_unmap(fw->ptep);
}
#endif

/* folio_mapcount(): out of line (and unexported) in 6.1, inline since (probes/). */
#define RS_HAVE_INLINE_FOLIO_MAPCOUNT RS_HAVE_FOLIO_MAPCOUNT_INLINE

static inline pmd_t rs_pmdp_get(pmd_t *pmdp)
{
#ifdef pmdp_get
	return pmdp_get(pmdp);
#else
	return READ_ONCE(*pmdp);
#endif
}

/*
 * The bits of folio->mapping that say what it points at: PAGE_MAPPING_FLAGS until 6.17,
 * FOLIO_MAPPING_FLAGS since.
 */
#ifdef FOLIO_MAPPING_FLAGS
#define RS_MAPPING_FLAGS FOLIO_MAPPING_FLAGS
#else
#define RS_MAPPING_FLAGS PAGE_MAPPING_FLAGS
#endif

/* Something for rmap to walk: an anon_vma or an address_space (page_idle's test). */
static inline bool rs_folio_has_rmap(struct folio *folio)
{
	return (unsigned long)READ_ONCE(folio->mapping) & ~RS_MAPPING_FLAGS;
}

/*
 * The page_vma_mapped_walk of a folio in a VMA, as DEFINE_FOLIO_VMA_WALK fills it. Not the macro
 * itself: on 6.1 its folio_pgoff() calls the unexported hugetlb_basepage_index() (hugetlb folios
 * never get here; for every other folio folio_pgoff() is folio->index). 7.x adds pgoff_is_anon
 * (a MAP_PRIVATE file VMA has an anon page offset apart from vm_pgoff).
 */
#if RS_HAVE_PVMW_PGOFF_IS_ANON
#define RS_PVMW_ANON(folio) .pgoff_is_anon = folio_test_anon(folio),
#else
#define RS_PVMW_ANON(folio)
#endif
#define RS_FOLIO_VMA_WALK(name, _folio, _vma, _address, _flags)	\
	struct page_vma_mapped_walk name = {			\
		.pfn = folio_pfn(_folio),			\
		.nr_pages = folio_nr_pages(_folio),		\
		.pgoff = (_folio)->index,			\
		.vma = _vma,					\
		.address = _address,				\
		.flags = _flags,				\
		RS_PVMW_ANON(_folio)				\
	}

/*
 * rmap_walk() and the folio lock: 6.1 and 6.12 need it for file and KSM folios only
 * (rmap_walk_file, rmap_walk_ksm); 7.3's rmap_walk_anon() and folio_lock_anon_vma_read()
 * VM_WARN without it too, and its page_idle trylocks every folio. rmapscope locks every folio
 * it walks, on every kernel (the lock order is unchanged: folio lock, then the anon_vma lock),
 * and the kernel side refuses an unlocked one (walk.c, tree.c).
 */

/*
 * anon_vma_unlock_read(), the pair of folio_lock_anon_vma_read(): an inline of linux/rmap.h until
 * 6.x, of mm/internal.h since 7.0, where a module cannot reach it. Its body has been the same
 * since 3.x (the root anon_vma's rwsem is the lock of the whole family): callers outside rmap.c,
 * such as collect_procs_anon() in mm/memory-failure.c, pair the two this way.
 */
static inline void rs_anon_vma_unlock_read(struct anon_vma *anon_vma)
{
	up_read(&anon_vma->root->rwsem);
}

/*
 * folio_referenced() reports the VMA flags it saw into an unsigned long (vm_flags_t) until 6.x,
 * and into a vma_flags_t bitmap in 7.x. rmapscope decodes the first word, where every flag it
 * reports lives.
 */
#if RS_HAVE_FOLIO_REFERENCED_VMA_FLAGS
typedef vma_flags_t rs_referenced_flags_t;
#define rs_referenced_flags_word(f) vma_flags_to_legacy(f)
#else
typedef unsigned long rs_referenced_flags_t;
#define rs_referenced_flags_word(f) (f)
#endif

/*
 * LRU isolation, as reclaim does before folio_referenced() (MGLRU's look-around warns on a folio
 * still on the LRU). These live in mm/internal.h, which modules cannot include, so the prototypes
 * are written here, checked against mm/internal.h of Debian's 6.1.192, 6.12.117 and 7.3.4
 * sources: folio_isolate_lru() returned 0 on success (int) until 6.4 and returns true since
 * (bool); lru_add_drain() moved from linux/swap.h to mm/internal.h in 7.x (declaring it again is
 * harmless where swap.h still has it). Only typeof() of them is used, so no reference to the
 * unexported symbols is emitted.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
bool folio_isolate_lru(struct folio *folio);
#define RS_ISOLATED(ret) (ret)
#else
int folio_isolate_lru(struct folio *folio);
#define RS_ISOLATED(ret) ((ret) == 0)
#endif
void folio_putback_lru(struct folio *folio);
void lru_add_drain(void);

/*
 * The PFNs a free buddy block at page covers, as the compaction scanner skips them
 * (isolate_migratepages_block(): PageBuddy(), then the order read without the zone lock, and
 * trusted only inside the valid range; buddy_order_unsafe() is READ_ONCE(page_private()) in
 * mm/page_alloc.h of 7.3 and mm/internal.h of 6.1). 1 when page heads no free block, or the
 * order read is torn. NR_PAGE_ORDERS came in 6.8; MAX_ORDER counted orders until 6.4 and is the
 * largest one since.
 */
#if defined(NR_PAGE_ORDERS)
#define RS_NR_PAGE_ORDERS NR_PAGE_ORDERS
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define RS_NR_PAGE_ORDERS (MAX_ORDER + 1)
#else
#define RS_NR_PAGE_ORDERS MAX_ORDER
#endif
static inline unsigned long rs_free_block_pages(struct page *page, unsigned long pfn)
{
	unsigned long order;

	if (!PageBuddy(page))
		return 1;
	order = READ_ONCE(page_private(page));
	if (order >= RS_NR_PAGE_ORDERS || (pfn & ((1UL << order) - 1)))
		return 1;
	return 1UL << order;
}

#ifdef CONFIG_X86_KERNEL_IBT
#include <asm/ibt.h>
/*
 * The kernel's own test for an ENDBR (or its seal poison) in an instruction word: is_endbr(u32)
 * until 6.x; since 7.x is_endbr() takes a pointer into the text and __is_endbr(u32) tests a word.
 */
static inline bool rs_kernel_is_endbr(u32 insn)
{
#if RS_HAVE_IS_ENDBR_VALUE
	return __is_endbr(insn);
#else
	return is_endbr(insn);
#endif
}
#endif

/* get_dev_pagemap(pfn, pgmap hint) until 7.x, get_dev_pagemap(pfn) since. */
static inline struct dev_pagemap *rs_get_dev_pagemap(unsigned long pfn)
{
#if RS_HAVE_GET_DEV_PAGEMAP_PFN_ONLY
	return get_dev_pagemap(pfn);
#else
	return get_dev_pagemap(pfn, NULL);
#endif
}

/*
 * The process that owns an mm, in O(1): mm->owner, kept by the kernel for the memory cgroup
 * (CONFIG_MEMCG; every kernel of the matrix sets it). Read as get_mem_cgroup_from_mm() reads it:
 * rcu_dereference() under rcu_read_lock(), the caller holding an mmgrab() on mm. It is a thread
 * of some process using mm, or NULL while the kernel looks for a successor
 * (mm_update_next_owner() in kernel/exit.c). Without CONFIG_MEMCG there is no owner to read and
 * walk.c scans the tasks.
 */
#ifdef CONFIG_MEMCG
#define RS_HAVE_MM_OWNER 1
static inline struct task_struct *rs_mm_owner_rcu(struct mm_struct *mm)
{
	return rcu_dereference(mm->owner);
}
#else
#define RS_HAVE_MM_OWNER 0
static inline struct task_struct *rs_mm_owner_rcu(struct mm_struct *mm)
{
	return NULL;
}
#endif

/*
 * MMF_MULTIPROCESS: a clone(CLONE_VM) without CLONE_THREAD or CLONE_VFORK ever shared this mm
 * with another process (copy_oom_score_adj() in kernel/fork.c sets it; nothing clears it). mm->flags
 * is an unsigned long on 6.1 and 6.12 and a bitmap read through mm_flags_test() on 7.3
 * (probe mm_flags_test).
 */
static inline bool rs_mm_multiprocess(const struct mm_struct *mm)
{
#if RS_HAVE_MM_FLAGS_TEST
	return mm_flags_test(MMF_MULTIPROCESS, mm);
#else
	return test_bit(MMF_MULTIPROCESS, &mm->flags);
#endif
}

/*
 * How folios count their mappings (reported by version): per-page mapcounts throughout before
 * 6.15; since, CONFIG_MM_ID tracks which mm maps a large folio and CONFIG_NO_PAGE_MAPCOUNT may
 * drop the per-page counts of large folios. folio_mapcount() stays exact in every model; the
 * walk reports what it found, never a per-page count.
 */
static inline const char *rs_mapcount_model(void)
{
	if (IS_ENABLED(CONFIG_NO_PAGE_MAPCOUNT))
		return "folio";		/* large folios: folio-wide counts only */
	if (IS_ENABLED(CONFIG_MM_ID))
		return "page+mm_id";	/* per-page counts plus the mm ids of large folios */
	return "page";
}

/*
 * Mapping and locking a PTE table (pt.c): pte_offset_map_lock() is a macro of inlines on 6.1,
 * an inline around the out-of-line __pte_offset_map_lock() since 6.5 (which maps the table
 * under RCU and checks the PMD again under the PTL: tables can be freed under mmap_lock read
 * since then), and itself out of line in 7.x. The out-of-line ones are not exported: they are
 * resolved like the rmap functions (symbols.h).
 */
#if defined(pte_offset_map_lock)
#define RS_PTE_MAP_LOCK_INLINE 1
#elif RS_HAVE_PTE_OFFSET_MAP_LOCK_INNER
#define RS_PTE_MAP_LOCK_INLINE 0
#define RS_PTE_MAP_LOCK_FN __pte_offset_map_lock
#else
#define RS_PTE_MAP_LOCK_INLINE 0
#define RS_PTE_MAP_LOCK_FN pte_offset_map_lock
#endif

/*
 * The page offset under which rmap files a VMA's pages in the anon_vma interval tree, and from
 * which an anon page's address is computed (vma_anon_address() in 7.x's mm/internal.h): 7.x
 * gives a VMA an anonymous page offset of its own (for MAP_PRIVATE file VMAs); before, it is
 * vm_pgoff, as for the file's i_mmap.
 */
static inline pgoff_t rs_vma_anon_pgoff(const struct vm_area_struct *vma)
{
#if RS_HAVE_VMA_START_ANON_PGOFF
	return vma_start_anon_pgoff(vma);
#else
	return vma->vm_pgoff;
#endif
}

/*
 * The mappings of a small folio, from its own mapcount (the caller holds a PTL that maps it, or a
 * reference on it, so it is not freed meanwhile): folio_mapcount() is inline since 6.2; 6.1's
 * page_mapcount() of a page that is not compound is the same atomic read.
 */
static inline int rs_small_folio_mapcount(struct folio *folio)
{
#if RS_HAVE_INLINE_FOLIO_MAPCOUNT
	return folio_mapcount(folio);
#else
	return page_mapcount(&folio->page);
#endif
}

/*
 * The anon_vma lock taken for reading, as rmap_walk_anon() takes it when the anon_vma is known
 * to be alive (rmap_walk_anon_lock()): an inline of linux/rmap.h until 6.x, of mm/internal.h
 * since 7.0; the root's rwsem is the lock of the whole family in every version.
 */
static inline void rs_anon_vma_lock_read(struct anon_vma *anon_vma)
{
	down_read(&anon_vma->root->rwsem);
}

/* The KUnit suites (kunit/) ------------------------------------------------------------------ */

/* MODULE_IMPORT_NS() took a bare token until 6.12 and takes a string literal since 6.13. */
#if RS_HAVE_MODULE_IMPORT_NS_TOKEN
#define RS_MODULE_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#else
#define RS_MODULE_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#endif

/* shmem_file_setup(name, size, flags): VM_ flags until 6.x, a vma_flags_t in 7.x; none here. */
#if RS_HAVE_SHMEM_FILE_SETUP_VMA_FLAGS
#define rs_shmem_file_setup(name, size) shmem_file_setup(name, size, EMPTY_VMA_FLAGS)
#else
#define rs_shmem_file_setup(name, size) shmem_file_setup(name, size, 0)
#endif

#endif /* RMAPSCOPE_COMPAT_H */
