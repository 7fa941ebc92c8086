/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C ABI through which the C++ core reaches the kernel. module/kernel/os.c implements it for
 * the module; tests/host/fake_os.cpp implements it for the host tests. Only builtin types appear
 * here: the core never sees a kernel header or a kernel struct.
 */
#ifndef RMAPSCOPE_CORE_OS_H
#define RMAPSCOPE_CORE_OS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Sleeping allocation (GFP_KERNEL in the module). Never call it where the kernel may not sleep. */
void *rs_os_alloc(__SIZE_TYPE__ size);
void rs_os_free(void *ptr);

/* One line to the kernel log, prefixed "rmapscope: " (pr_err when error != 0, else pr_info). */
void rs_os_log(int error, const char *msg);

#ifdef __cplusplus
}
#endif

#endif /* RMAPSCOPE_CORE_OS_H */
