// SPDX-License-Identifier: GPL-2.0
/*
 * tree: the reverse-map structure behind a folio, read under the same locks rmap takes.
 *
 * - anon: folio_lock_anon_vma_read() (rmap's own anon_lock) read-locks the root's rwsem, which
 *   every anon_vma of the family shares; under it the parent chain up to the root (whose parent
 *   is itself) and the AVCs of each interval tree are stable. rs_anon_vma_unlock_read() drops it
 *   (compat.h: the helper went internal in 7.0).
 *   Why the ancestors stay alive: every anon_vma's parent is of the same family (same root), and
 *   no anon_vma of a family is freed while its root's rwsem is held: unlink_anon_vmas() unlinks
 *   AVCs under the root's rwsem (write), and anon_vma_free() takes that rwsem for write before
 *   it frees (mm/rmap.c), so it waits for this reader. The VMAs an AVC names stay for the same
 *   reason: an AVC leaves its interval tree only under that write lock.
 *   folio_lock_anon_vma_read() is called through the pointer the call layer resolved and
 *   classified, not through rs_call_*: it is the kernel's own anon_lock callback, address-taken
 *   and so never sealed (an ENDBR landing pad), and rs_callable() refuses it where it would not
 *   be safe, exactly as for the walk that hands it to rmap_walk().
 * - file and shmem: the caller holds the folio lock, so folio->mapping is stable; the VMAs of
 *   i_mmap are read under i_mmap_lock_read(), the lock order being folio lock, then i_mmap_rwsem.
 * - KSM: the stable node is private to mm/ksm.c; the tree is what rmap_walk_ksm() enumerates,
 *   one record per rmap_item visit (the walk).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/rmap.h>

#include "../core/os.h"
#include "call.h"
#include "compat.h"
#include "folio.h"
#include "walk_internal.h"

int rs_os_walk_run(struct rs_walk *w, struct rs_folio *f, char *msg, size_t cap);

static int rs_tree_anon(struct rs_walk *w, struct folio *folio, char *msg, size_t cap)
{
	struct anon_vma *av, *a;
	unsigned int lvl = 0;

	if (!rs_callable(RS_SYM_folio_lock_anon_vma_read)) {
		snprintf(msg, cap, "folio_lock_anon_vma_read cannot be called safely here (see version)");
		return -EOPNOTSUPP;
	}
	av = rs_syms.folio_lock_anon_vma_read(folio, NULL);
	if (!av)
		return 0;	/* not mapped: no anon_vma to show */
	for (a = av; lvl < RS_TREE_LEVELS; a = a->parent) {
		struct rs_anon_level *l = &w->res.levels[lvl++];
		struct rb_node *node;

		l->num_children = a->num_children;
		l->num_active_vmas = a->num_active_vmas;
		l->refcount = atomic_read(&a->refcount);
		l->is_root = a == a->root;
		for (node = rb_first_cached(&a->rb_root); node; node = rb_next(node)) {
			struct anon_vma_chain *avc = rb_entry(node, struct anon_vma_chain, rb);
			struct rs_map_record rec;

			l->avcs++;
			if (a != av)
				continue;	/* only the folio's own anon_vma lists its VMAs */
			rs_walk_vma_record(avc->vma, &rec);
			rs_walk_add(w, avc->vma, &rec);
		}
		if (l->is_root)
			break;
	}
	w->res.nr_levels = lvl;
	rs_anon_vma_unlock_read(av);
	return 0;
}

static void rs_tree_file(struct rs_walk *w, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	struct rb_node *node;

	if (!mapping)
		return;	/* truncated meanwhile */
	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node; node = rb_next(node)) {
		struct vm_area_struct *vma = rb_entry(node, struct vm_area_struct, shared.rb);
		struct rs_map_record rec;

		w->res.tree_vmas++;
		rs_walk_vma_record(vma, &rec);
		rs_walk_add(w, vma, &rec);
	}
	i_mmap_unlock_read(mapping);
}

int rs_os_tree_run(struct rs_walk *w, struct rs_folio *f, char *msg, size_t cap)
{
	struct folio *folio = f->folio;
	int ret;

	/* folio->mapping stays put, and rmap_walk_ksm and 7.x's anon_lock need it (walk.c). */
	if (WARN_ON_ONCE(!folio_test_locked(folio))) {
		snprintf(msg, cap, "internal error: folio not locked");
		return -EINVAL;
	}
	if (folio_test_ksm(folio)) {
		ret = rs_os_walk_run(w, f, msg, cap);
		w->res.tree = RS_TREE_KSM;
		return ret;
	}
	rs_os_folio_describe(f, &w->res.folio);
	if (folio_test_anon(folio)) {
		w->res.tree = RS_TREE_ANON;
		ret = rs_tree_anon(w, folio, msg, cap);
		if (ret)
			return ret;
	} else {
		w->res.tree = RS_TREE_FILE;
		rs_tree_file(w, folio);
	}
	return rs_walk_finish(w, msg, cap);
}
