/* SPDX-License-Identifier: GPL-2.0 */
/* What walk.c and tree.c share: the walk buffer and how records enter and leave it. */
#ifndef RMAPSCOPE_WALK_INTERNAL_H
#define RMAPSCOPE_WALK_INTERNAL_H

#include <linux/mm_types.h>

#include "../core/walk_report.h"

/* One record, with the references it took. */
struct rs_walk_entry {
	struct rs_map_record rec;
	struct mm_struct *mm;		/* mmgrab()ed */
	struct file *file;		/* get_file()d, or NULL */
	char *path;			/* kmalloc()ed, or NULL */
};

struct rs_walk {
	unsigned int max;
	int all_owners;			/* owners=all: scan the tasks */
	unsigned int nr;		/* entries filled */
	unsigned long dropped_maps;	/* mappings found after the buffer was full */
	struct rs_walk_entry *ents;
	struct rs_map_record *recs;	/* the result, in report order */
	struct mm_struct **uniq;	/* the distinct mms, sorted */
	struct rs_owner *owners;	/* parallel to uniq */
	struct rs_walk_result res;
	struct rs_anon_level levels[RS_TREE_AVS];	/* tree: res.levels points here */
	const void *avs[RS_TREE_AVS];	/* tree: the anon_vma of each levels[] (identity only) */
};

/*
 * page_vma_mapped_walk() of one VMA at addr, as rmap_one does it: fills rec's addr, level, pages,
 * young, dirty and write; true if an entry there maps the folio. Under the rmap lock.
 */
bool rs_walk_probe(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
		   struct rs_map_record *rec);
/* The VMA's part of a record. */
void rs_walk_vma_record(struct vm_area_struct *vma, struct rs_map_record *rec);
/*
 * Keeps a record for vma, or counts it as truncated when the buffer is full. Takes only atomic
 * references (mmgrab, get_file): callable under rmap and page-table locks.
 */
void rs_walk_add(struct rs_walk *w, struct vm_area_struct *vma, const struct rs_map_record *rec);
/* With every rmap lock dropped: merge repeats, resolve owners and paths, publish the records. */
int rs_walk_finish(struct rs_walk *w, char *msg, size_t cap);

/* 0 if rmap_walk() and page_vma_mapped_walk() can be called here; else -EOPNOTSUPP and why. */
int rs_walk_callable(char *msg, size_t cap);
typedef bool (*rs_rmap_one_t)(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			      void *arg);
/*
 * rmap_walk() of a locked folio with one as rmap_one, anon folios through
 * folio_lock_anon_vma_read() as folio_referenced() does; nothing for an unmapped folio.
 * -EOPNOTSUPP for an anon folio where folio_lock_anon_vma_read cannot be called.
 */
int rs_walk_folio(struct folio *folio, rs_rmap_one_t one, void *arg);

/* Heapsort of mm pointers, and the index of mm in such a sorted array (or -1). */
void rs_sort_mms(struct mm_struct **a, unsigned int n);
int rs_find_mm(struct mm_struct *const *a, unsigned int n, const struct mm_struct *mm);
/*
 * The processes of n sorted mms (each held by mmgrab()), into owners[] (zeroed by the caller):
 * each mm's owner, or with all (or without CONFIG_MEMCG) every process using it. Returns whether
 * every process was looked for; *shared_mms counts, for the owner way, the mms ever shared
 * with another process.
 */
int rs_resolve_mm_owners(struct mm_struct *const *mms, unsigned int n, struct rs_owner *owners,
			 int all, unsigned int *shared_mms);

#endif /* RMAPSCOPE_WALK_INTERNAL_H */
