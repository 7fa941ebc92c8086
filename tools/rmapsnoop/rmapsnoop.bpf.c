// SPDX-License-Identifier: GPL-2.0
/*
 * rmapsnoop: the kernel's own reverse-map walks, one record each.
 *
 * A walk opens at the outermost traced function on a thread (folio_referenced, try_to_unmap,
 * rmap_walk or rmap_walk_locked) and closes when that function returns. In between, every call
 * of a known rmap_one callback on the same thread counts a VMA visited, and every
 * page_vma_mapped_walk() call an entry check. Each handler exists twice: as fentry/fexit (BTF
 * trampolines) and as kprobe/kretprobe; the loader autoloads one of the two per function.
 */
#include "kernel_types.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rmap_ones.h"
#include "rmapsnoop.h"
#include "stack_cache.h"

char LICENSE[] SEC("license") = "GPL";

/* Filled in by the loader before load. */
const volatile unsigned int target_tgid = 0;
/*
 * Where a kretprobe (rethook) redirects a probed function's return: the return-address slot a
 * kprobe sees at entry may hold this instead (see walk_enter()).
 */
const volatile unsigned long long ret_trampoline = 0;
/* The loader itself: its own walks (PFN calibration, pfn.hpp) always pass, and it drops them. */
const volatile unsigned int self_tgid = 0;
const volatile unsigned long long vmemmap_fallback = 0xffffea0000000000ULL;
/* 0 skips the caller's stack, and so the reason. */
const volatile unsigned int want_stack = 1;

/* x86-64 with a randomized memory layout keeps the struct page array's base here. */
extern const void vmemmap_base __ksym __weak;

/* A thread's open walk (depth 0 means none), and per walk function the last stack it unwound. */
struct walk {
	struct rmapsnoop_event ev;
	unsigned int depth;
	unsigned long long base;	/* the open walk's entry frame */
	unsigned long long canary;	/* the word there at entry (fentry: the folio argument) */
	struct stack_cache cache[4];	/* by enum rmapsnoop_fn - 1: reclaim alternates two */
};

/*
 * Per-thread state in task storage: a lookup is a pointer chase from current, where a hash map
 * keyed by tid cost a hash and a bucket walk at every one of a walk's 5-7 probes, and an update
 * plus a delete per walk. The storage stays with the task (freed when it exits).
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct walk);
} walks SEC(".maps");

static __always_inline struct walk *this_walk(u64 flags)
{
	return bpf_task_storage_get(&walks, bpf_get_current_task_btf(), 0, flags);
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* x86-64 only; elsewhere 0, and the loader measures the struct page array (pfn.hpp). */
static __always_inline unsigned long long folio_pfn_of(struct folio *folio)
{
#if defined(__TARGET_ARCH_x86)
	unsigned long long base = vmemmap_fallback;

	if (&vmemmap_base)
		bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base);
	return ((unsigned long long)folio - base) / bpf_core_type_size(struct page);
#else
	return 0;
#endif
}

/* The folio's flags word: a plain unsigned long until 6.x, memdesc_flags_t.f in 7.x. */
static __always_inline unsigned long folio_flags(struct folio *folio)
{
	if (bpf_core_type_exists(memdesc_flags_t))
		return BPF_CORE_READ((struct folio___memdesc *)folio, flags.f);
	return BPF_CORE_READ(folio, flags);
}

static __always_inline bool folio_is_large(struct folio *folio)
{
	return folio_flags(folio) & (1UL << bpf_core_enum_value(enum pageflags, PG_head));
}

static __always_inline unsigned int folio_nr_pages_of(struct folio *folio)
{
	unsigned int order;

	if (!folio_is_large(folio))
		return 1;
	if (bpf_core_field_exists(folio->_folio_order))
		order = BPF_CORE_READ(folio, _folio_order);
	else
		order = BPF_CORE_READ(folio, _flags_1) & 0xff;
	return order < 31 ? 1U << order : 0;
}

/*
 * 1 when the folio is still mapped, 0 when not, -1 when this kernel's layout does not say
 * cheaply (6.1 keeps a large folio's per-page mapcounts in each page: not read here).
 */
static __always_inline int folio_mapped_now(struct folio *folio)
{
	if (!folio_is_large(folio))
		return BPF_CORE_READ(folio, _mapcount.counter) >= 0;
	if (bpf_core_field_exists(folio->_large_mapcount))
		return BPF_CORE_READ(folio, _large_mapcount.counter) >= 0;
	if (bpf_core_field_exists(folio->_total_mapcount) && BPF_CORE_READ(folio, _total_mapcount.counter) >= 0)
		return 1;
	return -1;
}

