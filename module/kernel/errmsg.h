/* SPDX-License-Identifier: GPL-2.0 */
/* How the kernel side refuses: -errno, and why in msg (at most RS_MSG_MAX bytes, core/os.h). */
#ifndef RMAPSCOPE_ERRMSG_H
#define RMAPSCOPE_ERRMSG_H

#include <linux/kernel.h>

#define rs_msg(msg, cap, ...) snprintf(msg, cap, __VA_ARGS__)

#endif
