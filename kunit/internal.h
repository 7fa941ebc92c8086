/* SPDX-License-Identifier: GPL-2.0 */
/* What the KUnit suites reach inside rmapscope.ko (exported by module/kernel/kunit_exports.c). */
#ifndef RMAPSCOPE_KUNIT_INTERNAL_H
#define RMAPSCOPE_KUNIT_INTERNAL_H

#include "../module/core/command.h"
#include "../module/core/os.h"
#include "../module/core/phys_report.h"
#include "../module/core/range_report.h"
#include "../module/core/walk_report.h"
#include "../module/kernel/call.h"
#include "../module/kernel/cf.h"
#include "../module/kernel/compat.h"
#include "../module/kernel/folio.h"
#include "../module/kernel/held.h"
#include "../module/kernel/scratch.h"
#include "../module/kernel/sharing.h"
#include "../module/kernel/symbols.h"
#include "../module/kernel/target.h"

#endif
