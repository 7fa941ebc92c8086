// SPDX-License-Identifier: GPL-2.0
// How reports write values that come from outside: paths and comms as one token of a text line
// (octal escapes, as /proc/mounts) or as strict JSON strings, and pids as the reader sees them.
#pragma once

#include "text_writer.hpp"

namespace rs {

// A path or comm as one token: space, tab, newline, backslash and control bytes as \ooo; "-" for none.
void put_path_text(TextWriter &w, const char *p);
// A JSON string of bytes that need not be UTF-8: escapes, well-formed UTF-8 kept, U+FFFD otherwise.
void put_json_string(TextWriter &w, const char *s);
// A pid as the reader's namespace numbers it: 0 (outside it) is "?" in text and null in JSON.
void put_pid(TextWriter &w, int pid, bool json);

} // namespace rs
