// SPDX-License-Identifier: GPL-2.0
/*
 * The walk: rmap_walk() with an rmap_one of our own, the way page_idle_clear_pte_refs() does it.
 *
 * - The caller holds a folio reference and the folio lock, whatever the folio: rmap_walk_file and
 *   rmap_walk_ksm require it, and since 7.x rmap_walk_anon and folio_lock_anon_vma_read do too
 *   (compat.h). It is checked here, not trusted: Debian kernels compile VM_BUG_ON out. Anon
 *   folios take their anon_vma lock through anon_lock = folio_lock_anon_vma_read, as
 *   folio_referenced() and page_idle do.
 * - rs_rmap_one runs under the anon_vma lock or i_mmap_rwsem, and page_vma_mapped_walk() holds
 *   the page-table lock while it returns true: no allocation and no sleep there. Records are
 *   preallocated; the only references taken are mmgrab()/get_file(), both atomic increments.
 * - rmap yields VMAs, not tasks. After the walk, each mm is mapped to its owner (mm->owner, O(1)),
 *   or with owners=all, by one scan of the tasks as collect_procs() does in mm/memory-failure.c,
 *   to every thread-group leader using it. The mmgrab() keeps each mm_struct from being freed
 *   and reused before then.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/page_idle.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "alloc.h"
#include "../core/os.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "folio.h"
#include "held.h"
#include "walk_internal.h"

struct rs_walk *rs_os_walk_new(unsigned int max, int all_owners)
{
	struct rs_walk *w = kzalloc(sizeof(*w), RS_GFP);

	if (!w)
		return NULL;
	w->max = max;
	w->all_owners = all_owners;
	w->ents = kvcalloc(max, sizeof(*w->ents), RS_GFP);
	w->recs = kvcalloc(max, sizeof(*w->recs), RS_GFP);
	if (!w->ents || !w->recs) {
		rs_os_walk_free(w);
		return NULL;
	}
	w->res.recs = w->recs;
	w->res.levels = w->levels;
	return w;
}

static void rs_entry_put(struct rs_walk_entry *e)
{
	rs_mmdrop(e->mm);
	if (e->file)
		rs_fput(e->file);
	kfree(e->path);
}

void rs_os_walk_free(struct rs_walk *w)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		rs_entry_put(&w->ents[i]);
	kvfree(w->ents);
	kvfree(w->recs);
	kvfree(w->uniq);
	kvfree(w->owners);
	kfree(w);
}

const struct rs_walk_result *rs_os_walk_result(const struct rs_walk *w)
{
	return &w->res;
}

static unsigned int rs_prot(const struct vm_area_struct *vma)
{
	unsigned int prot = 0;

	if (vma->vm_flags & VM_READ)
		prot |= RS_PROT_READ;
	if (vma->vm_flags & VM_WRITE)
		prot |= RS_PROT_WRITE;
	if (vma->vm_flags & VM_EXEC)
		prot |= RS_PROT_EXEC;
	/* As /proc/PID/maps' 's': a MAP_SHARED mapping, even of a file opened read-only. */
	if (vma->vm_flags & VM_MAYSHARE)
		prot |= RS_PROT_SHARED;
	return prot;
}

bool rs_walk_probe(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
		   struct rs_map_record *rec)
{
	/* As DEFINE_FOLIO_VMA_WALK; hugetlb folios never get here (policy refuses them). */
	RS_FOLIO_VMA_WALK(pvmw, folio, vma, addr, 0);
	bool found = false;

	rec->addr = addr;
	/* Never leave this loop early: while it returns true the PTL is held. */
	while (rs_call_page_vma_mapped_walk(&pvmw)) {
		if (!found)
			rec->addr = pvmw.address;
		found = true;
		if (pvmw.pte) {
			pte_t pte = ptep_get(pvmw.pte);

			rec->pages++;
			rec->young |= pte_young(pte);
			rec->dirty |= pte_dirty(pte);
			rec->write |= pte_write(pte);
		} else {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
			pmd_t pmd = rs_pmdp_get(pvmw.pmd);

			rec->level = RS_LEVEL_PMD;
			rec->pages += HPAGE_PMD_NR;
			rec->young |= pmd_young(pmd);
			rec->dirty |= pmd_dirty(pmd);
			rec->write |= pmd_write(pmd);
#endif
		}
	}
	return found;
}

