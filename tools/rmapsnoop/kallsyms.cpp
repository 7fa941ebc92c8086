// SPDX-License-Identifier: GPL-2.0
#include "kallsyms.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace rmapsnoop {

bool Kallsyms::load(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	bool nonzero = false;
	while (std::getline(in, line)) {
		std::istringstream ss(line);
		std::string addr, type, name, module;
		if (!(ss >> addr >> type >> name))
			continue;
		// Text symbols only, and no ELF mapping symbols ($x, $d, $x.123: arm64 modules on 6.1 list
		// them; the kernel hides them since 6.2): they name no function, and one sitting inside a
		// function once named its callers "$x" for one tracer and the function for another.
		if ((type != "t" && type != "T") || name.front() == '$')
			continue;
		ss >> module;
		if (module.size() > 2 && module.front() == '[')
			module = module.substr(1, module.size() - 2);
		else
			module.clear();
		Ksym k{std::stoull(addr, nullptr, 16), name, module};
		nonzero = nonzero || k.addr != 0;
		syms_.push_back(std::move(k));
	}
	std::stable_sort(syms_.begin(), syms_.end(), [](const Ksym &a, const Ksym &b) { return a.addr < b.addr; });
	return nonzero;
}

const Ksym *Kallsyms::find(uint64_t addr) const
{
	auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
				   [](uint64_t a, const Ksym &k) { return a < k.addr; });
	if (it == syms_.begin())
		return nullptr;
	return &*(it - 1);
}

uint64_t Kallsyms::address(const std::string &name) const
{
	auto it = std::find_if(syms_.begin(), syms_.end(), [&](const Ksym &k) { return k.name == name; });
	return it == syms_.end() ? 0 : it->addr;
}

bool Kallsyms::has(const std::string &name) const
{
	return std::any_of(syms_.begin(), syms_.end(), [&](const Ksym &k) { return k.name == name; });
}

} // namespace rmapsnoop
