// SPDX-License-Identifier: GPL-2.0
// Values as one token of a text line, and as JSON strings (escape.hpp).
#include "escape.hpp"

namespace rs {

namespace {
// Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, nothing
// above U+10FFFF), or 0. Never reads past the terminating NUL: a NUL is no continuation byte.
constexpr int utf8_length(const unsigned char *p)
{
	auto cont = [](unsigned char b) { return (b & 0xc0) == 0x80; };
	const unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return cont(p[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		const unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && cont(p[2]) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		const unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && cont(p[2]) && cont(p[3]) ? 4 : 0;
	}
	return 0;
}

} // namespace

// A path as one token: space, tab, newline and backslash become octal escapes, as in
// /proc/mounts; other control bytes too.
void put_path_text(TextWriter &w, const char *p)
{
	if (!p || !*p) {
		w.ch('-');
		return;
	}
	for (; *p; ++p) {
		unsigned char c = static_cast<unsigned char>(*p);
		if (c <= ' ' || c == '\\' || c == 0x7f)
			w.ch('\\').ch(static_cast<char>('0' + (c >> 6))).ch(static_cast<char>('0' + ((c >> 3) & 7)))
				.ch(static_cast<char>('0' + (c & 7)));
		else
			w.ch(static_cast<char>(c));
	}
}

// A JSON string (RFC 8259) of bytes that need not be UTF-8 (paths, comms): quotes, backslashes
// and control bytes are escaped (a control byte takes 6 bytes, "\u0001": kJsonBytesPerByte),
// well-formed UTF-8 passes through, and every other byte becomes U+FFFD, so that strict parsers
// take the result.
void put_json_string(TextWriter &w, const char *s)
{
	static constexpr char hex[] = "0123456789abcdef";
	const auto *p = reinterpret_cast<const unsigned char *>(s ? s : "");
	w.ch('"');
	while (*p) {
		const unsigned char c = *p;
		const int n = utf8_length(p);
		if (c == '"' || c == '\\')
			w.ch('\\').ch(static_cast<char>(c));
		else if (c < 0x20 || c == 0x7f)
			w.str("\\u00").ch(hex[c >> 4]).ch(hex[c & 15]);
		else if (n == 0)
			w.str("\xef\xbf\xbd");	/* U+FFFD, for this byte */
		else
			for (int i = 0; i < n; ++i)
				w.ch(static_cast<char>(p[i]));
		p += n ? n : 1;
	}
	w.ch('"');
}

// A thread-group id as the reader sees it: 0 means the process is outside the reader's pid
// namespace, written "?" in text and null in JSON (docs/debugfs.md).
void put_pid(TextWriter &w, int pid, bool json)
{
	if (pid > 0)
		w.sdec(pid);
	else
		w.str(json ? "null" : "?");
}

} // namespace rs