static bool rs_rmap_one(struct folio *folio, struct vm_area_struct *vma, unsigned long addr,
			void *arg)
{
	struct rs_walk *w = arg;
	struct rs_map_record rec;

	rs_walk_vma_record(vma, &rec);
	w->res.vmas++;
	rec.skip = !rs_walk_probe(folio, vma, addr, &rec);
	rs_walk_add(w, vma, &rec);
	return true;
}

void rs_walk_add(struct rs_walk *w, struct vm_area_struct *vma, const struct rs_map_record *rec)
{
	if (w->nr == w->max) {
		w->res.truncated = 1;
		w->dropped_maps += !rec->skip;	/* still counted: maps= reports the total */
		return;
	}
	w->ents[w->nr].rec = *rec;
	w->ents[w->nr].rec.visits = 1;
	rs_mmgrab(vma->vm_mm);
	w->ents[w->nr].mm = vma->vm_mm;
	if (vma->vm_file)
		w->ents[w->nr].file = rs_get_file(vma->vm_file);
	w->nr++;
}

void rs_walk_vma_record(struct vm_area_struct *vma, struct rs_map_record *rec)
{
	*rec = (struct rs_map_record) {
		.vma_start = vma->vm_start,
		.vma_end = vma->vm_end,
		.pgoff = vma->vm_pgoff,
		.prot = rs_prot(vma),
		.mlock = !!(vma->vm_flags & VM_LOCKED),
		.mm_cookie = (unsigned long)vma->vm_mm,
		.av = RS_AV_NONE,
		.av_cookie = (unsigned long)READ_ONCE(vma->anon_vma),
	};
}

/*
 * The owners of every walk are found with a heapsort of plain mm pointers and a binary search,
 * not sort()/bsearch(), whose comparison callbacks are indirect calls on this hot path
 * (docs/performance.md). Merging KSM's repeated visits, which only KSM walks need, uses sort().
 */
static void rs_sift(struct mm_struct **a, unsigned int i, unsigned int n)
{
	for (;;) {
		unsigned int big = i, l = 2 * i + 1, r = l + 1;

		if (l < n && a[l] > a[big])
			big = l;
		if (r < n && a[r] > a[big])
			big = r;
		if (big == i)
			return;
		swap(a[i], a[big]);
		i = big;
	}
}

void rs_sort_mms(struct mm_struct **a, unsigned int n)
{
	unsigned int i;

	for (i = n / 2; i-- > 0;)
		rs_sift(a, i, n);
	for (i = n; i-- > 1;) {
		swap(a[0], a[i]);
		rs_sift(a, 0, i);
	}
}

/* Index of mm in the sorted a[0..n), or -1. */
int rs_find_mm(struct mm_struct *const *a, unsigned int n, const struct mm_struct *mm)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (a[mid] == mm)
			return mid;
		if (a[mid] < mm)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Orders visits by (mm, vma, address, skip), so repeated visits of one mapping are adjacent. */
static int rs_cmp_visit(const void *a, const void *b)
{
	const struct rs_walk_entry *x = a, *y = b;

	if (x->mm != y->mm)
		return (unsigned long)x->mm < (unsigned long)y->mm ? -1 : 1;
	if (x->rec.vma_start != y->rec.vma_start)
		return x->rec.vma_start < y->rec.vma_start ? -1 : 1;
	if (x->rec.addr != y->rec.addr)
		return x->rec.addr < y->rec.addr ? -1 : 1;
	return x->rec.skip - y->rec.skip;
}

