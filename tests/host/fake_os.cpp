// SPDX-License-Identifier: GPL-2.0
// The host's implementation of module/core/os.h, for the unit tests.
#include <cstdio>
#include <cstdlib>

#include "../../module/core/os.h"

extern "C" void *rs_os_alloc(size_t size) { return std::malloc(size); }
extern "C" void rs_os_free(void *ptr) { std::free(ptr); }
extern "C" void rs_os_log(int error, const char *msg) { std::fprintf(stderr, "rmapscope%s: %s\n", error ? " error" : "", msg); }
