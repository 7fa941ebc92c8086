// SPDX-License-Identifier: GPL-2.0
// A walk response, parsed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "record.hpp"

namespace rmapscope {

struct WalkMap {
	std::vector<int> pids;
	uint64_t vma_start = 0, vma_end = 0, addr = 0;
	unsigned pages = 0;
	std::string level, prot, file, comm;
	bool young = false, dirty = false, write = false, mlock = false, gone = false;
};

struct WalkReply {
	int err = 0;
	std::string raw;
	Record folio;
	std::vector<WalkMap> maps;
	std::vector<Record> skips;
	Record walk;
	Record action; // the referenced or unmap line, if any

	uint64_t folio_pfn() const;
	uint64_t folio_pages() const;
	std::string kind() const { return folio.get("kind").value_or(""); }
};

struct CtlReply;
// A reply already read (one transaction per command), and a command sent and parsed.
WalkReply parse_walk_reply(const CtlReply &r);
WalkReply walk_command(const std::string &cmd);
uint64_t parse_num(const std::string &s); // decimal or 0x-hex; 0 on garbage
std::vector<int> parse_pids(const std::string &s);

} // namespace rmapscope
