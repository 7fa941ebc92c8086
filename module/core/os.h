/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C ABI through which the C++ core reaches the kernel. module/kernel/ implements it for the
 * module, each entry point in the file named after its job (see the comment above each group);
 * tests/host/fake_os.cpp implements it for the host tests. Only builtin types appear
 * here: the core never sees a kernel header or a kernel struct.
 */
#ifndef RMAPSCOPE_CORE_OS_H
#define RMAPSCOPE_CORE_OS_H

#ifdef __cplusplus
extern "C" {
#endif

/* runtime.c. Sleeping allocation (GFP_KERNEL in the module). Never call it where the kernel may not sleep. */
void *rs_os_alloc(__SIZE_TYPE__ size);
void rs_os_free(void *ptr);

/* One line to the kernel log, prefixed "rmapscope: " (pr_err when error != 0, else pr_info). */
void rs_os_log(int error, const char *msg);

/* Large allocations (kvmalloc/kvfree): the walk's record arrays. Sleeping. */
void *rs_os_valloc(__SIZE_TYPE__ size);
void rs_os_vfree(void *ptr);

/*
 * The same for a command's fixed-size tables (share's peers, phys's owners and sets): kept a while
 * after they are freed, for the next command that asks for the same size (module/kernel/scratch.c).
 * Sleeping. Freed only by rs_os_scratch_free().
 */
void *rs_os_scratch(__SIZE_TYPE__ size);
void rs_os_scratch_free(void *ptr);

/* runtime.c. The kernel's PAGE_SIZE: the core never assumes 4 KiB pages. */
unsigned long rs_os_page_size(void);

/* Every failure below returns -errno and writes why into msg: at most RS_MSG_MAX bytes. */
#define RS_MSG_MAX 160

/*
 * target.c (resolution) and folio.c (the rest). A struct rs_folio is an opaque handle on a folio the kernel side holds a reference
 * to; rs_os_folio_put() drops it. Failures return -errno and write a message into msg.
 */
struct rs_folio;
struct rs_folio_info;
int rs_os_target_pid_addr(int pid, unsigned long addr, struct rs_folio **out, char *msg,
			  __SIZE_TYPE__ msgcap);
int rs_os_target_pfn(unsigned long pfn, struct rs_folio **out, char *msg, __SIZE_TYPE__ msgcap);
void rs_os_folio_put(struct rs_folio *folio);
void rs_os_folio_describe(struct rs_folio *folio, struct rs_folio_info *info);
/* The folio lock: 0, or -RS_EINTR when a fatal signal interrupted the wait. */
int rs_os_folio_lock_killable(struct rs_folio *folio);
void rs_os_folio_unlock(struct rs_folio *folio);

/*
 * folio.c. LRU isolation around folio_referenced(), as reclaim does. 0, or -RS_EBUSY when the folio is on
 * no LRU list even after the per-CPU batches were drained (isolated by someone else right now),
 * or -RS_EOPNOTSUPP when the kernel's functions cannot be called. rs_os_folio_putback() puts an
 * isolated folio back and drains this CPU's batch so the folio is on its list again at once.
 */
int rs_os_folio_isolate(struct rs_folio *folio, char *msg, __SIZE_TYPE__ msgcap);
void rs_os_folio_putback(struct rs_folio *folio);

/*
 * referenced.c and unmap.c. The kernel calls of referenced and unmap, on a folio the caller has locked (and, for
 * referenced, isolated). They fill the kernel's part of act. The kernel side re-checks the
 * safety rules itself and refuses with -RS_EPERM/-RS_EOPNOTSUPP whatever the core decided.
 */
struct rs_action_result;
int rs_os_folio_referenced(struct rs_folio *folio, struct rs_action_result *act, char *msg,
			   __SIZE_TYPE__ msgcap);
int rs_os_folio_unmap(struct rs_folio *folio, struct rs_action_result *act, char *msg,
		      __SIZE_TYPE__ msgcap);

/*
 * range.c. referenced pid= start= end=: folio_referenced() on every present page's folio in the range,
 * filling res (its detail array, if any, preallocated by the caller with detail_cap entries).
 */
struct rs_range_result;
int rs_os_range_referenced(int pid, unsigned long start, unsigned long end,
			   struct rs_range_result *res, char *msg, __SIZE_TYPE__ msgcap);

/*
 * share.c. share pid= [start= end=] (start = end = 0: the whole address space) [method=]:
 * res->peers is preallocated by the caller with res->peers_cap entries.
 */
struct rs_share_result;
int rs_os_share(int pid, unsigned long start, unsigned long end, int all_owners, int method,
		struct rs_share_result *res, char *msg, __SIZE_TYPE__ msgcap);

/*
 * phys.c. phys start_pfn= end_pfn= (end_pfn 0: the end of RAM) [referenced=1]: res->owners and
 * res->files are preallocated by the caller (owners_cap, files_cap entries).
 */
struct rs_phys_result;
int rs_os_phys(unsigned long start_pfn, unsigned long end_pfn, int referenced, int all_owners,
	       int method, struct rs_phys_result *res, char *msg, __SIZE_TYPE__ msgcap);

/*
 * walk.c (tree.c: rs_os_tree_run). The walk. rs_os_walk_new() preallocates room for max records, so nothing is allocated while
 * the kernel holds rmap and page-table locks. rs_os_walk_run() walks the folio (locked by the
 * caller where rmap needs it) and then resolves owners and paths; rs_os_walk_free() drops every
 * reference the walk took.
 */
struct rs_walk;
struct rs_walk_result;
/* all_owners: name every process using each mm (a scan of all tasks), not just its owner. */
struct rs_walk *rs_os_walk_new(unsigned int max, int all_owners);
int rs_os_walk_run(struct rs_walk *walk, struct rs_folio *folio, char *msg, __SIZE_TYPE__ msgcap);
/*
 * The structure behind the folio instead of its mappings: the tree command (same buffer). With
 * family, an anon folio's tree is every AVC of the root's family, not its own anon_vma's only.
 */
int rs_os_tree_run(struct rs_walk *walk, struct rs_folio *folio, int family, char *msg, __SIZE_TYPE__ msgcap);
const struct rs_walk_result *rs_os_walk_result(const struct rs_walk *walk);
void rs_os_walk_free(struct rs_walk *walk);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_OS_H */
