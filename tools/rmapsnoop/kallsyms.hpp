// SPDX-License-Identifier: GPL-2.0
// /proc/kallsyms, for naming the frames of a walk's kernel stack.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rmapsnoop {

struct Ksym {
	uint64_t addr;
	std::string name;
	std::string module; // "" for vmlinux
};

class Kallsyms {
public:
	// Reads /proc/kallsyms (text symbols only); false if unreadable or all addresses are 0.
	bool load(const std::string &path = "/proc/kallsyms");
	// The symbol containing addr, or nullptr.
	const Ksym *find(uint64_t addr) const;
	bool has(const std::string &name) const;
	// The address of a text symbol, or 0.
	uint64_t address(const std::string &name) const;

private:
	std::vector<Ksym> syms_;
};

} // namespace rmapsnoop
