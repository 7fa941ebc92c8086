/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPSCOPE_DEBUGFS_H
#define RMAPSCOPE_DEBUGFS_H

#include <linux/types.h>

int rs_debugfs_init(void);
/* False under kernel lockdown: writable files (ctl) are not created. */
bool rs_debugfs_writable(void);
/* The lockdown level found at load: none, integrity or confidentiality. */
const char *rs_lockdown_level(void);
void rs_debugfs_exit(void);

#endif /* RMAPSCOPE_DEBUGFS_H */
