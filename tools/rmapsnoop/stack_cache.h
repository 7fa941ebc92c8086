/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A walk's caller stack, unwound once per call chain instead of once per walk.
 *
 * bpf_get_stack() is most of what tracing a walk costs: the ORC unwind starts inside the BPF
 * program and crosses its trampoline, whatever the depth asked. But walks come in runs from one
 * call chain: reclaim asks folio after folio from shrink_folio_list(), a range scan from one
 * function. So after each unwind, the thread notes where each return address of that stack sits
 * above the walk's entry frame. The next walk that enters the same function at the same frame
 * address, and finds every return address of that stack still at its slot, copies the stack
 * instead of unwinding it; anything else unwinds again.
 *
 * The slots are found by searching the stack upwards for each return address in turn, so a stale
 * copy of one, lower in its caller's frame, could be taken for the real slot; --unwind-every-walk
 * turns the reuse off. The scratch is per CPU, like every BPF scratch buffer: under full
 * preemption another thread's walk on the same CPU could overwrite it mid-way.
 */
#ifndef RMAPSNOOP_STACK_CACHE_H
#define RMAPSNOOP_STACK_CACHE_H

#define STACK_SCAN_WORDS 384	/* 3 KiB above the entry frame: 12 frames of reclaim fit */
#define STACK_CHUNK_WORDS 64	/* read in 512-byte chunks, and no further than the stack's end */
/*
 * Array sizes are powers of two so that every index can be masked: the verifier does not always
 * see a bounds check that the compiler has moved or merged.
 */
#define STACK_WORDS_MASK 511
#define STACK_FRAMES_MASK 15

/* 0 unwinds every walk (--unwind-every-walk). */
const volatile unsigned int reuse_stacks = 1;

struct stack_cache {
	unsigned long long base;	/* entry frame address of the cached stack */
	unsigned int fn;		/* enum rmapsnoop_fn it was unwound at */
	unsigned int nr;		/* frames in ips; 0: nothing cached */
	unsigned short pos[STACK_FRAMES_MASK + 1];	/* word offset from base of ips[i], i >= 1 */
	unsigned long long ips[RMAPSNOOP_STACK_DEPTH];
};

/* Per-CPU scratch: the stack words, too large for the BPF stack. */
struct stack_scan {
	unsigned long long words[STACK_WORDS_MASK + 1];
	unsigned long long want[STACK_FRAMES_MASK + 1];
	unsigned short pos[STACK_FRAMES_MASK + 1];
	unsigned int next, nr, words_read, caller_max;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct stack_scan);
} stack_scratch SEC(".maps");