/* An open walk older than this cannot still be running: its exit was missed (see walk_enter()). */
#define STALE_WALK_NS (10ULL * 1000 * 1000 * 1000)

static __always_inline void submit(const struct rmapsnoop_event *w)
{
	struct rmapsnoop_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev)
		return;
	__builtin_memcpy(ev, w, sizeof(*ev));
	ev->duration_ns = bpf_ktime_get_ns() - ev->start_ns;
	/* No wakeup per walk: the loader polls every 100 ms (a wakeup per walk cost more than the walk). */
	bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
}

/*
 * base: where the traced function's caller frames start (fentry: ctx; kprobe: the entry sp), and
 * caller_max how far above it the function's return address may sit (see record_stack()).
 */
static __always_inline int walk_enter(void *ctx, void *base, unsigned int caller_max, struct folio *folio,
				      unsigned int fn)
{
	u64 id = bpf_get_current_pid_tgid();
	struct walk *w;
	unsigned long mapping;

	if (target_tgid && (id >> 32) != target_tgid && (id >> 32) != self_tgid)
		return 0;
	/* NULL when out of memory, or on 6.1 when task storage is busy on this CPU: walk not seen. */
	w = this_walk(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!w)
		return 0;
	if (w->depth) {
		/*
		 * Inside a walk, a walk function called again is nested: the open walk's entry frame
		 * is still on the stack above it, holding the word it held at entry, and it came
		 * soon. Anything else means the open walk's exit probe never ran (a kretprobe out of
		 * instances under heavy reclaim): report that walk as such and start over, or every
		 * later walk of this thread would count as nested for good. (Frame addresses alone
		 * cannot tell: the kernel randomizes the stack offset at every system call.)
		 */
		unsigned long long there = 0;

		if (as_number(base) < w->base && !bpf_probe_read_kernel(&there, sizeof(there), (void *)w->base) &&
		    (there == w->canary || (ret_trampoline && there == ret_trampoline)) &&
		    bpf_ktime_get_ns() - w->ev.start_ns < STALE_WALK_NS) {
			w->depth++;
			return 0;
		}
		w->ev.exit_lost = 1;
		submit(&w->ev);
	}
	__builtin_memset(&w->ev, 0, sizeof(w->ev));
	w->depth = 1;
	w->base = as_number(base);
	w->canary = 0;
	bpf_probe_read_kernel(&w->canary, sizeof(w->canary), base);
	w->ev.start_ns = bpf_ktime_get_ns();
	w->ev.pid = (u32)id;
	w->ev.tgid = id >> 32;
	w->ev.fn = fn;
	w->ev.folio = (unsigned long long)folio;
	w->ev.pfn = folio_pfn_of(folio);
	mapping = (unsigned long)BPF_CORE_READ(folio, mapping);
	w->ev.kind = mapping & 3;
	w->ev.nr_pages = folio_nr_pages_of(folio);
	bpf_get_current_comm(w->ev.comm, sizeof(w->ev.comm));
	if (want_stack)
		record_stack(ctx, base, caller_max, fn, &w->ev, &w->cache[(fn - 1) & 3]);
	return 0;
}

static __always_inline int walk_exit(long ret, enum rmapsnoop_ret ret_kind)
{
	struct walk *w = this_walk(0);

	if (!w || !w->depth)
		return 0;
	if (ret_kind == RMAPSNOOP_RET_REFERENCES) {
		w->ev.result = (int)ret;
		w->ev.has_result = 1;
	} else if (ret_kind == RMAPSNOOP_RET_UNMAPPED) {
		int mapped = folio_mapped_now((struct folio *)w->ev.folio);

		w->ev.result = !mapped;
		w->ev.has_result = mapped >= 0;
	}
	if (--w->depth > 0)
		return 0;
	submit(&w->ev);
	return 0;
}

/* Only a thread inside a walk counts: storage is never created here. */
static __always_inline int count_rmap_one(void)
{
	struct walk *w = this_walk(0);

	if (w && w->depth)
		w->ev.rmap_one++;
	return 0;
}

static __always_inline int count_pvmw(void)
{
	struct walk *w = this_walk(0);

	if (w && w->depth)
		w->ev.pvmw++;
	return 0;
}

/* --- fentry/fexit ------------------------------------------------------------------------ */
/* A trampoline frame holds the arguments and a few saved registers below the return address. */
#define FENTRY_CALLER_MAX 32

/*
 * The folio argument as a plain number: the verifier types a fentry argument as a trusted
 * pointer and forbids the arithmetic folio_pfn_of() does; read through, it is a scalar.
 */
static __always_inline struct folio *arg0(unsigned long long *ctx)
{
	unsigned long long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &ctx[0]);
	return (struct folio *)v;
}

