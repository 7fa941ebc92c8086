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
 *   one record per rmap_item visit (the walk), with each VMA's anon_vma numbered.
 * - family=1 (anon): every AVC of every VMA of the root's family, not only the folio's own
 *   anon_vma's: the whole picture of anon_vmas, AVCs and VMAs (rs_tree_family).
 * - Which VMAs of the tree map the folio (mapped=) is found by a walk of its own after the tree's
 *   lock is dropped, under the same folio lock, matched to the records by mm and VMA start.
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

/* The index of anon_vma a in w->avs, added if new; RS_AV_NONE (and truncated) when full. */
static unsigned int rs_av_index(struct rs_walk *w, const void *a, bool add)
{
	unsigned int i;

	for (i = 0; i < w->res.nr_avs; i++)
		if (w->avs[i] == a)
			return i;
	if (!add)
		return RS_AV_NONE;
	if (i == RS_TREE_AVS) {
		w->res.truncated = 1;
		return RS_AV_NONE;
	}
	w->avs[i] = a;
	w->res.nr_avs++;
	return i;
}

/* One AVC: vma in the interval tree of anon_vma a (shown as levels[av]). */
static void rs_tree_avc(struct rs_walk *w, struct vm_area_struct *vma, struct anon_vma *a, unsigned int av)
{
	struct rs_map_record rec;

	rs_walk_vma_record(vma, &rec);
	rec.skip = 1;		/* until the walk after the tree finds an entry mapping the folio */
	rec.av = av;
	rec.own = READ_ONCE(vma->anon_vma) == a;
	rs_walk_add(w, vma, &rec);
}

/*
 * family: every VMA of the family is in the root's interval tree (each VMA's anon_vma_chain holds
 * an AVC of every anon_vma it descends from, the root's included), and each VMA's chain names the
 * anon_vmas it is linked to. Both are stable under the root's rwsem: AVCs enter and leave the
 * interval trees only under it (write), and a VMA's anon_vma_chain list is complete before its
 * AVCs are inserted (anon_vma_clone) and emptied only after they are removed (unlink_anon_vmas).
 * Each anon_vma so found has a non-empty tree and so stays alive; so does its parent, which is
 * on the same VMA's chain.
 */
static void rs_tree_family(struct rs_walk *w, struct anon_vma *root)
{
	struct rb_node *node;

	for (node = rb_first_cached(&root->rb_root); node; node = rb_next(node)) {
		struct vm_area_struct *vma = rb_entry(node, struct anon_vma_chain, rb)->vma;
		struct anon_vma_chain *avc;

		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma) {
			unsigned int av = rs_av_index(w, avc->anon_vma, true);

			if (av != RS_AV_NONE)
				rs_tree_avc(w, vma, avc->anon_vma, av);
		}
	}
}

static int rs_tree_anon(struct rs_walk *w, struct folio *folio, int family, char *msg, size_t cap)
{
	struct anon_vma *av, *a;
	struct rb_node *node;
	unsigned int i;

	if (!rs_callable(RS_SYM_folio_lock_anon_vma_read)) {
		snprintf(msg, cap, "folio_lock_anon_vma_read cannot be called safely here (see version)");
		return -EOPNOTSUPP;
	}
	av = rs_syms.folio_lock_anon_vma_read(folio, NULL);
	if (!av)
		return 0;	/* not mapped: no anon_vma to show */
	/* The chain: levels[i] is level i, the folio's own anon_vma first. */
	for (a = av; w->res.nr_levels < RS_TREE_LEVELS; a = a->parent) {
		rs_av_index(w, a, true);
		w->res.nr_levels++;
		if (a == a->root)
			break;
	}
	if (family) {
		rs_tree_family(w, av->root);
	} else {
		/* Only the folio's own anon_vma lists its VMAs. */
		for (node = rb_first_cached(&av->rb_root); node; node = rb_next(node))
			rs_tree_avc(w, rb_entry(node, struct anon_vma_chain, rb)->vma, av, 0);
	}
	for (i = 0; i < w->res.nr_avs; i++) {
		struct rs_anon_level *l = &w->levels[i];

		a = (struct anon_vma *)w->avs[i];
		l->num_children = a->num_children;
		l->num_active_vmas = a->num_active_vmas;
		l->refcount = atomic_read(&a->refcount);
		l->is_root = a == a->root;
		l->parent = l->is_root ? i : rs_av_index(w, a->parent, false);
		for (node = rb_first_cached(&a->rb_root); node; node = rb_next(node))
			l->avcs++;
	}
	rs_anon_vma_unlock_read(av);
	return 0;
}

