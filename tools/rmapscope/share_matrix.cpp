// SPDX-License-Identifier: GPL-2.0
#include "share_matrix.hpp"
#include "graph.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "census.hpp"

namespace rmapscope {
namespace {

struct Proc {
	int pid = 0;
	std::string comm;
	unsigned long rss = 0, pss_kib = 0;
	std::map<int, unsigned long> peers; // pid -> this process's pages the peer maps too
};

// Every process with user memory, and the pages each pair of them shares, from one pass over
// the machine's memory (census.hpp). Pairs are made among the kPairProcs largest by rss (each
// set adds to every pair of its members: a set of n processes costs n * (n - 1) / 2).
constexpr size_t kPairProcs = 1024;

std::vector<Proc> collect(const std::string &method, bool &ok)
{
	std::vector<Proc> out;
	auto c = take_census(method);
	ok = c.has_value();
	if (!c)
		return out;
	std::vector<const CensusProc *> by_rss;
	for (const CensusProc &p : c->procs)
		if (p.rss)
			by_rss.push_back(&p);
	std::sort(by_rss.begin(), by_rss.end(), [](const CensusProc *a, const CensusProc *b) { return a->rss > b->rss; });
	std::vector<unsigned> order;	// pairs are made among these, numbered as by_rss
	for (size_t i = 0; i < by_rss.size() && i < kPairProcs; ++i)
		order.push_back(by_rss[i]->id);
	std::map<unsigned, Proc> procs;
	for (const CensusProc *p : by_rss)
		procs[p->id] = Proc{p->pid, p->comm, p->rss, static_cast<unsigned long>(p->pss_bytes / 1024), {}};
	for (const PairTotal &p : census_pair_totals(*c, order)) {
		const CensusProc *a = by_rss[p.x], *b = by_rss[p.y];
		procs[a->id].peers[b->pid] = p.pages;
		procs[b->id].peers[a->pid] = p.pages;
	}
	for (const CensusProc *p : by_rss)
		out.push_back(procs[p->id]);
	std::sort(out.begin(), out.end(), [](const Proc &a, const Proc &b) { return a.pid < b.pid; });
	return out;
}

// Pages a and b both map, each page once.
unsigned long shared(const Proc &a, const Proc &b)
{
	auto x = a.peers.find(b.pid);
	return x == a.peers.end() ? 0UL : x->second;
}

std::string label(const Proc &p)
{
	return std::to_string(p.pid) + " " + p.comm;
}

bool write_dot(const std::vector<Proc> &top, const std::string &file, unsigned edges)
{
	struct Edge {
		size_t a, b;
		unsigned long pages;
	};
	std::vector<Edge> all;
	for (size_t i = 0; i < top.size(); ++i)
		for (size_t j = i + 1; j < top.size(); ++j)
			if (unsigned long s = shared(top[i], top[j]))
				all.push_back({i, j, s});
	std::sort(all.begin(), all.end(), [](const Edge &x, const Edge &y) { return x.pages > y.pages; });
	if (all.size() > edges)
		all.resize(edges);
	unsigned long most = all.empty() ? 1 : all.front().pages;
	std::ofstream f(file);
	f << "graph sharing {\n  graph [overlap=false, splines=true, fontname=\"Helvetica\", label=\"pages shared "
	     "between processes (rmapscope share --all)\"];\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
	     "  edge [fontname=\"Helvetica\", fontsize=10];\n";
	for (size_t i = 0; i < top.size(); ++i)
		f << "  p" << top[i].pid << " [label=\"" << dot_escape(label(top[i])) << "\\nrss " << top[i].rss
		  << " pages\"];\n";
	for (const Edge &e : all)
		f << "  p" << top[e.a].pid << " -- p" << top[e.b].pid << " [label=\"" << e.pages << "\", penwidth="
		  << 1 + 5.0 * e.pages / most << "];\n";
	f << "}\n";
	return static_cast<bool>(f);
}

bool write_png(const std::vector<Proc> &top, const std::string &file)
{
	std::string data = file + ".dat", script = file + ".gp";
	{
		std::ofstream d(data);
		for (size_t i = 0; i < top.size(); ++i)
			for (size_t j = 0; j < top.size(); ++j)
				d << i << " " << j << " " << (i == j ? top[i].rss : shared(top[i], top[j])) << "\n";
	}
	std::ofstream g(script);
	g << "set terminal png size " << 420 + 36 * top.size() << "," << 240 + 36 * top.size()
	  << " noenhanced\nset output \"" << file << "\"\n"
	  << "set title \"pages shared between processes (diagonal: rss), rmapscope share --all\"\n"
	  << "set xrange [-0.5:" << top.size() - 0.5 << "]\nset yrange [" << top.size() - 0.5 << ":-0.5]\n"
	  << "set cblabel \"pages\"\nset palette defined (0 \"white\", 1 \"#fde0c5\", 2 \"#f59e72\", 3 \"#c2374a\", 4 \"#5b1a4f\")\n"
	  << "set logscale cb\nset cbrange [1:*]\nset xtics rotate by 45 right\nset size ratio -1\n";
	g << "set xtics (";
	for (size_t i = 0; i < top.size(); ++i)
		g << (i ? ", " : "") << "\"" << dot_escape(label(top[i])) << "\" " << i;
	g << ")\nset ytics (";
	for (size_t i = 0; i < top.size(); ++i)
		g << (i ? ", " : "") << "\"" << dot_escape(label(top[i])) << "\" " << i;
	g << ")\nplot \"" << data << "\" using 1:2:($3 > 0 ? $3 : 1/0) with image notitle, \\\n     \"" << data
	  << "\" using 1:2:($3 > 0 ? sprintf(\"%d\", $3) : \"\") with labels font \",8\" notitle\n";
	g.close();
	std::string cmd = "gnuplot \"" + script + "\"";
	if (std::system(cmd.c_str()) != 0) {
		std::cerr << "rmapscope: gnuplot failed or is not installed; the script is " << script << "\n";
		return false;
	}
	return true;
}

} // namespace

// A matrix saved by share --all --json.
std::vector<Proc> load(const std::string &file)
{
	std::vector<Proc> out;
	std::ifstream in(file);
	nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
	if (j.is_discarded() || !j.contains("processes"))
		return out;
	for (const auto &e : j["processes"]) {
		Proc p;
		p.pid = e.value("pid", 0);
		p.comm = e.value("comm", "");
		p.rss = e.value("rss", 0UL);
		p.pss_kib = e.value("pss_kib", 0UL);
		for (const auto &[pid, pages] : e["shared"].items())
			p.peers[std::atoi(pid.c_str())] = pages.get<unsigned long>();
		out.push_back(p);
	}
	return out;
}

int run_share_matrix(const MatrixOptions &o)
{
	bool ok = true;
	std::vector<Proc> procs = o.from.empty() ? collect(o.method, ok) : load(o.from);
	if (!ok)
		return 1;	// take_census() said why
	if (procs.empty() && !o.from.empty()) {
		std::cerr << "rmapscope: " << o.from << " is not a matrix saved by share --all --json\n";
		return 1;
	}
	if (procs.empty()) {
		std::cerr << "rmapscope: no process answered share\n";
		return 1;
	}
	if (o.json) {
		nlohmann::json j = nlohmann::json::array();
		for (const Proc &p : procs) {
			nlohmann::json peers = nlohmann::json::object();
			for (const auto &[pid, pages] : p.peers)
				peers[std::to_string(pid)] = pages;
			j.push_back({{"pid", p.pid}, {"comm", p.comm}, {"rss", p.rss}, {"pss_kib", p.pss_kib}, {"shared", peers}});
		}
		// A comm is bytes: anything that is not UTF-8 becomes U+FFFD rather than an exception.
		std::cout << nlohmann::json{{"processes", j}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
			  << "\n";
	}
	std::vector<Proc> top = procs;
	std::sort(top.begin(), top.end(), [](const Proc &a, const Proc &b) { return a.rss > b.rss; });
	if (top.size() > o.top)
		top.resize(o.top);
	if (!o.json) {
		std::printf("pages shared between the %zu largest of %zu processes (diagonal: rss)\n\n%-22s", top.size(),
			    procs.size(), "");
		for (const Proc &p : top)
			std::printf(" %8d", p.pid);
		std::printf("\n");
		for (const Proc &a : top) {
			std::printf("%-22.22s", label(a).c_str());
			for (const Proc &b : top)
				std::printf(" %8lu", a.pid == b.pid ? a.rss : shared(a, b));
			std::printf("\n");
		}
	}
	if (!o.dot.empty() && !write_dot(top, o.dot, 2 * o.top)) {
		std::cerr << "rmapscope: cannot write " << o.dot << "\n";
		return 1;
	}
	if (!o.png.empty() && !write_png(top, o.png))
		return 1;
	return 0;
}

} // namespace rmapscope
