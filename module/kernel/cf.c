// SPDX-License-Identifier: GPL-2.0
/*
 * Landing-pad detection, with the kernel's own helpers rather than hard-coded opcodes wherever the
 * kernel has them.
 *
 * x86: is_endbr() accepts both a real ENDBR and the poison apply_seal_endbr() writes (6.1 and
 * 6.12 alike), so the poison (gen_endbr_poison()) is told apart first. Debian 6.12 seals at boot
 * and at module load whatever the CPU; only the #CP fault needs IBT hardware.
 *
 * arm64: with BTI enforced for the kernel, BLR may only land on BTI c/jc or PACIASP/PACIBSP.
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>

#include "cf.h"
#include "compat.h"

#if defined(CONFIG_X86_64)
#include <asm/cpufeature.h>
#include <asm/ibt.h>

const char *rs_cf_kind(void)
{
	return IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? "ibt" : "none";
}

bool rs_cf_enforced(void)
{
	return IS_ENABLED(CONFIG_X86_KERNEL_IBT) && cpu_feature_enabled(X86_FEATURE_IBT);
}

enum rs_entry_kind rs_cf_classify(u32 insn)
{
#ifdef CONFIG_X86_KERNEL_IBT
	if (insn == gen_endbr_poison())
		return RS_ENTRY_SEALED;
	return rs_kernel_is_endbr(insn) ? RS_ENTRY_LANDING_PAD : RS_ENTRY_NO_PAD;
#else
	/* No ENDBR anywhere in this kernel, and is_endbr() is a stub. */
	return RS_ENTRY_UNCHECKED;
#endif
}

#elif defined(CONFIG_ARM64)
#include <asm/cpufeature.h>

/* HINT-space encodings (Arm ARM C6.2): BTI c = 0xd503245f, BTI jc = 0xd50324df,
 * PACIASP = 0xd503233f, PACIBSP = 0xd503237f. The kernel has no predicate for "valid BLR target". */
#define RS_A64_BTI_C	0xd503245fU
#define RS_A64_BTI_JC	0xd50324dfU
#define RS_A64_PACIASP	0xd503233fU
#define RS_A64_PACIBSP	0xd503237fU

const char *rs_cf_kind(void)
{
	return IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) ? "bti" : "none";
}

bool rs_cf_enforced(void)
{
	return IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) && system_supports_bti();
}

enum rs_entry_kind rs_cf_classify(u32 insn)
{
	if (!IS_ENABLED(CONFIG_ARM64_BTI_KERNEL))
		return RS_ENTRY_UNCHECKED;
	switch (insn) {
	case RS_A64_BTI_C:
	case RS_A64_BTI_JC:
	case RS_A64_PACIASP:
	case RS_A64_PACIBSP:
		return RS_ENTRY_LANDING_PAD;
	default:
		return RS_ENTRY_NO_PAD;
	}
}

#else
#error "rmapscope supports x86-64 and arm64"
#endif

enum rs_entry_kind rs_cf_classify_entry(const void *addr)
{
	u32 insn;

	if (copy_from_kernel_nofault(&insn, addr, sizeof(insn)))
		return RS_ENTRY_NO_PAD;
	return rs_cf_classify(insn);
}

const char *rs_entry_kind_name(enum rs_entry_kind kind)
{
	switch (kind) {
	case RS_ENTRY_LANDING_PAD:
		return "pad";
	case RS_ENTRY_SEALED:
		return "sealed";
	case RS_ENTRY_NO_PAD:
		return "nopad";
	default:
		return "unchecked";
	}
}
