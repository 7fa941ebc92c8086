// SPDX-License-Identifier: GPL-2.0
// rmapscope export: every process's memory and the top sharing pairs, from one census
// (census.hpp), as node_exporter's textfile-collector format (--prometheus FILE) or JSON
// (--json FILE). A file is written beside its target and renamed into place, so a scrape never
// reads half of one.
#pragma once

#include <string>

#include "census.hpp"

namespace rmapscope {

struct ExportOptions {
	std::string prometheus;	// the .prom file to write, or ""
	std::string json;	// the JSON file to write ("-": standard output), or ""
	std::string from;	// a module reply saved before (phys sets=1 young=0 format=json), not this machine
	std::string method;	// phys's method= ("" for the module's default)
	unsigned top = 50;	// processes given their own series (by pss); the rest are summed in comm="other"
	unsigned pairs = 50;	// the pairs of processes that share the most pages
};

// The text of the .prom file (docs/man/rmapscope.8, "EXPORT").
std::string prometheus_text(const Census &c, const ExportOptions &o);
// The same figures as JSON.
std::string export_json(const Census &c, const ExportOptions &o);

// 0 on success; prints why on stderr otherwise.
int run_export(const ExportOptions &o);

} // namespace rmapscope