/* A pointer's value as a plain number: the verifier allows no bitwise arithmetic on fentry's ctx. */
static __always_inline unsigned long long as_number(void *p)
{
	unsigned long long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/*
 * Copies at least words of the stack above base (or up to the stack's end); returns words copied.
 * A kernel stack is THREAD_SIZE-aligned, so it ends at a 16 KiB boundary at the latest (x86-64
 * and arm64 without KASAN; with KASAN's 32 KiB stacks this may stop early, and then only fewer
 * stacks are reused). Written out chunk by chunk: the verifier lets base (fentry's ctx) move by
 * constants only.
 */
#define STACK_END_ALIGN 16384ULL
#define READ_STACK_CHUNK(k)								\
	do {										\
		void *dst = &s->words[(k) * STACK_CHUNK_WORDS];				\
		void *src = base + (k) * STACK_CHUNK_WORDS * 8;				\
		unsigned int n;								\
											\
		if (got >= words || got >= left)					\
			return got;							\
		if (left - got >= STACK_CHUNK_WORDS) {					\
			if (bpf_probe_read_kernel(dst, STACK_CHUNK_WORDS * 8, src))	\
				return got;						\
			got += STACK_CHUNK_WORDS;					\
		} else {	/* the stack's last words */				\
			n = left - got;							\
			barrier_var(n);							\
			n &= STACK_CHUNK_WORDS - 1;					\
			if (bpf_probe_read_kernel(dst, n * 8, src))			\
				return got;						\
			return got + n;							\
		}									\
	} while (0)

static __always_inline unsigned int read_stack(struct stack_scan *s, void *base, unsigned int words)
{
	unsigned long long b = as_number(base);
	unsigned int got = 0, left = (STACK_END_ALIGN - (b & (STACK_END_ALIGN - 1))) / 8;

	_Static_assert(STACK_SCAN_WORDS == 6 * STACK_CHUNK_WORDS, "one READ_STACK_CHUNK per chunk");
	_Static_assert(STACK_SCAN_WORDS <= STACK_WORDS_MASK + 1 && RMAPSNOOP_STACK_DEPTH <= STACK_FRAMES_MASK + 1,
		       "masks cover the arrays");
	READ_STACK_CHUNK(0);
	READ_STACK_CHUNK(1);
	READ_STACK_CHUNK(2);
	READ_STACK_CHUNK(3);
	READ_STACK_CHUNK(4);
	READ_STACK_CHUNK(5);
	return got;
}

/* bpf_loop() body: word j of the scan; finds want[next] and moves on to the next frame. */
static long scan_word(u32 j, void *unused)
{
	u32 zero = 0;
	struct stack_scan *s = bpf_map_lookup_elem(&stack_scratch, &zero);
	unsigned int i;

	if (!s)
		return 1;
	i = s->next;
	if (i >= s->nr || i >= RMAPSNOOP_STACK_DEPTH || j >= s->words_read || j >= STACK_SCAN_WORDS)
		return 1;
	/* The caller's return address must be right above the entry frame, not a stale copy further up. */
	if (i == 1 && j > s->caller_max)
		return 1;
	/* After the checks: else the compiler drops the masks as redundant, and the verifier needs them. */
	barrier_var(i);
	barrier_var(j);
	if (s->words[j & STACK_WORDS_MASK] == s->want[i & STACK_FRAMES_MASK]) {
		s->pos[i & STACK_FRAMES_MASK] = j;
		s->next = i + 1;
	}
	return 0;
}

/* True if every cached return address is still at its slot above base. */
static __always_inline bool same_slots(struct stack_scan *s, void *base, const struct stack_cache *c)
{
	unsigned int k = c->nr - 1, got;

	if (k >= RMAPSNOOP_STACK_DEPTH)
		return false;
	barrier_var(k);	/* see scan_word() */
	got = read_stack(s, base, c->pos[k & STACK_FRAMES_MASK] + 1);

#pragma unroll
	for (int i = 1; i < RMAPSNOOP_STACK_DEPTH; i++) {
		unsigned int p = c->pos[i];

		if (i >= c->nr)
			break;
		if (p >= got)
			return false;
		barrier_var(p);
		if (s->words[p & STACK_WORDS_MASK] != c->ips[i])
			return false;
	}
	return true;
}

/*
 * Index in ips of the traced function's own frame (a return address a few bytes into it, or the
 * kprobe's address); the frames below it are the tracer's own (the BPF program, its trampoline).
 */
static __always_inline int own_frame(const struct rmapsnoop_event *ev, unsigned long long func)
{
#pragma unroll
	for (int i = 0; i < RMAPSNOOP_STACK_DEPTH; i++) {
		if (i >= ev->nr_ips)
			break;
		if (ev->ips[i] - func < 64)
			return i;
	}
	return -1;
}

/*
 * When the unwind has no frame of the traced function itself (fentry on 7.x: the unwinder steps
 * from the BPF trampoline straight to the caller), finds the caller's frame instead: the first
 * unwound return address that also sits in the words right above base, where the trampoline
 * keeps the traced function's own return address. ev->ips then becomes [func, caller, ...],
 * the shape every other kernel gives, and that frame's index (0) is returned; -1 if not found.
 */
static __always_inline int synth_own_frame(struct stack_scan *s, void *base, unsigned int caller_max,
					   struct rmapsnoop_event *ev, unsigned long long func)
{
	unsigned int got = read_stack(s, base, caller_max + 1), k;
	int c = -1;

	/* Bounded loops, not unrolled: the verifier walks them (5.3+). */
	for (int i = 1; i < RMAPSNOOP_STACK_DEPTH && c < 0; i++) {
		if (i >= ev->nr_ips)
			break;
		for (k = 0; k <= caller_max && k < got && k < STACK_CHUNK_WORDS; k++)
			if (s->words[k & STACK_WORDS_MASK] == ev->ips[i]) {
				c = i;
				break;
			}
	}
	if (c < 1)
		return -1;
	ev->ips[0] = func;
#pragma unroll
	for (int i = 1; i < RMAPSNOOP_STACK_DEPTH; i++) {
		unsigned int src = c + i - 1;

		if (src >= ev->nr_ips)
			break;
		barrier_var(src);	/* the bound right before the access, as scan_word() */
		if (src >= RMAPSNOOP_STACK_DEPTH)
			break;
		ev->ips[i] = ev->ips[src];
	}
	ev->nr_ips -= c - 1;
	return 0;
}

/*
 * Fills ev->ips: from the cache when the call chain is the same, else by unwinding (and caching).
 * A reused stack starts at the traced function's own frame; an unwound one also holds the frames
 * below it, which the loader drops. caller_max: the highest word offset from base at which the
 * traced function's return address may sit (0 at a kprobe, where base is the entry sp; a few
 * words of trampoline frame under fentry). A kretprobe registered after ours may already have
 * replaced it there with its trampoline's address: then nothing is cached.
 */
static __always_inline void record_stack(void *ctx, void *base, unsigned int caller_max, unsigned int fn,
					 struct rmapsnoop_event *ev, struct stack_cache *c)
{
	u32 zero = 0;
	struct stack_scan *s = bpf_map_lookup_elem(&stack_scratch, &zero);
	long n;
	int f;

	if (!s)
		return;
	if (reuse_stacks && c->nr > 1 && c->nr <= RMAPSNOOP_STACK_DEPTH && c->fn == fn &&
	    c->base == (unsigned long long)base && same_slots(s, base, c)) {
		__builtin_memcpy(ev->ips, c->ips, sizeof(ev->ips));
		ev->nr_ips = c->nr;
		ev->stack_reused = 1;
		return;
	}
	n = bpf_get_stack(ctx, ev->ips, sizeof(ev->ips), 0);
	ev->nr_ips = n > 0 ? (unsigned long)n / 8 : 0;
	c->nr = 0;
	f = own_frame(ev, bpf_get_func_ip(ctx));
	if (f < 0)
		f = synth_own_frame(s, base, caller_max, ev, bpf_get_func_ip(ctx));
	if (!reuse_stacks || f < 0 || ev->nr_ips - f < 2)
		return;
	__builtin_memset(s->want, 0, sizeof(s->want));
#pragma unroll
	for (int k = 0; k < RMAPSNOOP_STACK_DEPTH; k++) {
		unsigned int i = f + k;

		if (i >= ev->nr_ips)
			break;
		barrier_var(i);
		if (i >= RMAPSNOOP_STACK_DEPTH)
			break;
		s->want[k] = ev->ips[i];
	}
	s->nr = ev->nr_ips - f;
	s->next = 1;	/* want[0] is the traced function: under kprobes not a stack slot */
	s->caller_max = caller_max;
	s->words_read = read_stack(s, base, STACK_SCAN_WORDS);
	bpf_loop(STACK_SCAN_WORDS, scan_word, NULL, 0);
	if (s->next != s->nr)
		return;
	__builtin_memcpy(c->pos, s->pos, sizeof(c->pos));
	__builtin_memcpy(c->ips, s->want, sizeof(c->ips));
	c->base = (unsigned long long)base;
	c->fn = fn;
	c->nr = s->nr;
}

#endif
