// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/rmapscope: ctl's transactions (ctl.c, the same file operations and the same ABI) as a
 * misc character device, for a kernel locked down to integrity, where debugfs refuses every
 * writable file. It is made only then: without lockdown ctl serves, and under confidentiality
 * neither does (what a command answers is read out of the kernel's memory, which that level
 * keeps from root). Mode 0600; open, read and write each check CAP_SYS_ADMIN, as ctl's do.
 * docs/limitations.md argues why this weakens nothing integrity lockdown protects.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/miscdevice.h>

#include "../../include/rmapscope/abi.h"
#include "chardev.h"
#include "ctl.h"
#include "debugfs.h"

static struct miscdevice rs_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = RMAPSCOPE_DEVICE_NAME,
	.fops = &rs_ctl_fops,
	.mode = 0600,
};
static bool rs_misc_registered;

int rs_chardev_init(void)
{
	int ret;

	if (strcmp(rs_lockdown_level(), "integrity"))
		return 0;
	ret = misc_register(&rs_misc);
	if (ret) {
		pr_err("cannot register /dev/%s (%d)\n", RMAPSCOPE_DEVICE_NAME, ret);
		return ret;
	}
	rs_misc_registered = true;
	pr_info("serving ctl's commands at /dev/%s (integrity lockdown)\n", RMAPSCOPE_DEVICE_NAME);
	return 0;
}

void rs_chardev_exit(void)
{
	if (rs_misc_registered)
		misc_deregister(&rs_misc);
	rs_misc_registered = false;
}
