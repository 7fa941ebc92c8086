/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control-flow integrity facts the call layer needs: is indirect-branch tracking (x86 IBT,
 * arm64 BTI) enforced for kernel code on this CPU, and is a given function entry a valid
 * landing pad. Classification is a pure function of the entry's first instruction, so KUnit can
 * feed it code bytes.
 */
#ifndef RMAPSCOPE_CF_H
#define RMAPSCOPE_CF_H

#include <linux/types.h>

enum rs_entry_kind {
	RS_ENTRY_UNCHECKED,	/* this kernel has no IBT/BTI support compiled in: nothing to check */
	RS_ENTRY_LANDING_PAD,	/* ENDBR64/ENDBR32, or BTI c/jc, PACIASP/PACIBSP */
	RS_ENTRY_SEALED,	/* x86: the ENDBR was poisoned by apply_seal_endbr() */
	RS_ENTRY_NO_PAD,	/* an ordinary instruction: not a valid indirect-branch target */
};

/* "ibt", "bti" or "none": what this kernel was built with. */
const char *rs_cf_kind(void);
/* True when the CPU enforces landing pads on kernel indirect branches right now. */
bool rs_cf_enforced(void);
/* Classifies the first 32-bit instruction word of a function. */
enum rs_entry_kind rs_cf_classify(u32 insn);
/* Reads and classifies the entry at addr. */
enum rs_entry_kind rs_cf_classify_entry(const void *addr);
const char *rs_entry_kind_name(enum rs_entry_kind kind);

#endif /* RMAPSCOPE_CF_H */