/*
 * rmap_walk_ksm() visits a VMA forked from a KSM page's owner once through the child's own
 * rmap_item and again in its search_new_forks pass; the kernel's callers cut that short with
 * rwc->done. rmapscope reports every VMA the tree names, so it merges repeated visits of the
 * same mapping into one record and counts them in visits=.
 */
static void rs_merge_visits(struct rs_walk *w)
{
	unsigned int i, n = 0;

	/* Only rmap_walk_ksm() repeats a visit; anon and file walks meet each VMA once. */
	if (w->res.folio.kind != RS_KIND_KSM)
		return;

	sort(w->ents, w->nr, sizeof(*w->ents), rs_cmp_visit, NULL);
	for (i = 0; i < w->nr; i++) {
		struct rs_walk_entry *e = &w->ents[i];

		if (n && !rs_cmp_visit(&w->ents[n - 1], e)) {
			w->ents[n - 1].rec.visits++;
			rs_entry_put(e);
			continue;
		}
		w->ents[n++] = *e;
	}
	w->nr = n;
}

static void rs_owner_add(struct rs_owner *o, struct task_struct *leader)
{
	if (o->nr_pids < RMAPSCOPE_OWNER_PIDS)
		o->pids[o->nr_pids] = task_tgid_vnr(leader);
	if (o->nr_pids++ == 0)
		strscpy(o->comm, leader->comm, sizeof(o->comm));
}

/*
 * owners=all: one scan of the tasks, as collect_procs() does in mm/memory-failure.c: every
 * thread-group leader whose threads use one of the mms. O(threads on the machine).
 */
static void rs_owners_scan(struct mm_struct *const *mms, unsigned int n, struct rs_owner *owners)
{
	struct task_struct *p, *t;

	rcu_read_lock();
	for_each_process(p) {
		struct mm_struct *mm = NULL;
		int idx;

		if (p->flags & PF_KTHREAD)
			continue;
		/* The leader may have exited while its threads run on: ask every thread. */
		for_each_thread(p, t) {
			mm = READ_ONCE(t->mm);
			if (mm)
				break;
		}
		if (!mm)
			continue;
		idx = rs_find_mm(mms, n, mm);
		if (idx >= 0)
			rs_owner_add(&owners[idx], p);
	}
	rcu_read_unlock();
}

/*
 * The default: each mm's owner (compat.h), O(1) per mm. A process that shares the mm through
 * clone(CLONE_VM) is not listed; the return value counts the mms where that may have happened.
 */
static unsigned int rs_owners_of_mms(struct mm_struct *const *mms, unsigned int n,
				     struct rs_owner *owners)
{
	unsigned int i, shared = 0;

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		struct task_struct *t = rs_mm_owner_rcu(mms[i]);

		if (t && !(t->flags & PF_KTHREAD))
			rs_owner_add(&owners[i], t->group_leader);
		shared += rs_mm_multiprocess(mms[i]);
	}
	rcu_read_unlock();
	return shared;
}

int rs_resolve_mm_owners(struct mm_struct *const *mms, unsigned int n, struct rs_owner *owners,
			 int all, unsigned int *shared_mms)
{
	all = all || !RS_HAVE_MM_OWNER;
	*shared_mms = 0;
	if (all)
		rs_owners_scan(mms, n, owners);
	else
		*shared_mms = rs_owners_of_mms(mms, n, owners);
	return all;
}

/* The processes behind the walk's mms: see docs/debugfs.md, owners=. */
static int rs_resolve_owners(struct rs_walk *w)
{
	unsigned int i, n = w->nr, nu = 0;

	w->uniq = kvmalloc_array(n ? n : 1, sizeof(*w->uniq), RS_GFP);
	if (!w->uniq)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		w->uniq[i] = w->ents[i].mm;
	rs_sort_mms(w->uniq, n);
	for (i = 0; i < n; i++)
		if (nu == 0 || w->uniq[nu - 1] != w->uniq[i])
			w->uniq[nu++] = w->uniq[i];
	w->owners = kvcalloc(nu ? nu : 1, sizeof(*w->owners), RS_GFP);
	if (!w->owners)
		return -ENOMEM;

	w->res.all_owners = rs_resolve_mm_owners(w->uniq, nu, w->owners, w->all_owners,
						 &w->res.shared_mms);

	for (i = 0; i < n; i++)
		w->ents[i].rec.owner = rs_find_mm(w->uniq, nu, w->ents[i].mm);
	w->res.owners = w->owners;
	w->res.nr_owners = nu;
	return 0;
}

