// SPDX-License-Identifier: GPL-2.0
/*
 * unmap: try_to_unmap(folio, TTU_SYNC [| TTU_SPLIT_HUGE_PMD]) on a locked folio rmapscope holds a
 * reference to, the way shrink_folio_list() in mm/vmscan.c calls it, and only where no data can
 * be lost (core/unmap_rules.h, checked here again whatever the core decided).
 *
 * Never TTU_BATCH_FLUSH (try_to_unmap_flush() is not exported: stale TLB entries would stay), never
 * TTU_HWPOISON, never try_to_migrate() (remove_migration_ptes() is not exported).
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/rmap.h>

#include "../core/os.h"
#include "../core/unmap_rules.h"
#include "../core/walk_report.h"
#include "call.h"
#include "compat.h"
#include "errmsg.h"
#include "folio.h"

int rs_os_folio_unmap(struct rs_folio *f, struct rs_action_result *act, char *msg, size_t cap)
{
	struct folio *folio = f->folio;
	enum ttu_flags flags = TTU_SYNC;
	struct rs_folio_info info;
	const char *why;
	int ret;

	if (!rs_callable(RS_SYM_try_to_unmap)) {
		rs_msg(msg, cap, "try_to_unmap cannot be called safely on this kernel (see version)");
		return -EOPNOTSUPP;
	}
	if (WARN_ON_ONCE(!folio_test_locked(folio))) {
		rs_msg(msg, cap, "internal error: folio not locked");
		return -EINVAL;
	}
	/* The rules the core planned with (core/unmap_rules.h), again on the locked folio. */
	rs_os_folio_describe(f, &info);
	ret = rs_unmap_refusal(&info, &why);
	if (ret) {
		rs_msg(msg, cap, "%s", why);
		return ret;
	}
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
