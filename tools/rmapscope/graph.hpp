// SPDX-License-Identifier: GPL-2.0
// Pictures of the reverse map: Graphviz DOT drawn from the module's tree and walk JSON
// (docs/debugfs.md), and SVG through Graphviz's own `dot`.
//
// Every node and edge stands for one thing of the JSON, so a picture can be checked against
// the reply it came from (scripts/check-pictures): node ids name what they show (folio, av<N>,
// vma-<pid>-<start>, item<N>, map<N>), and the VMAs and rmap items that map the folio carry
// class "mapped".
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace rmapscope {

// j[key] as a number, or 0 when it is missing or not a number (replies are read, not trusted).
uint64_t json_u64(const nlohmann::json &j, const char *key);

// A DOT string literal's contents: quotes and backslashes escaped, a newline a line break,
// other control bytes '?'.
std::string dot_escape(const std::string &s);

// The structure behind a folio (tree format=json; family=1 for the whole anon_vma family).
std::string tree_dot(const nlohmann::json &tree, const std::string &title);
// Who maps a folio (walk format=json): the folio and one node per mapping, by process.
std::string walk_dot(const nlohmann::json &walk, const std::string &title);

// Renders dot into an SVG file with `dot -Tsvg`. False, with dot's words in err, if dot is
// missing, fails, or prints anything (a warning is a failure).
bool render_svg(const std::string &dot, const std::string &svg_path, std::string &err);

} // namespace rmapscope
