/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a walk found, as plain C records: module/kernel/ fills them (without allocating, under
 * the page-table lock), the core turns them into the ctl response (docs/debugfs.md).
 */
#ifndef RMAPSCOPE_CORE_WALK_REPORT_H
#define RMAPSCOPE_CORE_WALK_REPORT_H

#include "../../include/rmapscope/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

enum rs_folio_kind { RS_KIND_ANON, RS_KIND_FILE, RS_KIND_SHMEM, RS_KIND_KSM, RS_KIND_HUGETLB };

/* Folio flags reported in "flags=", in this order. */
#define RS_FOLIO_FLAGS(X)						\
	X(LRU, "lru") X(ACTIVE, "active") X(UNEVICTABLE, "unevictable")	\
	X(MLOCKED, "mlocked") X(REFERENCED, "referenced") X(DIRTY, "dirty")	\
	X(WRITEBACK, "writeback") X(UPTODATE, "uptodate")		\
	X(SWAPBACKED, "swapbacked") X(SWAPCACHE, "swapcache")		\
	X(LARGE, "large") X(IDLE, "idle") X(YOUNG, "young")

enum {
#define RS_FF_BIT(name, text) RS_FF_BIT_##name,
	RS_FOLIO_FLAGS(RS_FF_BIT)
#undef RS_FF_BIT
};
#define RS_FF(name) (1UL << RS_FF_BIT_##name)

struct rs_folio_info {
	unsigned long pfn;		/* the folio's first page */
	unsigned long page_pfn;		/* the page that was asked about */
	unsigned long nr_pages;
	int kind;			/* enum rs_folio_kind */
	int mapcount;			/* folio_mapcount(); -1 when it cannot be read */
	int refcount;			/* folio_ref_count() less rmapscope's own reference */
	unsigned long index;		/* folio->index: page offset in file, or anon linear index */
	unsigned long flags;		/* RS_FF() bits */
};

#define RS_PROT_READ	0x1
#define RS_PROT_WRITE	0x2
#define RS_PROT_EXEC	0x4
#define RS_PROT_SHARED	0x8

enum rs_level { RS_LEVEL_PTE, RS_LEVEL_PMD };

struct rs_map_record {
	int skip;			/* 1: the rmap tree names this VMA, but no entry in it maps the folio */
	unsigned int owner;		/* index into rs_walk_result.owners */
	unsigned long vma_start, vma_end, pgoff;
	unsigned int prot;		/* RS_PROT_* */
	const char *path;		/* file path, NULL for none */
	unsigned long addr;		/* first address in this VMA that maps the folio */
	int level;			/* enum rs_level */
	unsigned int pages;		/* the folio's pages mapped in this VMA */
	unsigned char young, dirty, write;	/* any entry young / dirty / writable */
	unsigned int visits;		/* rmap_one calls that reached this mapping (KSM: can be 2) */
	unsigned char mlock;		/* the VMA is VM_LOCKED */
	unsigned long mm_cookie;	/* identifies the mm within one command; never reported */
	/* tree only */
	unsigned int av;		/* anon: the anon_vma whose interval tree holds this AVC; KSM: the
					 * VMA's own anon_vma. An index into rs_walk_result.levels (anon)
					 * or a number within the reply (KSM); RS_AV_NONE if not shown */
	unsigned char own;		/* anon: av is the VMA's own anon_vma (vma->anon_vma) */
	unsigned long av_cookie;	/* KSM: identifies vma->anon_vma within one command; never reported */
};

struct rs_owner {
	unsigned int nr_pids;		/* all leaders using this mm; at most OWNER_PIDS are listed */
	int pids[RMAPSCOPE_OWNER_PIDS];
	char comm[16];
};

/*
 * One anon_vma shown by tree: first the chain from the folio's own (level 0) up to the root, at
 * most RS_TREE_LEVELS of them; then, with family=1, the other anon_vmas of the root's family.
 */
#define RS_TREE_LEVELS 16
#define RS_TREE_AVS 64
#define RS_AV_NONE 0xffffffffu
struct rs_anon_level {
	unsigned long num_children;	/* anon_vmas forked from this one */
	unsigned long num_active_vmas;	/* VMAs whose own anon_vma this is */
	int refcount;
	int is_root;
	unsigned long avcs;		/* anon_vma_chains in its interval tree */
	unsigned int parent;		/* index of its parent (the root: its own), RS_AV_NONE if not shown */
};

/* referenced and unmap: what the kernel call did (docs/debugfs.md). */
enum rs_action_kind { RS_ACTION_NONE, RS_ACTION_REFERENCED, RS_ACTION_UNMAP };