static void rs_tree_file(struct rs_walk *w, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	struct rb_node *node;

	if (!mapping)
		return;	/* truncated meanwhile */
	w->res.mapping_pages = READ_ONCE(mapping->nrpages);
	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node; node = rb_next(node)) {
		struct vm_area_struct *vma = rb_entry(node, struct vm_area_struct, shared.rb);
		struct rs_map_record rec;

		w->res.tree_vmas++;
		rs_walk_vma_record(vma, &rec);
		rec.skip = 1;	/* until the walk after the tree finds an entry mapping the folio */
		rs_walk_add(w, vma, &rec);
	}
	i_mmap_unlock_read(mapping);
}

/* rmap_one of the walk after the tree: marks every record of this VMA that maps the folio. */
static bool rs_tree_mark_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			     void *arg)
{
	struct rs_walk *w = arg;
	struct rs_map_record probe = { 0 };
	unsigned int i;

	w->res.vmas++;
	if (!rs_walk_probe(folio, vma, addr, &probe))
		return true;
	for (i = 0; i < w->nr; i++) {
		struct rs_map_record *rec = &w->ents[i].rec;

		if (w->ents[i].mm != vma->vm_mm || rec->vma_start != vma->vm_start)
			continue;
		rec->skip = 0;
		rec->addr = probe.addr;
		rec->level = probe.level;
		rec->pages = probe.pages;
		rec->young = probe.young;
		rec->dirty = probe.dirty;
		rec->write = probe.write;
	}
	return true;
}

/* KSM: the rmap items' VMAs' anon_vmas, numbered within the published reply (never dereferenced). */
static void rs_tree_number_ksm(struct rs_walk *w)
{
	unsigned int i;

	for (i = 0; i < w->res.nr_recs; i++)
		w->recs[i].av = w->recs[i].av_cookie ?
			rs_av_index(w, (const void *)w->recs[i].av_cookie, true) : RS_AV_NONE;
}

int rs_os_tree_run(struct rs_walk *w, struct rs_folio *f, int family, char *msg, size_t cap)
{
	struct folio *folio = f->folio;
	int ret;

	/* folio->mapping stays put, and rmap_walk_ksm and 7.x's anon_lock need it (walk.c). */
	if (WARN_ON_ONCE(!folio_test_locked(folio))) {
		snprintf(msg, cap, "internal error: folio not locked");
		return -EINVAL;
	}
	w->res.family = family && folio_test_anon(folio) && !folio_test_ksm(folio);
	if (folio_test_ksm(folio)) {
		w->res.tree = RS_TREE_KSM;
		ret = rs_os_walk_run(w, f, msg, cap);
		if (ret)
			return ret;
		rs_tree_number_ksm(w);
		w->res.marked = 1;
		return 0;
	}
	rs_os_folio_describe(f, &w->res.folio);
	if (folio_test_anon(folio)) {
		w->res.tree = RS_TREE_ANON;
		ret = rs_tree_anon(w, folio, w->res.family, msg, cap);
		if (ret)
			return ret;
	} else {
		w->res.tree = RS_TREE_FILE;
		rs_tree_file(w, folio);
	}
	/*
	 * Which of these VMAs map the folio: a walk of its own, after the tree's lock is dropped (rmap
	 * takes it again), under the same folio lock. Without a callable rmap_walk, marked=0.
	 */
	if (!rs_walk_callable(msg, cap) && !rs_walk_folio(folio, rs_tree_mark_one, w))
		w->res.marked = 1;
	msg[0] = '\0';
	return rs_walk_finish(w, msg, cap);
}
