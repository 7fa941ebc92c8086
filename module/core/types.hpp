// SPDX-License-Identifier: GPL-2.0
// Freestanding basic types: the compiler's own predefined macros, so no libc or libstdc++ header
// is needed in the kernel build and the host build sees exactly the same definitions.
#pragma once

namespace rs {

using u8 = __UINT8_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using i64 = __INT64_TYPE__;
using usize = __SIZE_TYPE__;

// A non-owning view of characters, like std::string_view, which -nostdinc++ does not give us.
class StrView {
public:
	constexpr StrView() = default;
	constexpr StrView(const char *p, usize n) : p_(p), n_(n) {}
	// Implicit from a NUL-terminated string (literals, names handed over the C ABI).
	constexpr StrView(const char *s) : p_(s), n_(s ? length(s) : 0) {} // NOLINT(google-explicit-constructor)

	constexpr const char *data() const { return p_; }
	constexpr usize size() const { return n_; }
	constexpr bool empty() const { return n_ == 0; }
	constexpr char operator[](usize i) const { return p_[i]; }

private:
	static constexpr usize length(const char *s)
	{
		usize n = 0;
		while (s[n] != '\0')
			++n;
		return n;
	}
	const char *p_ = "";
	usize n_ = 0;
};

} // namespace rs

// Placement new, for guards.hpp's Maybe: the kernel build has no <new> (-nostdinc++).
#if defined(RMAPSCOPE_KERNEL)
inline void *operator new(rs::usize, void *p) noexcept { return p; }
#else
#include <new>
#endif
