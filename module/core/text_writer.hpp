// SPDX-License-Identifier: GPL-2.0
// A bounded writer of report text into a caller-owned buffer. It never allocates, so it can be
// used where the kernel holds a spinlock; past the end it records the overflow instead of writing.
#pragma once

#include "types.hpp"

namespace rs {

class TextWriter {
public:
	// buf holds cap bytes; the text is always NUL-terminated when cap > 0.
	TextWriter(char *buf, usize cap);
	// A writer that only measures: size() is what the text would need (without the NUL).
	static TextWriter counter() { return TextWriter(); }

	TextWriter &str(StrView s);
	TextWriter &ch(char c);
	TextWriter &dec(u64 v);
	TextWriter &sdec(i64 v);
	TextWriter &hex(u64 v); // 0x-prefixed, lower case

	// " key=value" pairs; the record's first word comes from str().
	TextWriter &kv(StrView key, StrView value);
	TextWriter &kv_dec(StrView key, u64 value);
	TextWriter &kv_hex(StrView key, u64 value);
	TextWriter &kv_bool(StrView key, bool value);
	TextWriter &endl() { return ch('\n'); }

	usize size() const { return len_; }
	bool overflowed() const { return overflow_; }

private:
	TextWriter() : buf_(nullptr), cap_(0), counting_(true) {}

	char *buf_;
	usize cap_;
	usize len_ = 0;
	bool overflow_ = false;
	bool counting_ = false;
};

} // namespace rs
