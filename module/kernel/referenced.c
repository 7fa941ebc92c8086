// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel calls of the referenced and unmap commands, made the way shrink_folio_list() in
 * mm/vmscan.c makes them:
 *
 * - folio_referenced(folio, 1, NULL, &vm_flags) on a folio isolated from its LRU list and locked.
 *   Reclaim only ever calls it on isolated folios; MGLRU's lru_gen_look_around() warns
 *   (VM_WARN_ON_ONCE_FOLIO) on a folio still on the LRU.
 * - try_to_unmap(folio, TTU_SYNC [| TTU_SPLIT_HUGE_PMD]) on a locked folio we hold a reference to.
 *   Never TTU_BATCH_FLUSH (try_to_unmap_flush() is not exported: stale TLB entries would stay),
 *   never TTU_HWPOISON, never try_to_migrate() (remove_migration_ptes() is not exported).
 *
 * The core decides what may be done to which folio; the checks here repeat the rules that guard
 * against data loss or a kernel warning, under the folio lock, whatever the core decided.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/huge_mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swap.h>

#include "../core/os.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "folio.h"
#include "walk_internal.h"

#define rs_msg(msg, cap, ...) snprintf(msg, cap, __VA_ARGS__)

static bool rs_on_mglru(struct folio *folio)
{
#ifdef CONFIG_LRU_GEN
	return folio_lru_gen(folio) >= 0;
#else
	return false;
#endif
}

int rs_folio_isolate(struct rs_folio *f, bool drain)
{
	struct folio *folio = f->folio;
	bool mglru;

	if (WARN_ON_ONCE(f->isolated))
		return -EINVAL;
	/*
	 * A folio added a moment ago sits in a per-CPU batch, not yet on its list. Drain this
	 * CPU's batch first, as madvise_cold/pageout and migration do before isolating; if the
	 * folio is still not on a list, drain every CPU's (it sleeps; we hold no locks here).
	 */
	if (drain && !folio_test_lru(folio) && rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	if (drain && !folio_test_lru(folio) && rs_callable(RS_SYM_lru_add_drain_all))
		rs_call_lru_add_drain_all();
	mglru = rs_on_mglru(folio);
	if (!rs_call_folio_isolate_lru(folio))
		return -EBUSY;
	f->isolated = true;
	f->mglru = mglru;
	return 0;
}

int rs_os_folio_isolate(struct rs_folio *f, char *msg, size_t cap)
{
	int ret;

	if (!rs_callable(RS_SYM_folio_isolate_lru) || !rs_callable(RS_SYM_folio_putback_lru)) {
		rs_msg(msg, cap, "folio_isolate_lru/folio_putback_lru cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	ret = rs_folio_isolate(f, true);
	if (ret == -EBUSY)
		rs_msg(msg, cap, "the folio is not on an LRU list (isolated by reclaim, compaction or migration right now)");
	return ret;
}

void rs_folio_putback(struct rs_folio *f, bool drain)
{
	if (!f->isolated)
		return;
	/*
	 * folio_putback_lru() adds the folio to this CPU's batch; draining that batch on the same
	 * CPU puts it back on its list before the next command looks for it there.
	 */
	migrate_disable();
	rs_call_folio_putback_lru(f->folio);
	if (drain && rs_callable(RS_SYM_lru_add_drain))
		rs_call_lru_add_drain();
	migrate_enable();
	f->isolated = false;
}

void rs_os_folio_putback(struct rs_folio *f)
{
	rs_folio_putback(f, true);
}

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

/* The data-loss rules of try_to_unmap_one(), checked under the folio lock (docs/debugfs.md). */
static int rs_unmap_refusal(struct folio *folio, char *msg, size_t cap)
{
	if (folio_test_hugetlb(folio)) {
		rs_msg(msg, cap, "hugetlb folios are only unmapped for memory failure");
		return -EOPNOTSUPP;
	}
	if (folio_test_ksm(folio)) {
		rs_msg(msg, cap, "KSM folios are not unmapped: try_to_unmap_one would drop the merged page's PTEs without a swap entry");
		return -EOPNOTSUPP;
	}
	/*
	 * An anon folio must be in the swap cache (so swapbacked == swapcache == 1): otherwise
	 * try_to_unmap_one() clears the PTE and then gives up with a WARN, and the data is gone.
	 * Lazyfree anon (!swapbacked) would be discarded.
	 */
	if (folio_test_anon(folio) && !(folio_test_swapbacked(folio) && folio_test_swapcache(folio))) {
		rs_msg(msg, cap, "anon folio not in the swap cache: unmapping it would lose its data");
		return -EPERM;
	}
	if (folio_test_mlocked(folio)) {
		rs_msg(msg, cap, "the folio is mlocked");
		return -EPERM;
	}
	return 0;
}

int rs_os_folio_unmap(struct rs_folio *f, struct rs_action_result *act, char *msg, size_t cap)
{
	struct folio *folio = f->folio;
	enum ttu_flags flags = TTU_SYNC;
	int ret;

	if (!rs_callable(RS_SYM_try_to_unmap)) {
		rs_msg(msg, cap, "try_to_unmap cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	if (WARN_ON_ONCE(!folio_test_locked(folio))) {
		rs_msg(msg, cap, "internal error: folio not locked");
		return -EINVAL;
	}
	ret = rs_unmap_refusal(folio, msg, cap);
	if (ret)
		return ret;
	act->kind = RS_ACTION_UNMAP;
	act->ttu = RS_TTU(SYNC);
	/* As shrink_folio_list(): a PMD mapping is split first (without it pvmw.pte is NULL). */
	if (folio_test_pmd_mappable(folio)) {
		flags |= TTU_SPLIT_HUGE_PMD;
		act->ttu |= RS_TTU(SPLIT_HUGE_PMD);
	}
	act->mapcount_before = rs_folio_mapcount(folio);
	rs_call_try_to_unmap(folio, flags);
	act->mapcount_after = rs_folio_mapcount(folio);
	act->unmapped = !folio_mapped(folio);
	return 0;
}