SEC("fentry/rmap_walk")
int BPF_PROG(fe_rmap_walk) { return walk_enter(ctx, ctx, FENTRY_CALLER_MAX, arg0(ctx), RMAPSNOOP_FN_RMAP_WALK); }
SEC("fexit/rmap_walk")
int BPF_PROG(fx_rmap_walk) { return walk_exit(0, RMAPSNOOP_RET_NONE); }
SEC("fentry/rmap_walk_locked")
int BPF_PROG(fe_rmap_walk_locked) { return walk_enter(ctx, ctx, FENTRY_CALLER_MAX, arg0(ctx), RMAPSNOOP_FN_RMAP_WALK_LOCKED); }
SEC("fexit/rmap_walk_locked")
int BPF_PROG(fx_rmap_walk_locked) { return walk_exit(0, RMAPSNOOP_RET_NONE); }
SEC("fentry/folio_referenced")
int BPF_PROG(fe_folio_referenced) { return walk_enter(ctx, ctx, FENTRY_CALLER_MAX, arg0(ctx), RMAPSNOOP_FN_FOLIO_REFERENCED); }
SEC("fexit/folio_referenced")
int BPF_PROG(fx_folio_referenced, void *folio, int is_locked, void *memcg, void *vm_flags, int ret)
{
	return walk_exit(ret, RMAPSNOOP_RET_REFERENCES);
}
SEC("fentry/try_to_unmap")
int BPF_PROG(fe_try_to_unmap) { return walk_enter(ctx, ctx, FENTRY_CALLER_MAX, arg0(ctx), RMAPSNOOP_FN_TRY_TO_UNMAP); }
SEC("fexit/try_to_unmap")
int BPF_PROG(fx_try_to_unmap) { return walk_exit(0, RMAPSNOOP_RET_UNMAPPED); }
SEC("fentry/page_vma_mapped_walk")
int BPF_PROG(fe_pvmw) { return count_pvmw(); }

/* The kernel's rmap_one callbacks (rmap_ones.h). */
#define RMAP_ONE_FENTRY(fn)						\
	SEC("fentry/" #fn)						\
	int BPF_PROG(fe_##fn) { return count_rmap_one(); }
RMAPSNOOP_RMAP_ONES(RMAP_ONE_FENTRY)

/* --- kprobe/kretprobe fallback ----------------------------------------------------------- */
SEC("kprobe/rmap_walk")
int BPF_KPROBE(kp_rmap_walk, struct folio *folio) { return walk_enter(ctx, (void *)PT_REGS_SP(ctx), 0, folio, RMAPSNOOP_FN_RMAP_WALK); }
SEC("kretprobe/rmap_walk")
int BPF_KRETPROBE(kr_rmap_walk) { return walk_exit(0, RMAPSNOOP_RET_NONE); }
SEC("kprobe/rmap_walk_locked")
int BPF_KPROBE(kp_rmap_walk_locked, struct folio *folio) { return walk_enter(ctx, (void *)PT_REGS_SP(ctx), 0, folio, RMAPSNOOP_FN_RMAP_WALK_LOCKED); }
SEC("kretprobe/rmap_walk_locked")
int BPF_KRETPROBE(kr_rmap_walk_locked) { return walk_exit(0, RMAPSNOOP_RET_NONE); }
SEC("kprobe/folio_referenced")
int BPF_KPROBE(kp_folio_referenced, struct folio *folio) { return walk_enter(ctx, (void *)PT_REGS_SP(ctx), 0, folio, RMAPSNOOP_FN_FOLIO_REFERENCED); }
SEC("kretprobe/folio_referenced")
int BPF_KRETPROBE(kr_folio_referenced, int ret) { return walk_exit(ret, RMAPSNOOP_RET_REFERENCES); }
SEC("kprobe/try_to_unmap")
int BPF_KPROBE(kp_try_to_unmap, struct folio *folio) { return walk_enter(ctx, (void *)PT_REGS_SP(ctx), 0, folio, RMAPSNOOP_FN_TRY_TO_UNMAP); }
SEC("kretprobe/try_to_unmap")
int BPF_KRETPROBE(kr_try_to_unmap) { return walk_exit(0, RMAPSNOOP_RET_UNMAPPED); }
SEC("kprobe/page_vma_mapped_walk")
int BPF_KPROBE(kp_pvmw) { return count_pvmw(); }

#define RMAP_ONE_KPROBE(fn)						\
	SEC("kprobe/" #fn)						\
	int BPF_KPROBE(kp_##fn) { return count_rmap_one(); }
RMAPSNOOP_RMAP_ONES(RMAP_ONE_KPROBE)
/* rmapscope's own rmap_one lives in a module without BTF (its C++ units are excluded): kprobe only. */
RMAP_ONE_KPROBE(rs_rmap_one)
