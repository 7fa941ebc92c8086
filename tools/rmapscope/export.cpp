// SPDX-License-Identifier: GPL-2.0
#include "export.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace rmapscope {
namespace {

// A Prometheus label value: backslash, double quote and line feed escaped (the exposition format).
std::string label(const std::string &v)
{
	std::string out;
	for (char ch : v) {
		if (ch == '\\')
			out += "\\\\";
		else if (ch == '"')
			out += "\\\"";
		else if (ch == '\n')
			out += "\\n";
		else
			out += ch;
	}
	return out;
}

struct Row {
	std::string pid, comm;
	unsigned long long rss = 0, pss = 0, uss = 0, shared = 0;	// bytes
};

struct Pair {
	const CensusProc *a, *b;
	Kinds kind;
	unsigned long pages;
};

// The processes given their own series, largest pss first, and "other" for the rest.
std::vector<Row> rows(const Census &c, unsigned top)
{
	std::vector<const CensusProc *> by;
	for (const CensusProc &p : c.procs)
		if (p.rss)
			by.push_back(&p);
	std::sort(by.begin(), by.end(), [](const CensusProc *a, const CensusProc *b) {
		return a->pss_bytes != b->pss_bytes ? a->pss_bytes > b->pss_bytes : a->pid < b->pid;
	});
	std::vector<Row> out;
	Row other{"other", "other"};
	for (size_t i = 0; i < by.size(); ++i) {
		const CensusProc &p = *by[i];
		Row r{std::to_string(p.pid), p.comm, p.rss * c.page_size, p.pss_bytes, p.uss * c.page_size,
		      (p.rss - p.uss) * c.page_size};
		if (i < top) {
			out.push_back(r);
			continue;
		}
		other.rss += r.rss;
		other.pss += r.pss;
		other.uss += r.uss;
		other.shared += r.shared;
	}
	if (by.size() > top)
		out.push_back(other);
	return out;
}

// The pairs sharing the most pages, among the 1024 processes of largest pss; ties by pid.
std::vector<Pair> top_pairs(const Census &c, unsigned n)
{
	std::vector<const CensusProc *> by;
	for (const CensusProc &p : c.procs)
		by.push_back(&p);
	std::sort(by.begin(), by.end(), [](const CensusProc *a, const CensusProc *b) { return a->pss_bytes > b->pss_bytes; });
	if (by.size() > 1024)
		by.resize(1024);
	// Numbered in pid order: a pair's positions (x, y) are then its pids' order, which breaks ties.
	std::sort(by.begin(), by.end(), [](const CensusProc *a, const CensusProc *b) { return a->pid < b->pid; });
	std::vector<unsigned> order;
	for (const CensusProc *p : by)
		order.push_back(p->id);
	std::vector<PairTotal> best = census_pair_totals(c, order);
	const auto more = [](const PairTotal &p, const PairTotal &q) {
		return p.pages != q.pages ? p.pages > q.pages : std::make_pair(p.x, p.y) < std::make_pair(q.x, q.y);
	};
	if (best.size() > n) {
		std::partial_sort(best.begin(), best.begin() + n, best.end(), more);
		best.resize(n);
	} else {
		std::sort(best.begin(), best.end(), more);
	}
	const std::vector<Kinds> kinds = census_pair_kinds(c, order, best);
	std::vector<Pair> out;
	for (size_t i = 0; i < best.size(); ++i)
		out.push_back({by[best[i].x], by[best[i].y], kinds[i], best[i].pages});
	return out;
}

void family(std::ostringstream &o, const char *name, const char *help)
{
	o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
}

bool write_atomically(const std::string &path, const std::string &text)
{
	const std::string tmp = path + ".tmp." + std::to_string(getpid());
	int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	size_t done = 0;
	while (done < text.size()) {
		ssize_t n = write(fd, text.data() + done, text.size() - done);
		if (n <= 0)
			break;
		done += static_cast<size_t>(n);
	}
	bool ok = done == text.size() && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp.c_str(), path.c_str()) == 0)
		return true;
	unlink(tmp.c_str());
	return false;
}

} // namespace

