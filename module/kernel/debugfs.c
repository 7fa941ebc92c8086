// SPDX-License-Identifier: GPL-2.0
/* /sys/kernel/debug/rmapscope/: the files and their permission checks (ABI in docs/debugfs.md). */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/utsname.h>

#include "alloc.h"
#include "../../include/rmapscope/abi.h"
#include "../core/core.h"
#include "call.h"
#include "compat.h"
#include "ctl.h"
#include "debugfs.h"
#include "held.h"
#include "symbols.h"

static struct dentry *rs_dir;
static const char *rs_lockdown = "none";

/*
 * Under integrity lockdown debugfs refuses every writable file (debugfs_locked_down()); read-only
 * files such as version still work. Probe LOCKDOWN_DEBUGFS first, so an unlocked kernel logs
 * nothing, and only then find out the level, with a reason of the confidentiality level:
 * LOCKDOWN_KCORE, the first after LOCKDOWN_INTEGRITY_MAX since lockdown was merged (5.4). The
 * *_MAX markers themselves are not reasons: the lockdown LSM WARNs on them ("Invalid lockdown
 * reason") and answers -EPERM, which once made every integrity lockdown look like
 * confidentiality (tests/vm/lockdown.sh caught it).
 */
static void rs_probe_lockdown(void)
{
	if (!security_locked_down(LOCKDOWN_DEBUGFS))
		return;
	rs_lockdown = security_locked_down(LOCKDOWN_KCORE) ? "confidentiality" : "integrity";
	pr_warn("kernel lockdown (%s) blocks writable debugfs files: serving read-only files only\n",
		rs_lockdown);
}

bool rs_debugfs_writable(void)
{
	return !strcmp(rs_lockdown, "none");
}

const char *rs_lockdown_level(void)
{
	return rs_lockdown;
}

static void rs_symbols_status(struct rs_symbol_status *out)
{
	int id;

	for (id = 0; id < RS_NR_SYMBOLS; id++) {
		out[id].name = rs_symbol_name(id);
		out[id].resolved = rs_symbol_entry(id) != NULL;
		out[id].required = rs_symbol_required(id);
		out[id].entry = rs_entry_kind_name(rs_call_entry_of(id));
		out[id].path = rs_call_path_name(rs_call_path_of(id));
	}
}

struct rs_text {
	size_t len;
	char buf[];
};

/* What module/kernel/probes/ found in this kernel's headers at build time (features.h). */
static const struct rs_feature_status rs_features[] = {
#define RS_FEATURE(name, have) { #name, have },
	RS_PROBED_FEATURES(RS_FEATURE)
#undef RS_FEATURE
};

/* The version file is rendered once per open, so every reader sees one consistent text. */
static int rs_version_open(struct inode *inode, struct file *file)
{
	struct rs_symbol_status syms[RS_NR_SYMBOLS];
	struct rs_version_info info = {
		.kernel_release = init_utsname()->release,
		.arch = init_utsname()->machine,
		.cf_kind = rs_cf_kind(),
		.cf_enforced = rs_cf_enforced(),
		.call_mode = rs_call_mode_name(),
		.lockdown = rs_lockdown,
		.symbols = syms,
		.nr_symbols = ARRAY_SIZE(syms),
		.mapcount = rs_mapcount_model(),
		.per_vma_lock = IS_ENABLED(CONFIG_PER_VMA_LOCK),
		.features = rs_features,
		.nr_features = ARRAY_SIZE(rs_features),
	};
	struct rs_text *text;
	long len;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	text = kmalloc(sizeof(*text) + RMAPSCOPE_VERSION_MAX_BYTES, RS_GFP);
	if (!text)
		return -ENOMEM;
	rs_symbols_status(syms);
	rs_held_read(info.outstanding);
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

	rs_probe_lockdown();
	rs_dir = debugfs_create_dir(RMAPSCOPE_DEBUGFS_DIR, NULL);
	if (IS_ERR(rs_dir)) {
		pr_err("cannot create debugfs directory (%ld); is debugfs disabled or locked down?\n",
		       PTR_ERR(rs_dir));
		return PTR_ERR(rs_dir);
	}
	d = debugfs_create_file(RMAPSCOPE_FILE_VERSION, 0400, rs_dir, NULL, &rs_version_fops);
	if (IS_ERR(d))
		goto fail;
	/* Under lockdown a writable debugfs file could not be opened anyway. */
	if (rs_debugfs_writable()) {
		d = debugfs_create_file(RMAPSCOPE_FILE_CTL, 0600, rs_dir, NULL, &rs_ctl_fops);
		if (IS_ERR(d))
			goto fail;
	}
	return 0;
fail:
	debugfs_remove(rs_dir);
	return PTR_ERR(d);
}

void rs_debugfs_exit(void)
{
	debugfs_remove(rs_dir);
}
