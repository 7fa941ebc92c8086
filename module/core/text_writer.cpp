// SPDX-License-Identifier: GPL-2.0
#include "text_writer.hpp"

namespace rs {

TextWriter::TextWriter(char *buf, usize cap) : buf_(buf), cap_(cap)
{
	if (cap_ > 0)
		buf_[0] = '\0';
}

TextWriter &TextWriter::dec(u64 v)
{
	char tmp[20]; // 2^64-1 has 20 digits
	usize n = sizeof(tmp);
	do {
		tmp[--n] = static_cast<char>('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return str(StrView(tmp + n, sizeof(tmp) - n));
}

TextWriter &TextWriter::sdec(i64 v)
{
	if (v < 0) {
		ch('-');
		// Negate in unsigned arithmetic so INT64_MIN does not overflow.
		return dec(~static_cast<u64>(v) + 1);
	}
	return dec(static_cast<u64>(v));
}

TextWriter &TextWriter::hex(u64 v)
{
	static constexpr char digits[] = "0123456789abcdef";
	char tmp[18];
	usize n = sizeof(tmp);
	do {
		tmp[--n] = digits[v & 0xf];
		v >>= 4;
	} while (v != 0);
	tmp[--n] = 'x';
	tmp[--n] = '0';
	return str(StrView(tmp + n, sizeof(tmp) - n));
}

// " key=" in one copy: the keys are short literals.
static inline StrView key_eq(char *tmp, usize cap, StrView key)
{
	usize n = 0;
	tmp[n++] = ' ';
	for (usize i = 0; i < key.size() && n + 1 < cap; ++i)
		tmp[n++] = key[i];
	tmp[n++] = '=';
	return StrView(tmp, n);
}

TextWriter &TextWriter::kv(StrView key, StrView value)
{
	char tmp[40];
	return str(key_eq(tmp, sizeof(tmp), key)).str(value.empty() ? StrView("-") : value);
}

TextWriter &TextWriter::kv_dec(StrView key, u64 value)
{
	char tmp[40];
	return str(key_eq(tmp, sizeof(tmp), key)).dec(value);
}

TextWriter &TextWriter::kv_hex(StrView key, u64 value)
{
	char tmp[40];
	return str(key_eq(tmp, sizeof(tmp), key)).hex(value);
}

TextWriter &TextWriter::kv_bool(StrView key, bool value)
{
	return kv_dec(key, value ? 1 : 0);
}

} // namespace rs
