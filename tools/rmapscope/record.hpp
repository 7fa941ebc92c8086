// SPDX-License-Identifier: GPL-2.0
// Parses rmapscope's report records: one per line, "kind key=value key=value ...".
// Keys the tool does not know are kept and ignored, as docs/debugfs.md requires of readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rmapscope {

struct Record {
	std::string kind;
	std::vector<std::pair<std::string, std::string>> fields;

	std::optional<std::string> get(std::string_view key) const;
};

// Parses one line; std::nullopt for an empty line or a malformed field (no '=', empty key).
std::optional<Record> parse_record(std::string_view line);
// Parses a whole report; malformed lines are an error (the module never writes one).
std::optional<std::vector<Record>> parse_report(std::string_view text);

} // namespace rmapscope
