/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPSCOPE_DEBUGFS_H
#define RMAPSCOPE_DEBUGFS_H

int rs_debugfs_init(void);
void rs_debugfs_exit(void);

#endif /* RMAPSCOPE_DEBUGFS_H */
