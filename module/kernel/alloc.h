/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RS_KERNEL_ALLOC_H
#define RS_KERNEL_ALLOC_H

#include <linux/gfp.h>

/*
 * The flags of every allocation rmapscope makes. Each failure is handled: the command fails with
 * ENOMEM and a message (a file path that cannot be resolved is reported as "-"). The kernel's
 * own report of a failed allocation, a stack dump, would only alarm whoever reads the log, so
 * it is suppressed. Proved by the fault-injection sweep (tests/vm/faults.sh).
 */
#define RS_GFP (GFP_KERNEL | __GFP_NOWARN)

#endif
