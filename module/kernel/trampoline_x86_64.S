/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rs_cf_trampoline(target, a1, a2, a3, a4, a5): tail-call target(a1..a5) without an indirect
 * branch, so IBT does not require an ENDBR at target. This is how rmapscope calls kernel functions
 * that objtool sealed (rmap_walk, try_to_unmap, folio_referenced on Debian 6.12).
 *
 * The arguments shift down one register and the target is pushed and "returned" to: RET needs no
 * landing pad, and the callee returns straight to our caller. Nothing about the CPU's state
 * changes, so the callee may sleep (unlike clearing CET_ENDBR_EN around the call).
 *
 * The PUSH;RET and its RSB rebalancing follow ftrace_regs_caller (arch/x86/kernel/ftrace_64.S),
 * the kernel's own tail call of this shape. Callees take at most five register arguments.
 */
#include <linux/linkage.h>
#include "trampoline.h"
#include <asm/alternative.h>
#include <asm/cpufeatures.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

	.text
SYM_FUNC_START(rs_cf_trampoline)
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %rcx
	movq	%r9, %r8
	pushq	%rax
	/* The target now sits where a return address would: the state of a function entry. */
	UNWIND_HINT_FUNC

	/*
	 * PUSH;RET returns once more than it was called, which unbalances the RSB; a pointless CALL
	 * rebalances it (as in ftrace_regs_caller).
	 */
	ANNOTATE_INTRA_FUNCTION_CALL
	call	.Lrs_rebalance
	int3
.Lrs_rebalance:
	addq	$8, %rsp
#ifdef X86_FEATURE_CALL_DEPTH
	ALTERNATIVE __stringify(RET), \
		    __stringify(ANNOTATE_UNRET_SAFE; ret; int3), \
		    X86_FEATURE_CALL_DEPTH
#else
	RET
#endif
SYM_FUNC_END(rs_cf_trampoline)

RS_TRAMPOLINE_ALIASES(RS_TRAMPOLINE_ALIAS)
