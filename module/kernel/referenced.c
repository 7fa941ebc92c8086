// SPDX-License-Identifier: GPL-2.0
/*
 * referenced: folio_referenced(folio, 1, NULL, &vm_flags) on a folio isolated from its LRU list
 * (folio.c) and locked, the way shrink_folio_list() in mm/vmscan.c calls it. Reclaim only ever
 * calls it on isolated folios; MGLRU's lru_gen_look_around() warns (VM_WARN_ON_ONCE_FOLIO) on a
 * folio still on the LRU. The preconditions are checked here, whatever the core decided.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/mm.h>
#include <linux/rmap.h>

#include "../core/os.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "folio.h"

static unsigned long rs_vm_flags(unsigned long vm_flags)
{
	static const struct { unsigned long vm; unsigned long rs; } map[] = {
		{ VM_READ, RS_VMF(READ) }, { VM_WRITE, RS_VMF(WRITE) }, { VM_EXEC, RS_VMF(EXEC) },
		{ VM_SHARED, RS_VMF(SHARED) }, { VM_LOCKED, RS_VMF(LOCKED) },
		{ VM_SEQ_READ, RS_VMF(SEQ_READ) }, { VM_RAND_READ, RS_VMF(RAND_READ) },
		{ VM_HUGEPAGE, RS_VMF(HUGEPAGE) }, { VM_NOHUGEPAGE, RS_VMF(NOHUGEPAGE) },
		{ VM_MERGEABLE, RS_VMF(MERGEABLE) },
	};
	unsigned long out = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (vm_flags & map[i].vm)
			out |= map[i].rs;
	return out;
}

int rs_os_folio_referenced(struct rs_folio *f, struct rs_action_result *act, char *msg, size_t cap)
{
	struct folio *folio = f->folio;
	unsigned long vm_flags = 0;

	if (!rs_callable(RS_SYM_folio_referenced)) {
		rs_msg(msg, cap, "folio_referenced cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	/* Reclaim's preconditions: isolated, locked (is_locked = 1), never hugetlb. */
	if (WARN_ON_ONCE(!f->isolated || !folio_test_locked(folio)) || folio_test_hugetlb(folio)) {
		rs_msg(msg, cap, "internal error: folio not isolated and locked, or hugetlb");
		return -EINVAL;
	}
	act->kind = RS_ACTION_REFERENCED;
	act->refs = rs_call_folio_referenced(folio, 1, NULL, &vm_flags);
	act->vm_flags = rs_vm_flags(vm_flags);
	act->mglru = f->mglru;
	/* x86 clears accessed bits without a flush (arch/x86/mm/pgtable.c); arm64 flushes. */
	act->arch_flushes_young = !IS_ENABLED(CONFIG_X86);
	return 0;
}
