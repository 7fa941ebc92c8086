/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types rmapsnoop reads, declared with preserve_access_index instead of a whole
 * vmlinux.h: libbpf relocates every field access against the running kernel's BTF (CO-RE), so
 * one object serves 6.1 and 6.12, whose struct folio differ.
 */
#ifndef RMAPSNOOP_KERNEL_TYPES_H
#define RMAPSNOOP_KERNEL_TYPES_H
/* Tells bpf_tracing.h to use the kernel's pt_regs field names, as with a real vmlinux.h. */
#define __VMLINUX_H__

/* UAPI values (include/uapi/linux/bpf.h): stable across kernels. */
enum bpf_map_type {
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
};
enum { BPF_ANY = 0 };
enum { BPF_F_NO_PREALLOC = 1 };
enum { BPF_LOCAL_STORAGE_GET_F_CREATE = 1 };
enum { BPF_RB_NO_WAKEUP = 1 };

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u64 u64;
typedef __u32 u32;
typedef _Bool bool;
enum { false = 0, true = 1 };

typedef struct {
	int counter;
} atomic_t;

struct address_space;
struct task_struct;

/* 6.1 has _folio_order in the first tail page; 6.12 and 7.x keep the order in _flags_1. */
struct folio {
	unsigned long flags;
	struct address_space *mapping;
	atomic_t _mapcount;
	unsigned char _folio_order;
	unsigned long _flags_1;
	atomic_t _large_mapcount;	/* 6.12 */
	atomic_t _total_mapcount;	/* 6.1: the entire (PMD) mappings */
} __attribute__((preserve_access_index));

struct page {
	unsigned long flags;
} __attribute__((preserve_access_index));

/*
 * 7.x wraps the flags word of struct page and struct folio in memdesc_flags_t. CO-RE will not
 * relocate an unsigned long onto a struct, so this flavour (libbpf ignores the ___ suffix)
 * describes the new layout; folio_flags() picks the one the running kernel has.
 */
typedef struct {
	unsigned long f;
} memdesc_flags_t;
struct folio___memdesc {
	memdesc_flags_t flags;
} __attribute__((preserve_access_index));

enum pageflags {
	PG_head = 6,
};

struct vm_area_struct;
struct rmap_walk_control;
struct page_vma_mapped_walk;

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip,
		cs, flags, sp, ss;
} __attribute__((preserve_access_index));
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			__u64 regs[31];
			__u64 sp;
			__u64 pc;
			__u64 pstate;
		};
	};
} __attribute__((preserve_access_index));
#endif

#endif
