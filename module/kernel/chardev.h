/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RMAPSCOPE_CHARDEV_H
#define RMAPSCOPE_CHARDEV_H

/* /dev/rmapscope under integrity lockdown (chardev.c): 0, or -errno. */
int rs_chardev_init(void);
void rs_chardev_exit(void);

#endif /* RMAPSCOPE_CHARDEV_H */
