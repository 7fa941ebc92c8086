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

	// Inline: they run once per token of every record.
	TextWriter &str(StrView s)
	{
		if (overflow_)
			return *this;
		usize room = cap_ > len_ ? cap_ - len_ - 1 : 0;
		usize n = s.size() <= room ? s.size() : room;
		for (usize i = 0; i < n; ++i) // tokens are short: a loop beats a memcpy call
			buf_[len_ + i] = s[i];
		len_ += n;
		if (cap_ > 0)
			buf_[len_] = '\0';
		overflow_ = n < s.size();
		return *this;
	}
	TextWriter &ch(char c)
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
	char *buf_;
	usize cap_;
	usize len_ = 0;
	bool overflow_ = false;
};

} // namespace rs
