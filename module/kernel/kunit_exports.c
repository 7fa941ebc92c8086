// SPDX-License-Identifier: GPL-2.0
/*
 * What the KUnit suites (kunit/, rmapscope_kunit.ko) call inside rmapscope.ko. Built only when
 * the kernel has CONFIG_KUNIT: the debug kernel. The exports live in the
 * EXPORTED_FOR_KUNIT_TESTING namespace, as the kernel's own EXPORT_SYMBOL_IF_KUNIT users do.
 */
#include <kunit/visibility.h>
#include <linux/export.h>

#include "../core/command.h"
#include "../core/os.h"
#include "../core/range_report.h"
#include "../core/walk_report.h"
#include "call.h"
#include "cf.h"
#include "folio.h"
#include "held.h"
#include "scratch.h"
#include "sharing.h"
#include "symbols.h"
#include "target.h"

EXPORT_SYMBOL_IF_KUNIT(rs_cf_classify);
EXPORT_SYMBOL_IF_KUNIT(rs_cf_classify_entry);
EXPORT_SYMBOL_IF_KUNIT(rs_cf_enforced);
EXPORT_SYMBOL_IF_KUNIT(rs_call_choose);
EXPORT_SYMBOL_IF_KUNIT(rs_callable);
EXPORT_SYMBOL_IF_KUNIT(rs_rmap_trees_callable);
EXPORT_SYMBOL_IF_KUNIT(rs_pte_map_lock_callable);
EXPORT_SYMBOL_IF_KUNIT(rs_call_lru_add_drain_all);
EXPORT_SYMBOL_IF_KUNIT(rs_symbol_lookup);

EXPORT_SYMBOL_IF_KUNIT(rs_target_mm_addr);
EXPORT_SYMBOL_IF_KUNIT(rs_os_target_pfn);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_put);
EXPORT_SYMBOL_IF_KUNIT(rs_folios_live);
EXPORT_SYMBOL_IF_KUNIT(rs_held_read);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_describe);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_lock_killable);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_unlock);
EXPORT_SYMBOL_IF_KUNIT(rs_os_walk_new);
EXPORT_SYMBOL_IF_KUNIT(rs_os_walk_run);
EXPORT_SYMBOL_IF_KUNIT(rs_os_walk_result);
EXPORT_SYMBOL_IF_KUNIT(rs_os_walk_free);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_isolate);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_putback);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_referenced);
EXPORT_SYMBOL_IF_KUNIT(rs_os_folio_unmap);
EXPORT_SYMBOL_IF_KUNIT(rs_os_tree_run);
EXPORT_SYMBOL_IF_KUNIT(rs_share_mm);
EXPORT_SYMBOL_IF_KUNIT(rs_os_phys);
EXPORT_SYMBOL_IF_KUNIT(rs_phys_before_isolate);

/* The C++ core, run in kernel mode by kunit/core_test.c. */
EXPORT_SYMBOL_IF_KUNIT(rs_core_parse_command);
EXPORT_SYMBOL_IF_KUNIT(rs_core_format_walk);
EXPORT_SYMBOL_IF_KUNIT(rs_core_format_error);
EXPORT_SYMBOL_IF_KUNIT(rs_core_format_range);
EXPORT_SYMBOL_IF_KUNIT(rs_scratch_alloc);
EXPORT_SYMBOL_IF_KUNIT(rs_scratch_zalloc);
EXPORT_SYMBOL_IF_KUNIT(rs_scratch_free);
EXPORT_SYMBOL_IF_KUNIT(rs_scratch_kept_bytes);
