// SPDX-License-Identifier: GPL-2.0
// The C++ runtime the module needs, on top of the kernel's allocator through the C ABI. Built only
// into the module: the host build uses libstdc++'s. There is no exception and no RTTI support, and
// no static constructors may exist (the kernel does not run .init_array for Debian modules).
#include "os.h"
#include "types.hpp"

namespace std {
enum class align_val_t : rs::usize {};
} // namespace std

void *operator new(rs::usize size) { return rs_os_alloc(size); }
void *operator new[](rs::usize size) { return rs_os_alloc(size); }
void operator delete(void *p) noexcept { rs_os_free(p); }
void operator delete[](void *p) noexcept { rs_os_free(p); }
void operator delete(void *p, rs::usize) noexcept { rs_os_free(p); }
void operator delete[](void *p, rs::usize) noexcept { rs_os_free(p); }

// kmalloc guarantees natural alignment for power-of-two sizes (mm/slab_common.c), so an
// over-aligned object gets a power-of-two block at least as large as its alignment.
void *operator new(rs::usize size, std::align_val_t al)
{
	rs::usize block = static_cast<rs::usize>(al);
	while (block < size) {
		if (block > (~static_cast<rs::usize>(0) >> 1))
			return nullptr;
		block <<= 1;
	}
	return rs_os_alloc(block);
}
void operator delete(void *p, std::align_val_t) noexcept { rs_os_free(p); }
void operator delete(void *p, rs::usize, std::align_val_t) noexcept { rs_os_free(p); }

extern "C" void __cxa_pure_virtual(void)
{
	// Only reachable through a bug (a call through a half-destroyed object); log it, do not BUG().
	rs_os_log(1, "pure virtual function called");
}
