// SPDX-License-Identifier: GPL-2.0
#include "reason.hpp"

namespace rmapsnoop {

namespace {

bool has(const std::string &s, const char *part) { return s.find(part) != std::string::npos; }

struct Rule {
	const char *reason;
	bool (*match)(const Frame &);
};

const Rule kRules[] = {
	{"rmapscope", [](const Frame &f) { return f.module == "rmapscope"; }},
	{"compaction", [](const Frame &f) { return has(f.name, "compact"); }},
	{"reclaim", [](const Frame &f) {
		 return has(f.name, "shrink_") || has(f.name, "reclaim") || has(f.name, "kswapd") ||
			has(f.name, "evict_folios");
	 }},
	{"ksm", [](const Frame &f) { return has(f.name, "ksm"); }},
	{"page_idle", [](const Frame &f) { return has(f.name, "page_idle"); }},
	{"damon", [](const Frame &f) { return has(f.name, "damon"); }},
	{"migration", [](const Frame &f) { return has(f.name, "migrat"); }},
};

} // namespace

std::string classify(const std::vector<Frame> &stack)
{
	if (stack.empty()) // --no-stack, or the unwind failed
		return "unknown";
	for (const auto &rule : kRules)
		for (const auto &f : stack)
			if (rule.match(f))
				return rule.reason;
	return "other";
}

const std::vector<std::string> &reasons()
{
	static const std::vector<std::string> r = {"rmapscope", "compaction", "reclaim", "ksm",
						   "page_idle", "damon", "migration", "other", "unknown"};
	return r;
}

} // namespace rmapsnoop
