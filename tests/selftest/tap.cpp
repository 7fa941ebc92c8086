// SPDX-License-Identifier: GPL-2.0
#include "tap.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace rmapscope {
namespace {

// With RS_TAP_TIMES set, each result is followed by the seconds since the one before (a comment
// line, which TAP parsers ignore): where a slow run spends its time.
void elapsed()
{
	static const bool on = std::getenv("RS_TAP_TIMES") != nullptr;
	if (!on)
		return;
	static auto last = std::chrono::steady_clock::now();
	auto now = std::chrono::steady_clock::now();
	std::printf("# time %.3f s\n", std::chrono::duration<double>(now - last).count());
	last = now;
}

} // namespace

void Tap::ok(bool cond, const std::string &desc, const std::string &diag)
{
	++n_;
	if (!cond)
		++failed_;
	std::printf("%s %d - %s\n", cond ? "ok" : "not ok", n_, desc.c_str());
	if (!cond && !diag.empty()) {
		size_t pos = 0;
		while (pos < diag.size()) {
			size_t nl = diag.find('\n', pos);
			if (nl == std::string::npos)
				nl = diag.size();
			std::printf("# %s\n", diag.substr(pos, nl - pos).c_str());
			pos = nl + 1;
		}
	}
	elapsed();
	std::fflush(stdout);
}

void Tap::skip(const std::string &desc, const std::string &why)
{
	std::printf("ok %d - %s # SKIP %s\n", ++n_, desc.c_str(), why.c_str());
	elapsed();
	std::fflush(stdout);
}

void Tap::plan() const
{
	std::printf("1..%d\n", n_);
}

} // namespace rmapscope
