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

#include "ctl_client.hpp"
#include "record.hpp"

namespace rmapscope {
namespace {

struct Proc {
	int pid = 0;
	std::string comm;
	unsigned long rss = 0, pss_kib = 0;
	std::map<int, unsigned long> peers; // pid -> this process's pages the peer maps too
};

unsigned long num(const Record &r, const char *key)
{
	return std::strtoul(r.get(key).value_or("0").c_str(), nullptr, 10);
}

// Every process with user memory, by one share command each. Processes that exit meanwhile, or
// have no memory (kernel threads: ESRCH), are left out.
std::vector<Proc> collect(const std::string &method)
{
	std::vector<int> pids;
	if (DIR *d = opendir("/proc")) {
		while (dirent *de = readdir(d)) {
			int pid = std::atoi(de->d_name);
			if (pid > 0)
				pids.push_back(pid);
		}
		closedir(d);
	}
	std::sort(pids.begin(), pids.end());
	std::vector<Proc> out;
	for (int pid : pids) {
		CtlReply r = ctl_transact("share pid=" + std::to_string(pid) + (method.empty() ? "" : " method=" + method) + "\n");
		if (r.err)
			continue;
		auto recs = parse_report(r.text);
		if (!recs || recs->empty() || (*recs)[0].kind != "share")
			continue;
		Proc p;
		p.pid = pid;
		std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
		std::getline(comm, p.comm);
		p.rss = num((*recs)[0], "rss");
		p.pss_kib = num((*recs)[0], "pss_bytes") / 1024;
		for (size_t i = 2; i < recs->size(); ++i)
			if ((*recs)[i].kind == "peer")
				p.peers[std::atoi((*recs)[i].get("pid").value_or("0").c_str())] = num((*recs)[i], "pages");
		if (p.rss)
			out.push_back(p);
	}
	return out;
}

// Pages a and b share: what a maps of b's, and b of a's, are the same pages unless one maps a
// page twice; the larger is taken.
unsigned long shared(const Proc &a, const Proc &b)
{
	auto x = a.peers.find(b.pid), y = b.peers.find(a.pid);
	return std::max(x == a.peers.end() ? 0UL : x->second, y == b.peers.end() ? 0UL : y->second);
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
	if (o.from.empty()) {
		// Whether ctl answers at all: the same words as every other verb when it does not.
		CtlReply probe = ctl_transact("share pid=1");
		if (!probe.opened) {
			print_failure(probe);
			return 1;
		}
	}
	std::vector<Proc> procs = o.from.empty() ? collect(o.method) : load(o.from);
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