/* vm_flags bits reported by referenced, in this order. */
#define RS_VM_FLAGS(X)							\
	X(READ, "read") X(WRITE, "write") X(EXEC, "exec") X(SHARED, "shared")	\
	X(LOCKED, "locked") X(SEQ_READ, "seq_read") X(RAND_READ, "rand_read")	\
	X(HUGEPAGE, "hugepage") X(NOHUGEPAGE, "nohugepage") X(MERGEABLE, "mergeable")

/* try_to_unmap() flags rmapscope may pass. */
#define RS_TTU_FLAGS(X) X(SYNC, "sync") X(SPLIT_HUGE_PMD, "split_huge_pmd")

/* Side effects a referenced call had. */
#define RS_EFFECTS(X)							\
	X(LRU_ISOLATED, "lru_isolated") X(YOUNG_CLEARED, "young_cleared")	\
	X(IDLE_CLEARED, "idle_cleared") X(TLB_FLUSHED, "tlb_flushed")		\
	X(MGLRU_LOOK_AROUND, "mglru_look_around") X(MLOCK_RESTORED, "mlock_restored")

enum {
#define RS_BIT(name, text) RS_VMF_BIT_##name,
	RS_VM_FLAGS(RS_BIT)
#undef RS_BIT
};
enum {
#define RS_BIT(name, text) RS_TTU_BIT_##name,
	RS_TTU_FLAGS(RS_BIT)
#undef RS_BIT
};
enum {
#define RS_BIT(name, text) RS_EFF_BIT_##name,
	RS_EFFECTS(RS_BIT)
#undef RS_BIT
};
#define RS_VMF(name) (1UL << RS_VMF_BIT_##name)
#define RS_TTU(name) (1UL << RS_TTU_BIT_##name)
#define RS_EFF(name) (1UL << RS_EFF_BIT_##name)

struct rs_action_result {
	int kind;			/* enum rs_action_kind */
	/* referenced */
	int refs;			/* folio_referenced()'s return value, as is */
	unsigned long vm_flags;		/* RS_VMF() bits of the vm_flags it returned */
	unsigned long effects;		/* RS_EFF() bits */
	int mglru;			/* the folio sat on a multi-gen LRU list (look-around runs) */
	int arch_flushes_young;		/* ptep_clear_flush_young() flushes the TLB on this arch */
	/* unmap */
	int mapcount_before, mapcount_after;
	int unmapped;			/* !folio_mapped() afterwards */
	unsigned long ttu;		/* RS_TTU() bits passed */
	unsigned int gone;		/* mappings of the walk before that went */
};

enum rs_tree_kind { RS_TREE_NONE, RS_TREE_ANON, RS_TREE_FILE, RS_TREE_KSM };

struct rs_walk_result {
	struct rs_folio_info folio;
	const struct rs_map_record *recs;
	unsigned int nr_recs;		/* records kept (maps and skips) */
	unsigned long maps;		/* mappings found: the distinct ones kept, plus those past max */
	unsigned long vmas;		/* VMAs the rmap walk visited (rmap_one calls) */
	int truncated;			/* 1 when more was found than max= allowed to keep */
	unsigned long long ns;		/* duration of the walk */
	const struct rs_owner *owners;
	unsigned int nr_owners;
	int all_owners;			/* 1: every process using each mm; 0: its owner only */
	unsigned int shared_mms;	/* all_owners=0: mms shared with other processes (CLONE_VM) */
	/* tree only */
	int tree;			/* enum rs_tree_kind; RS_TREE_NONE for a walk */
	const struct rs_anon_level *levels;	/* nr_avs of them (the kernel's walk buffer holds them) */
	unsigned int nr_levels;		/* anon: the chain, levels[0 .. nr_levels) */
	unsigned int nr_avs;		/* anon: every anon_vma shown (chain and family); KSM: numbered */
	int family;			/* anon: family=1 was asked */
	int marked;			/* 1: a walk after the tree found which records map the folio
					 * (skip = 0); 0: rmap_walk cannot be called here */
	unsigned long tree_vmas;	/* file: VMAs in i_mmap */
	unsigned long mapping_pages;	/* file: the address_space's nrpages */
	struct rs_action_result action;	/* referenced and unmap only */
	const unsigned char *gone;	/* unmap: per record, 1 when that mapping went; else NULL */
};

/* Writes the walk's response; its length, or -RS_ENOSPC when buf is too small. */
long rs_core_format_walk(const struct rs_walk_result *res, int format, char *buf, __SIZE_TYPE__ cap);
/* Writes "error <ERRNO> <message>\n" (err is negative); its length. */
long rs_core_format_error(int err, const char *msg, char *buf, __SIZE_TYPE__ cap);
/* Bytes a response of nr_recs records may need, at most (the documented memory bound). */
__SIZE_TYPE__ rs_core_walk_response_bound(unsigned int nr_recs);
/* Bytes this response may need, from its records' real path lengths (at most the bound). */
__SIZE_TYPE__ rs_core_walk_response_size(const struct rs_walk_result *res, int format);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_WALK_REPORT_H */
