// SPDX-License-Identifier: GPL-2.0
/* /sys/kernel/debug/rmapscope/: the files and their permission checks (ABI in docs/debugfs.md). */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/utsname.h>

#include "../../include/rmapscope/abi.h"
#include "../core/core.h"
#include "debugfs.h"
#include "symbols.h"

static struct dentry *rs_dir;

struct rs_text {
	size_t len;
	char buf[];
};

/* The version file is rendered once per open, so every reader sees one consistent text. */
static int rs_version_open(struct inode *inode, struct file *file)
{
	struct rs_symbol_status syms[RS_NR_KERNEL_SYMBOLS];
	struct rs_version_info info = {
		.kernel_release = init_utsname()->release,
		.arch = init_utsname()->machine,
		.symbols = syms,
		.nr_symbols = ARRAY_SIZE(syms),
	};
	struct rs_text *text;
	long len;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	text = kmalloc(sizeof(*text) + RMAPSCOPE_VERSION_MAX_BYTES, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	rs_symbols_status(syms);
	len = rs_core_format_version(text->buf, RMAPSCOPE_VERSION_MAX_BYTES, &info);
	if (len < 0) {
		kfree(text);
		return len;
	}
	text->len = len;
	file->private_data = text;
	return nonseekable_open(inode, file);
}

static ssize_t rs_version_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct rs_text *text = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, text->buf, text->len);
}

static int rs_version_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations rs_version_fops = {
	.owner = THIS_MODULE,
	.open = rs_version_open,
	.read = rs_version_read,
	.release = rs_version_release,
};

int rs_debugfs_init(void)
{
	struct dentry *d;

	rs_dir = debugfs_create_dir(RMAPSCOPE_DEBUGFS_DIR, NULL);
	if (IS_ERR(rs_dir)) {
		pr_err("cannot create debugfs directory (%ld); is debugfs disabled or locked down?\n",
		       PTR_ERR(rs_dir));
		return PTR_ERR(rs_dir);
	}
	d = debugfs_create_file(RMAPSCOPE_FILE_VERSION, 0400, rs_dir, NULL, &rs_version_fops);
	if (IS_ERR(d)) {
		debugfs_remove(rs_dir);
		return PTR_ERR(d);
	}
	return 0;
}

void rs_debugfs_exit(void)
{
	debugfs_remove(rs_dir);
}
