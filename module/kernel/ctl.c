// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/rmapscope/ctl: a transaction file in the manner of simple_transaction. Open,
 * write one command, read the response from the same descriptor. Each open file has its own
 * response, so concurrent users never see each other's results; each write replaces it and
 * rewinds the read position. A failed command makes write() return -errno and leaves
 * "error <ERRNO> <message>" to read.
 */
#define pr_fmt(fmt) "rmapscope: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "alloc.h"
#include "../../include/rmapscope/abi.h"
#include "../core/command.h"
#include "../core/core.h"
#include "../core/walk_report.h"
#include "ctl.h"

#define RS_ERROR_MAX 512

struct rs_ctl {
	struct mutex lock;	/* one command at a time per open file */
	char *resp;		/* NULL until the first write */
	size_t len;
	loff_t pos;		/* read position in resp */
};

static int rs_ctl_open(struct inode *inode, struct file *file)
{
	struct rs_ctl *ctl;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ctl = kzalloc(sizeof(*ctl), RS_GFP);
	if (!ctl)
		return -ENOMEM;
	mutex_init(&ctl->lock);
	file->private_data = ctl;
	return stream_open(inode, file);
}

static int rs_ctl_release(struct inode *inode, struct file *file)
{
	struct rs_ctl *ctl = file->private_data;

	kvfree(ctl->resp);
	kfree(ctl);
	return 0;
}

/* Replaces the response (taking ownership of resp) and rewinds reading. */
static void rs_ctl_set(struct rs_ctl *ctl, char *resp, size_t len)
{
	kvfree(ctl->resp);
	ctl->resp = resp;
	ctl->len = len;
	ctl->pos = 0;
}

/*
 * A response of just an error line. If even that cannot be allocated, the previous response is
 * dropped (a read then gives ENODATA) rather than left to be taken for this command's.
 */
static long rs_ctl_error(struct rs_ctl *ctl, int err, const char *msg)
{
	char *buf = kvmalloc(RS_ERROR_MAX, RS_GFP);

	if (!buf) {
		rs_ctl_set(ctl, NULL, 0);
		return -ENOMEM;
	}
	rs_ctl_set(ctl, buf, rs_core_format_error(err, msg, buf, RS_ERROR_MAX));
	return err;
}

static long rs_ctl_command(struct rs_ctl *ctl, const char *line, size_t len)
{
	char msg[160] = "";
	struct rs_command cmd;
	char *buf;
	long ret;

	ret = rs_core_parse_command(line, len, &cmd, msg, sizeof(msg));
	if (ret)
		return rs_ctl_error(ctl, ret, msg);

	ret = rs_core_run_command(&cmd, &buf);
	if (!buf)	/* no response at all: say why, and never leave the last command's answer */
		return rs_ctl_error(ctl, ret < 0 ? ret : -ENOMEM, "out of memory for the response");
	/* rs_os_valloc() is kvmalloc(): the buffer is ours to kvfree(). */
	rs_ctl_set(ctl, buf, ret < 0 ? strlen(buf) : ret);
	return ret < 0 ? ret : 0;
}

static ssize_t rs_ctl_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	struct rs_ctl *ctl = file->private_data;
	char *line;
	long ret;

	/* The file may have been handed to a less privileged process. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (mutex_lock_killable(&ctl->lock))
		return -EINTR;
	if (count > RMAPSCOPE_CMD_MAX + 1) {
		ret = rs_ctl_error(ctl, -EINVAL, "command longer than " __stringify(RMAPSCOPE_CMD_MAX) " bytes");
		goto out;
	}
	line = memdup_user(ubuf, count);
	if (IS_ERR(line)) {
		ret = rs_ctl_error(ctl, PTR_ERR(line), PTR_ERR(line) == -ENOMEM ? "out of memory for the command" :
						       "cannot read the command from user memory");
		goto out;
	}
	ret = rs_ctl_command(ctl, line, count);
	kfree(line);
out:
	mutex_unlock(&ctl->lock);
	return ret ? ret : count;
}

static ssize_t rs_ctl_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct rs_ctl *ctl = file->private_data;
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (mutex_lock_killable(&ctl->lock))
		return -EINTR;
	if (!ctl->resp)
		ret = -ENODATA;	/* nothing written yet */
	else
		ret = simple_read_from_buffer(ubuf, count, &ctl->pos, ctl->resp, ctl->len);
	mutex_unlock(&ctl->lock);
	return ret;
}

const struct file_operations rs_ctl_fops = {
	.owner = THIS_MODULE,
	.open = rs_ctl_open,
	.release = rs_ctl_release,
	.read = rs_ctl_read,
	.write = rs_ctl_write,
};
