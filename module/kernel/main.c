// SPDX-License-Identifier: GPL-2.0
/* rmapscope: the kernel's reverse map, opened to people through debugfs. */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/module.h>
#include <linux/utsname.h>

#include "../../include/rmapscope/abi.h"
#include "held.h"
#include "call.h"
#include "chardev.h"
#include "debugfs.h"
#include "scratch.h"
#include "symbols.h"

static char *call_mode = "auto";
module_param(call_mode, charp, 0444);
MODULE_PARM_DESC(call_mode,
		 "how unexported kernel functions are called: auto (default), direct (refused where unsafe) or trampoline");

static int __init rs_init(void)
{
	int ret;

	ret = rs_symbols_resolve();
	if (ret)
		return ret;
	ret = rs_call_init(call_mode);
	if (ret)
		return ret;
	ret = rs_debugfs_init();
	if (ret)
		return ret;
	ret = rs_chardev_init();
	if (ret) {
		rs_debugfs_exit();
		return ret;
	}
	pr_info("version %s loaded on %s (%s %s, call_mode=%s)\n", RMAPSCOPE_VERSION,
		init_utsname()->release, rs_cf_kind(), rs_cf_enforced() ? "enforced" : "not enforced",
		rs_call_mode_name());
	return 0;
}

static void __exit rs_exit(void)
{
	long held[RS_NR_HELD];
	int k;

	rs_chardev_exit();
	rs_debugfs_exit();
	rs_scratch_exit();
	/* No command runs now (an open ctl holds the module): everything taken was given back. */
	rs_held_read(held);
	for (k = 0; k < RS_NR_HELD; k++)
		WARN(held[k], "rmapscope: unloaded with %ld of kind %d still held\n", held[k], k);
	pr_info("unloaded\n");
}

module_init(rs_init);
module_exit(rs_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(RMAPSCOPE_VERSION);
MODULE_DESCRIPTION("rmapscope: report and exercise the kernel's reverse map of a page");
