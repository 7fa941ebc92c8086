// SPDX-License-Identifier: GPL-2.0
// rmapscope: the command-line face of rmapscope.ko.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../../include/rmapscope/abi.h"
#include "record.hpp"

namespace {

std::string debugfs_path(const std::string &file)
{
	return std::string("/sys/kernel/debug/") + RMAPSCOPE_DEBUGFS_DIR + "/" + file;
}

// Reads a whole debugfs file; on failure says why (module not loaded, not root, ...).
bool read_file(const std::string &path, std::string &out)
{
	std::ifstream in(path);
	if (!in) {
		std::cerr << "rmapscope: cannot open " << path << ": " << std::strerror(errno)
			  << (errno == ENOENT ? " (is rmapscope.ko loaded and debugfs mounted?)" : "") << "\n";
		return false;
	}
	std::stringstream ss;
	ss << in.rdbuf();
	out = ss.str();
	return true;
}

nlohmann::json to_json(const std::vector<rmapscope::Record> &records)
{
	nlohmann::json arr = nlohmann::json::array();
	for (const auto &r : records) {
		nlohmann::json o;
		o["kind"] = r.kind;
		for (const auto &[k, v] : r.fields)
			o[k] = v;
		arr.push_back(o);
	}
	return arr;
}

int cmd_version(bool json)
{
	std::string text;
	if (!read_file(debugfs_path(RMAPSCOPE_FILE_VERSION), text))
		return 1;
	auto records = rmapscope::parse_report(text);
	if (!records) {
		std::cerr << "rmapscope: malformed version file\n";
		return 1;
	}
	if (json) {
		std::cout << to_json(*records).dump(2) << "\n";
		return 0;
	}
	int missing = 0;
	for (const auto &r : *records) {
		if (r.kind == "rmapscope")
			std::cout << "module   " << r.get("version").value_or("?") << " (abi "
				  << r.get("abi").value_or("?") << ")\n";
		else if (r.kind == "kernel")
			std::cout << "kernel   " << r.get("release").value_or("?") << " "
				  << r.get("arch").value_or("?") << "\n";
		else if (r.kind == "symbol") {
			bool ok = r.get("resolved") == "1";
			missing += !ok && r.get("required") == "1";
			std::cout << "symbol   " << r.get("name").value_or("?") << (ok ? "  resolved" : "  MISSING")
				  << (r.get("required") == "1" ? "" : " (optional)") << "\n";
		}
	}
	return missing ? 1 : 0;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"rmapscope: who maps this page? (the kernel's reverse map, through rmapscope.ko)"};
	app.require_subcommand(1);

	bool json = false;
	auto *version = app.add_subcommand("version", "module version, kernel, and which rmap symbols resolved");
	version->add_flag("--json", json, "print JSON");

	CLI11_PARSE(app, argc, argv);
	if (*version)
		return cmd_version(json);
	return 2;
}
