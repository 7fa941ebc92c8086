// SPDX-License-Identifier: GPL-2.0
#include "record.hpp"

namespace rmapscope {

std::optional<std::string> Record::get(std::string_view key) const
{
	for (const auto &[k, v] : fields)
		if (k == key)
			return v;
	return std::nullopt;
}

std::optional<Record> parse_record(std::string_view line)
{
	Record r;
	size_t pos = 0;
	bool first = true;
	while (pos < line.size()) {
		while (pos < line.size() && line[pos] == ' ')
			++pos;
		if (pos == line.size())
			break;
		size_t end = line.find(' ', pos);
		if (end == std::string_view::npos)
			end = line.size();
		std::string_view tok = line.substr(pos, end - pos);
		pos = end;
		if (first) {
			if (tok.find('=') != std::string_view::npos)
				return std::nullopt;
			r.kind = tok;
			first = false;
			continue;
		}
		size_t eq = tok.find('=');
		if (eq == std::string_view::npos || eq == 0)
			return std::nullopt;
		r.fields.emplace_back(std::string(tok.substr(0, eq)), std::string(tok.substr(eq + 1)));
	}
	if (first)
		return std::nullopt;
	return r;
}

std::optional<std::vector<Record>> parse_report(std::string_view text)
{
	std::vector<Record> out;
	size_t pos = 0;
	while (pos < text.size()) {
		size_t nl = text.find('\n', pos);
		if (nl == std::string_view::npos)
			nl = text.size();
		std::string_view line = text.substr(pos, nl - pos);
		pos = nl + 1;
		if (line.empty())
			continue;
		auto r = parse_record(line);
		if (!r)
			return std::nullopt;
		out.push_back(std::move(*r));
	}
	return out;
}

} // namespace rmapscope
