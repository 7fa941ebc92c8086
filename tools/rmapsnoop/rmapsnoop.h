/* SPDX-License-Identifier: GPL-2.0 */
/* What rmapsnoop.bpf.c sends to the loader: one record per reverse-map walk. */
#ifndef RMAPSNOOP_H
#define RMAPSNOOP_H

#define RMAPSNOOP_STACK_DEPTH 12
#define RMAPSNOOP_COMM_LEN 16

/* The outermost traced function of a walk. */
enum rmapsnoop_fn {
	RMAPSNOOP_FN_RMAP_WALK = 1,
	RMAPSNOOP_FN_RMAP_WALK_LOCKED,
	RMAPSNOOP_FN_FOLIO_REFERENCED,
	RMAPSNOOP_FN_TRY_TO_UNMAP,
};

/* What a walk's exit probe reads from the traced function's return. */
enum rmapsnoop_ret {
	RMAPSNOOP_RET_NONE,		/* rmap_walk, rmap_walk_locked: void */
	RMAPSNOOP_RET_REFERENCES,	/* folio_referenced(): the references found */
	RMAPSNOOP_RET_UNMAPPED,		/* try_to_unmap(): void; whether the folio is still mapped */
};

enum rmapsnoop_kind { RMAPSNOOP_KIND_FILE, RMAPSNOOP_KIND_ANON, RMAPSNOOP_KIND_MOVABLE, RMAPSNOOP_KIND_KSM };

struct rmapsnoop_event {
	unsigned long long start_ns, duration_ns;
	unsigned long long folio;		/* kernel address, for grouping only */
	unsigned long long pfn;
	unsigned int pid, tgid;
	unsigned int fn;			/* enum rmapsnoop_fn */
	unsigned int kind;			/* enum rmapsnoop_kind */
	unsigned int nr_pages;
	unsigned int rmap_one;			/* rmap_one callbacks (VMAs visited) */
	unsigned int pvmw;			/* page_vma_mapped_walk() calls */
	int result;				/* folio_referenced(): references; try_to_unmap(): 1 if unmapped */
	int has_result;
	int nr_ips;
	unsigned int stack_reused;		/* 1: ips copied from this thread's previous walk (see stack_cache.h) */
	unsigned int exit_lost;			/* 1: the walk's return was never seen (a missed kretprobe) */
	char comm[RMAPSNOOP_COMM_LEN];
	unsigned long long ips[RMAPSNOOP_STACK_DEPTH];
};

#endif
