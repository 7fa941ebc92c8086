// SPDX-License-Identifier: GPL-2.0
#include "report.hpp"

#include <algorithm>
#include <cstdlib>
#include <cxxabi.h>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "kallsyms.hpp"
#include "pfn.hpp"
#include "rmapsnoop.h"

namespace rmapsnoop {

namespace {

const char *fn_name(unsigned fn)
{
	switch (fn) {
	case RMAPSNOOP_FN_RMAP_WALK: return "rmap_walk";
	case RMAPSNOOP_FN_RMAP_WALK_LOCKED: return "rmap_walk_locked";
	case RMAPSNOOP_FN_FOLIO_REFERENCED: return "folio_referenced";
	case RMAPSNOOP_FN_TRY_TO_UNMAP: return "try_to_unmap";
	default: return "?";
	}
}

const char *kind_name(unsigned kind)
{
	static const char *names[] = {"file", "anon", "movable", "ksm"};
	return kind < 4 ? names[kind] : "?";
}

std::string result_text(const rmapsnoop_event &ev)
{
	if (ev.exit_lost)
		return "exit-lost";
	if (!ev.has_result)
		return "-";
	if (ev.fn == RMAPSNOOP_FN_TRY_TO_UNMAP)
		return ev.result ? "unmapped" : "mapped";
	return "refs=" + std::to_string(ev.result);
}

unsigned log2_bucket(uint64_t v)
{
	unsigned b = 0;
	while (v > 1 && b < 31) {
		v >>= 1;
		++b;
	}
	return b;
}

void print_hist(const char *title, const char *unit, const std::vector<uint64_t> &h)
{
	size_t last = 0;
	uint64_t max = 1;
	for (size_t i = 0; i < h.size(); ++i)
		if (h[i]) {
			last = i;
			max = std::max(max, h[i]);
		}
	std::printf("\n%s\n%24s : %-8s |%-40s|\n", title, unit, "count", "distribution");
	for (size_t i = 0; i <= last; ++i) {
		unsigned long lo = i ? 1UL << i : 0, hi = (1UL << (i + 1)) - 1;
		std::string bar(static_cast<size_t>(40 * h[i] / max), '*');
		std::printf("%10lu -> %-10lu : %-8lu |%-40s|\n", lo, hi, static_cast<unsigned long>(h[i]), bar.c_str());
	}
}

} // namespace

// rmapscope's C++ core has mangled names: show them as C++ does.
std::string demangle(const std::string &name)
{
	if (name.rfind("_Z", 0) != 0)
		return name;
	int status = 0;
	char *d = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
	std::string out = status == 0 && d ? d : name;
	std::free(d);
	return out;
}

Walk decode(const rmapsnoop_event &ev, const Kallsyms &ks, const PfnMap &pfns)
{
	Walk w{&ev, pfns.pfn(ev), "", {}};
	for (int i = 0; i < ev.nr_ips && i < RMAPSNOOP_STACK_DEPTH; ++i) {
		const Ksym *k = ks.find(ev.ips[i]);
		w.stack.push_back(k ? Frame{demangle(k->name), k->module} : Frame{"?", ""});
	}
	// Under fentry the stack starts in the BPF trampoline, which has no symbol of its own (the
	// nearest one is named): start at the traced function.
	for (size_t i = 0; i < w.stack.size(); ++i)
		if (w.stack[i].name == fn_name(ev.fn)) {
			w.stack.erase(w.stack.begin(), w.stack.begin() + static_cast<long>(i));
			break;
		}
	w.reason = classify(w.stack);
	return w;
}

void print_header()
{
	std::printf("%-8s %-7s %-16s %-10s %-16s %-12s %-5s %-4s %5s %5s %-10s %10s\n", "TIME", "PID", "COMM", "REASON",
		    "FUNC", "PFN", "KIND", "NR", "VMAS", "PVMW", "RESULT", "DUR_US");
}

void print_line(const Walk &w)
{
	const rmapsnoop_event &ev = *w.ev;
	char ts[16], pfn[24];
	std::time_t now = std::time(nullptr);
	std::strftime(ts, sizeof(ts), "%H:%M:%S", std::localtime(&now));
	std::snprintf(pfn, sizeof(pfn), "0x%llx", static_cast<unsigned long long>(w.pfn));
	std::printf("%-8s %-7u %-16.16s %-10s %-16s %-12s %-5s %-4u %5u %5u %-10s %10.1f\n", ts, ev.tgid, ev.comm,
		    w.reason.c_str(), fn_name(ev.fn), pfn, kind_name(ev.kind), ev.nr_pages, ev.rmap_one, ev.pvmw,
		    result_text(ev).c_str(), ev.duration_ns / 1000.0);
}

void print_json(const Walk &w)
{
	const rmapsnoop_event &ev = *w.ev;
	nlohmann::json j = {
		{"pid", ev.pid}, {"tgid", ev.tgid}, {"comm", std::string(ev.comm)}, {"reason", w.reason},
		{"function", fn_name(ev.fn)}, {"pfn", w.pfn}, {"kind", kind_name(ev.kind)},
		{"nr_pages", ev.nr_pages}, {"rmap_one", ev.rmap_one}, {"pvmw", ev.pvmw},
		{"duration_ns", ev.duration_ns}, {"start_ns", ev.start_ns},
	};
	if (!ev.has_result || ev.exit_lost)
		j["result"] = nullptr;
	else if (ev.fn == RMAPSNOOP_FN_TRY_TO_UNMAP)
		j["unmapped"] = ev.result != 0;
	else
		j["references"] = ev.result;
	nlohmann::json stack = nlohmann::json::array();
	for (const auto &f : w.stack)
		stack.push_back(f.module.empty() ? f.name : f.name + " [" + f.module + "]");
	j["stack"] = stack;
	j["stack_reused"] = ev.stack_reused != 0;
	if (ev.exit_lost)
		j["exit_lost"] = true;	// its return was never seen: result and duration unknown
	std::printf("%s\n", j.dump().c_str());
}

void Summary::add(const Walk &w)
{
	++walks_;
	per_reason_[w.reason]++;
	dur_hist_[log2_bucket(w.ev->duration_ns / 1000)]++;
	vma_hist_[log2_bucket(w.ev->rmap_one)]++;
	per_pfn_[w.pfn]++;
	if (w.ev->stack_reused)
		++stacks_reused_;
	else if (!w.ev->nr_ips)
		++stacks_none_;
}

void Summary::print() const
{
	std::printf("\n%lu walks\n%-12s %10s\n", static_cast<unsigned long>(walks_), "REASON", "WALKS");
	for (const auto &r : reasons())
		if (per_reason_.count(r))
			std::printf("%-12s %10lu\n", r.c_str(), static_cast<unsigned long>(per_reason_.at(r)));
	if (walks_ != stacks_none_)
		std::printf("stacks: %lu unwound, %lu reused from the same call chain\n",
			    static_cast<unsigned long>(walks_ - stacks_reused_ - stacks_none_),
			    static_cast<unsigned long>(stacks_reused_));
	print_hist("walk duration", "usecs", dur_hist_);
	print_hist("VMAs visited per walk", "vmas", vma_hist_);
	std::vector<std::pair<uint64_t, uint64_t>> top(per_pfn_.begin(), per_pfn_.end());
	std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
	std::printf("\n%-14s %8s\n", "TOP FOLIO PFN", "WALKS");
	for (size_t i = 0; i < top.size() && i < 10; ++i)
		std::printf("0x%-12lx %8lu\n", static_cast<unsigned long>(top[i].first),
			    static_cast<unsigned long>(top[i].second));
}

} // namespace rmapsnoop