static void rs_resolve_paths(struct rs_walk *w)
{
	char *buf = kmalloc(PATH_MAX, RS_GFP);
	unsigned int i;

	if (!buf)
		return;	/* paths are reported as "-" */
	for (i = 0; i < w->nr; i++) {
		struct rs_walk_entry *e = &w->ents[i];
		char *p;

		if (!e->file)
			continue;
		p = d_path(&e->file->f_path, buf, PATH_MAX);
		if (IS_ERR(p))
			continue;
		e->path = kstrndup(p, RMAPSCOPE_PATH_MAX - 1, RS_GFP);
		e->rec.path = e->path;
	}
	kfree(buf);
}

/* The records in report order; maps= is the distinct mappings kept plus those found past max. */
static void rs_publish(struct rs_walk *w)
{
	unsigned int i;

	w->res.maps = w->dropped_maps;
	for (i = 0; i < w->nr; i++) {
		w->recs[i] = w->ents[i].rec;
		w->res.maps += !w->recs[i].skip;
	}
	w->res.nr_recs = w->nr;
}

int rs_walk_callable(char *msg, size_t cap)
{
	if (!rs_callable(RS_SYM_rmap_walk) || !rs_callable(RS_SYM_page_vma_mapped_walk)) {
		snprintf(msg, cap, "rmap_walk cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	return 0;
}

int rs_walk_folio(struct folio *folio, rs_rmap_one_t one, void *arg)
{
	struct rmap_walk_control rwc = {
		.rmap_one = one,
		.arg = arg,
	};

	if (folio_test_anon(folio) && !folio_test_ksm(folio)) {
		if (!rs_callable(RS_SYM_folio_lock_anon_vma_read))
			return -EOPNOTSUPP;
		rwc.anon_lock = rs_syms.folio_lock_anon_vma_read;
	}
	/* As page_idle does: nothing to walk for an unmapped folio or one without a mapping. */
	if (folio_mapped(folio) && rs_folio_has_rmap(folio))
		rs_call_rmap_walk(folio, &rwc);
	return 0;
}

int rs_os_walk_run(struct rs_walk *w, struct rs_folio *f, char *msg, size_t cap)
{
	struct folio *folio = f->folio;
	u64 start;
	int ret = rs_walk_callable(msg, cap);

	if (ret)
		return ret;
	if (WARN_ON_ONCE(!folio_test_locked(folio))) {
		snprintf(msg, cap, "internal error: folio not locked");
		return -EINVAL;
	}

	if (folio_test_anon(folio) && !folio_test_ksm(folio) &&
	    !rs_callable(RS_SYM_folio_lock_anon_vma_read)) {
		snprintf(msg, cap, "folio_lock_anon_vma_read cannot be used as anon_lock here (see version)");
		return -EOPNOTSUPP;
	}

	rs_os_folio_describe(f, &w->res.folio);
	start = ktime_get_ns();
	rs_walk_folio(folio, rs_rmap_one, w);
	w->res.ns = ktime_get_ns() - start;

	return rs_walk_finish(w, msg, cap);
}

int rs_walk_finish(struct rs_walk *w, char *msg, size_t cap)
{
	rs_merge_visits(w);
	if (rs_resolve_owners(w)) {
		snprintf(msg, cap, "out of memory");
		return -ENOMEM;
	}
	rs_resolve_paths(w);
	rs_publish(w);
	return 0;
}
