/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPSCOPE_CTL_H
#define RMAPSCOPE_CTL_H

#include <linux/fs.h>

extern const struct file_operations rs_ctl_fops;

#endif /* RMAPSCOPE_CTL_H */