std::string prometheus_text(const Census &c, const ExportOptions &opt)
{
	std::ostringstream o;
	const std::vector<Row> rs = rows(c, opt.top);
	struct Col {
		const char *name, *help;
		unsigned long long Row::*field;
	};
	const Col cols[] = {
		{"rmapscope_process_rss_bytes", "Resident memory of the process: every page-table entry that maps a page, as smaps_rollup's Rss (less the vDSO).", &Row::rss},
		{"rmapscope_process_pss_bytes", "Proportional set size of the process, as smaps_rollup's Pss.", &Row::pss},
		{"rmapscope_process_uss_bytes", "Memory only this process maps, through one entry (smaps_rollup's Private_Clean + Private_Dirty).", &Row::uss},
		{"rmapscope_process_shared_bytes", "Resident memory that more than one entry maps (smaps_rollup's Shared_Clean + Shared_Dirty).", &Row::shared},
	};
	for (const Col &col : cols) {
		family(o, col.name, col.help);
		for (const Row &r : rs)
			o << col.name << "{pid=\"" << label(r.pid) << "\",comm=\"" << label(r.comm) << "\"} " << r.*col.field << "\n";
	}
	family(o, "rmapscope_pair_shared_bytes",
	       "Memory two processes both map, each page once, by kind of page: the pairs that share the most.");
	for (const Pair &p : top_pairs(c, opt.pairs))
		for (size_t k = 0; k < p.kind.size(); ++k)
			if (p.kind[k])
				o << "rmapscope_pair_shared_bytes{pid_a=\"" << p.a->pid << "\",comm_a=\"" << label(p.a->comm)
				  << "\",pid_b=\"" << p.b->pid << "\",comm_b=\"" << label(p.b->comm) << "\",kind=\"" << kKinds[k]
				  << "\"} " << p.kind[k] * c.page_size << "\n";
	family(o, "rmapscope_memory_bytes",
	       "Pages of LRU folios in RAM: mapped by some process, by none (page cache, swap cache), and mapped by more than one process.");
	o << "rmapscope_memory_bytes{state=\"mapped\"} " << c.mapped * c.page_size << "\n";
	o << "rmapscope_memory_bytes{state=\"unmapped\"} " << c.unmapped * c.page_size << "\n";
	o << "rmapscope_memory_bytes{state=\"shared\"} " << c.shared * c.page_size << "\n";
	family(o, "rmapscope_skipped_bytes", "RAM the scan did not attribute, by reason (docs/debugfs.md, phys: skips).");
	for (const auto &[reason, pages] : c.skips)
		o << "rmapscope_skipped_bytes{reason=\"" << label(reason) << "\"} " << pages * c.page_size << "\n";
	family(o, "rmapscope_unpaired_bytes", "Mapped memory left out of the pairs: past the room for sets of processes.");
	o << "rmapscope_unpaired_bytes " << c.sets_dropped * c.page_size << "\n";
	family(o, "rmapscope_processes", "Processes with mapped memory that the scan named.");
	o << "rmapscope_processes " << c.procs.size() << "\n";
	family(o, "rmapscope_processes_unnamed", "Address spaces met past the most the scan names (their pages count, not their names).");
	o << "rmapscope_processes_unnamed " << c.owners_dropped << "\n";
	family(o, "rmapscope_sharing_sets", "Distinct sets of processes that map the same pages.");
	o << "rmapscope_sharing_sets " << c.sets.size() << "\n";
	family(o, "rmapscope_scan_seconds", "How long the kernel's scan of all RAM took.");
	char secs[32];
	std::snprintf(secs, sizeof(secs), "%.6f", c.seconds);
	o << "rmapscope_scan_seconds " << secs << "\n";
	return o.str();
}

std::string export_json(const Census &c, const ExportOptions &opt)
{
	nlohmann::json procs = nlohmann::json::array(), pairs = nlohmann::json::array();
	for (const Row &r : rows(c, opt.top))
		procs.push_back({{"pid", r.pid}, {"comm", r.comm}, {"rss_bytes", r.rss}, {"pss_bytes", r.pss},
				 {"uss_bytes", r.uss}, {"shared_bytes", r.shared}});
	for (const Pair &p : top_pairs(c, opt.pairs)) {
		nlohmann::json kinds = nlohmann::json::object();
		for (size_t k = 0; k < p.kind.size(); ++k)
			kinds[kKinds[k]] = p.kind[k] * c.page_size;
		pairs.push_back({{"pid_a", p.a->pid}, {"comm_a", p.a->comm}, {"pid_b", p.b->pid}, {"comm_b", p.b->comm},
				 {"shared_bytes", kinds}});
	}
	nlohmann::json j{{"processes", procs},
			 {"pairs", pairs},
			 {"memory_bytes", {{"mapped", c.mapped * c.page_size}, {"unmapped", c.unmapped * c.page_size}, {"shared", c.shared * c.page_size}}},
			 {"skipped_pages", c.skips},
			 {"unpaired_bytes", c.sets_dropped * c.page_size},
			 {"processes_named", c.procs.size()},
			 {"processes_unnamed", c.owners_dropped},
			 {"sharing_sets", c.sets.size()},
			 {"scan_seconds", c.seconds}};
	// A comm is bytes: anything that is not UTF-8 becomes U+FFFD rather than an exception.
	return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int run_export(const ExportOptions &o)
{
	if (o.prometheus.empty() && o.json.empty()) {
		std::cerr << "rmapscope: export needs --prometheus FILE or --json FILE\n";
		return 1;
	}
	std::optional<Census> c;
	if (o.from.empty()) {
		c = take_census(o.method);
		if (!c)
			return 1;
	} else {
		std::ifstream in(o.from);
		std::stringstream ss;
		ss << in.rdbuf();
		c = parse_census(ss.str(), static_cast<unsigned long>(sysconf(_SC_PAGESIZE)));
		if (!c) {
			std::cerr << "rmapscope: " << o.from << " is not a reply of phys sets=1 format=json\n";
			return 1;
		}
	}
	if (!o.prometheus.empty() && !write_atomically(o.prometheus, prometheus_text(*c, o))) {
		std::cerr << "rmapscope: cannot write " << o.prometheus << ": " << std::strerror(errno) << "\n";
		return 1;
	}
	if (o.json == "-")
		std::cout << export_json(*c, o);
	else if (!o.json.empty() && !write_atomically(o.json, export_json(*c, o))) {
		std::cerr << "rmapscope: cannot write " << o.json << ": " << std::strerror(errno) << "\n";
		return 1;
	}
	return 0;
}

} // namespace rmapscope
