// SPDX-License-Identifier: GPL-2.0
#include "text_writer.hpp"

namespace rs {

TextWriter::TextWriter(char *buf, usize cap) : buf_(buf), cap_(cap)
{
	if (cap_ > 0)
		buf_[0] = '\0';
}

TextWriter &TextWriter::ch(char c)
{
	// Keep one byte for the terminating NUL.
	if (overflow_ || len_ + 1 >= cap_) {
		overflow_ = true;
		return *this;
	}
	buf_[len_++] = c;
	buf_[len_] = '\0';
	return *this;
}

TextWriter &TextWriter::str(StrView s)
{
	for (usize i = 0; i < s.size(); ++i)
		ch(s[i]);
	return *this;
}

TextWriter &TextWriter::dec(u64 v)
{
	char tmp[20]; // 2^64-1 has 20 digits
	usize n = 0;
	do {
		tmp[n++] = static_cast<char>('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		ch(tmp[--n]);
	return *this;
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
	char tmp[16];
	usize n = 0;
	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v != 0);
	str("0x");
	while (n > 0)
		ch(tmp[--n]);
	return *this;
}

TextWriter &TextWriter::kv(StrView key, StrView value)
{
	return ch(' ').str(key).ch('=').str(value.empty() ? StrView("-") : value);
}

TextWriter &TextWriter::kv_dec(StrView key, u64 value)
{
	return ch(' ').str(key).ch('=').dec(value);
}

TextWriter &TextWriter::kv_hex(StrView key, u64 value)
{
	return ch(' ').str(key).ch('=').hex(value);
}

TextWriter &TextWriter::kv_bool(StrView key, bool value)
{
	return kv_dec(key, value ? 1 : 0);
}

} // namespace rs
