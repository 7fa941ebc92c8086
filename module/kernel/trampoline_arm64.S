/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rs_cf_trampoline(target, a1..a5): tail-call target(a1..a5) without BR/BLR, so BTI does not
 * require a landing pad at target: BTI checks only BR and BLR targets, never RET. LR (x30) still
 * holds our caller's return address, so the callee (which signs LR with PACIASP itself) returns
 * straight to our caller. Nothing about the CPU's state changes, so the callee may sleep.
 */
#include <linux/linkage.h>
#include "trampoline.h"
#include <asm/assembler.h>

	.text
SYM_FUNC_START(rs_cf_trampoline)
	mov	x9, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	mov	x4, x5
	ret	x9
SYM_FUNC_END(rs_cf_trampoline)

RS_TRAMPOLINE_ALIASES(RS_TRAMPOLINE_ALIAS)
