// SPDX-License-Identifier: GPL-2.0
#include "graph.hpp"
#include "procs.hpp" // hex()

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

extern char **environ;

namespace rmapscope {

using nlohmann::json;

std::string dot_escape(const std::string &s)
{
	std::string o;
	for (char c : s) {
		if (c == '"' || c == '\\')
			o += '\\';
		if (c == '\n')
			o += "\\n"; // a line break in a label
		else
			o += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
	}
	return o;
}

uint64_t json_u64(const json &j, const char *key)
{
	return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

namespace {

uint64_t num(const json &j, const char *key)
{
	return json_u64(j, key);
}

std::string pids_of(const json &m)
{
	std::string s;
	for (const auto &p : m["pids"])
		s += (s.empty() ? "" : ",") + (p.is_number() ? std::to_string(p.get<long>()) : std::string("?"));
	return s.empty() ? "-" : s;
}

// The node id of the VMA a record names: its process and start (unique per mm).
std::string vma_node(const json &m)
{
	std::string p = pids_of(m);
	for (char &c : p)
		if (c == ',' || c == '?' || c == '-')
			c = '_';
	return "vma-" + p + "-" + hex(num(m, "vma_start"));
}

std::string vma_range(const json &m)
{
	char b[64];
	std::snprintf(b, sizeof(b), "%llx-%llx", static_cast<unsigned long long>(num(m, "vma_start")),
		      static_cast<unsigned long long>(num(m, "vma_end")));
	return b;
}

// One picture: nodes grouped into clusters by process, then free nodes and edges.
class Dot {
public:
	explicit Dot(const std::string &title)
	{
		head_ << "digraph rmap {\n"
		      << "  graph [rankdir=BT, fontname=\"Helvetica\", fontsize=13, labelloc=t, nodesep=0.25, ranksep=0.8, "
			 "pad=0.3, newrank=true, label=\""
		      << dot_escape(title) << "\"];\n"
		      << "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", "
			 "fillcolor=\"#ffffff\", color=\"#555555\"];\n"
		      << "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\"];\n";
	}
	// A node, in the cluster of process `proc` ("" for none); attrs without the brackets.
	void node(const std::string &id, const std::string &label, const std::string &attrs, const std::string &proc = "",
		  const std::string &proc_label = "")
	{
		if (!seen_.insert(id).second)
			return;
		std::string line = "\"" + id + "\" [id=\"" + id + "\", label=\"" + dot_escape(label) + "\"" +
				   (attrs.empty() ? "" : ", " + attrs) + "];\n";
		if (proc.empty()) {
			free_ += "  " + line;
		} else {
			auto &c = clusters_[proc];
			c.label = proc_label;
			c.body += "    " + line;
		}
	}
	void edge(const std::string &from, const std::string &to, const std::string &attrs = "")
	{
		edges_ += "  \"" + from + "\" -> \"" + to + "\"" + (attrs.empty() ? "" : " [" + attrs + "]") + ";\n";
	}
	std::string str() const
	{
		std::string s = head_.str();
		for (const auto &[key, c] : clusters_)
			s += "  subgraph \"cluster_" + key + "\" {\n    label=\"" + dot_escape(c.label) +
			     "\"; style=\"rounded\"; color=\"#999999\"; fontsize=11;\n" + c.body + "  }\n";
		return s + free_ + edges_ + "}\n";
	}

private:
	struct Cluster {
		std::string label, body;
	};
	std::ostringstream head_;
	std::map<std::string, Cluster> clusters_;
	std::set<std::string> seen_;
	std::string free_, edges_;
};

std::string proc_key(const json &m)
{
	std::string p = pids_of(m);
	for (char &c : p)
		if (c == ',' || c == '-')
			c = '_';
	return "p" + p;
}

std::string proc_label(const json &m)
{
	return "pid " + pids_of(m) + " · " + (m["comm"].is_string() ? m["comm"].get<std::string>() : "?");
}

void folio_node(Dot &d, const json &f)
{
	std::string label = "folio pfn " + hex(num(f, "pfn")) + "\n" + f.value("kind", "?") + " · " +
			    std::to_string(num(f, "nr_pages")) + " page(s) · mapcount " +
			    std::to_string(f.value("mapcount", -1)) + "\nindex " + hex(num(f, "index"));
	d.node("folio", label, "shape=note, fillcolor=\"#ffd966\", penwidth=2.5, class=\"folio\"");
}

const char *kMapped = "fillcolor=\"#b6d7a8\", penwidth=2, class=\"mapped\"";

// The mapping's level and address, from a record that maps the folio.
std::string mapped_at(const json &m)
{
	return m.value("level", std::string("pte")) + " at " + hex(num(m, "addr"));
}

void vma_node_of(Dot &d, const json &m)
{
	bool mapped = m.value("mapped", false);
	std::string label = "VMA " + vma_range(m) + "\n" + m.value("prot", std::string("?")) + " · pgoff " +
			    hex(num(m, "pgoff"));
	if (mapped)
		label += "\nmaps " + std::to_string(num(m, "pages")) + " page(s): " + mapped_at(m);
	d.node(vma_node(m), label, mapped ? kMapped : "class=\"vma\"", proc_key(m), proc_label(m));
}

// Each VMA that maps the folio, once: an edge to the folio.
void maps_edges(Dot &d, const json &recs, const std::function<std::string(const json &)> &node_of)
{
	std::set<std::string> done;
	for (const auto &m : recs) {
		if (!m.value("mapped", false))
			continue;
		std::string id = node_of(m);
		if (done.insert(id).second)
			d.edge(id, "folio", "color=\"#38761d\", penwidth=2, constraint=false, class=\"maps\"");
	}
}

void anon_tree(Dot &d, const json &t)
{
	// Whose own anon_vma each one is (vma->anon_vma), to name it after its processes.
	std::map<uint64_t, std::set<std::string>> owners;
	for (const auto &m : t["avcs"])
		if (m.value("own", false) && m["anon_vma"].is_number())
			owners[m["anon_vma"].get<uint64_t>()].insert(m["comm"].is_string() ? m["comm"].get<std::string>() : "?");
	for (const auto &a : t["anon_vmas"]) {
		uint64_t id = num(a, "id");
		bool root = a.value("root", false);
		std::string label = "anon_vma #" + std::to_string(id) + (root ? " (root)" : "");
		if (a["level"].is_number())
			label += " · level " + std::to_string(a["level"].get<int>());
		label += "\nrefcount " + std::to_string(a.value("refcount", 0)) + " · children " +
			 std::to_string(num(a, "children")) + "\nactive_vmas " + std::to_string(num(a, "active_vmas")) +
			 " · avcs " + std::to_string(num(a, "avcs"));
		std::string of;
		for (const auto &c : owners[id])
			of += (of.empty() ? "" : ", ") + c;
		if (!of.empty())
			label += "\nown anon_vma of " + of;
		bool own = a["level"].is_number() && a["level"].get<int>() == 0;
		d.node("av" + std::to_string(id), label,
		       std::string("shape=box, style=\"filled\", fillcolor=\"#cfe2f3\", class=\"anon_vma\"") +
			       (own ? ", penwidth=2.5" : ""));
	}
	for (const auto &a : t["anon_vmas"])
		if (!a.value("root", false) && a["parent"].is_number())
			d.edge("av" + std::to_string(num(a, "id")), "av" + std::to_string(a["parent"].get<uint64_t>()),
			       "label=\"parent\", style=dashed, class=\"parent\"");
	if (!t["anon_vmas"].empty())
		d.edge("av0", "folio", "dir=back, label=\"folio->mapping\", color=\"#b45f06\", penwidth=2, class=\"mapping\"");
	for (const auto &m : t["avcs"]) {
		vma_node_of(d, m);
		if (!m["anon_vma"].is_number())
			continue;
		bool own = m.value("own", false);
		d.edge(vma_node(m), "av" + std::to_string(m["anon_vma"].get<uint64_t>()),
		       own ? "color=\"#1c4587\", penwidth=2.5, label=\"own\", class=\"avc own\"" : "class=\"avc\"");
	}
	maps_edges(d, t["avcs"], vma_node);
}

void file_tree(Dot &d, const json &t, const json &f)
{
	std::string path = "?";
	for (const auto &m : t["mappings"])
		if (m["file"].is_string())
			path = m["file"].get<std::string>();
	d.node("mapping",
	       "address_space (" + f.value("kind", std::string("file")) + ")\n" + path + "\nnrpages " +
		       std::to_string(num(t, "pages")) + " · i_mmap VMAs " + std::to_string(num(t, "vmas")),
	       "style=\"filled\", fillcolor=\"#d9d2e9\", class=\"mapping\"");
	d.edge("mapping", "folio",
	       "dir=back, label=\"folio->mapping\\nindex " + hex(num(f, "index")) +
		       "\", color=\"#b45f06\", penwidth=2, class=\"mapping\"");
	for (const auto &m : t["mappings"]) {
		vma_node_of(d, m);
		d.edge(vma_node(m), "mapping", "dir=back, class=\"i_mmap\""); // drawn mapping -> VMA, VMAs below
	}
	maps_edges(d, t["mappings"], vma_node);
}

void ksm_tree(Dot &d, json items)
{
	d.node("stable", "stable node (KSM)\n" + std::to_string(items.size()) + " rmap item visit(s)",
	       "style=\"filled\", fillcolor=\"#f4cccc\", class=\"stable_node\"");
	d.edge("stable", "folio", "dir=back, label=\"folio->mapping\", color=\"#b45f06\", penwidth=2, class=\"mapping\"");
	for (size_t i = 0; i < items.size(); ++i) {
		json &m = items[i];
		std::string id = "item" + std::to_string(i);
		m["_node"] = id;
		bool mapped = m.value("mapped", false);
		std::string label = "rmap_item " + hex(num(m, "addr")) + "\nVMA " + vma_range(m) + "\nvisits " +
				    std::to_string(num(m, "visits")) + (mapped ? " · maps it" : " · not mapped");
		d.node(id, label, mapped ? kMapped : "class=\"rmap_item\"", proc_key(m), proc_label(m));
		d.edge(id, "stable", "dir=back, class=\"rmap_list\""); // drawn stable node -> item, items below
		if (m["anon_vma"].is_number()) {
			std::string av = "kav" + std::to_string(m["anon_vma"].get<uint64_t>());
			d.node(av, "anon_vma #" + std::to_string(m["anon_vma"].get<uint64_t>()) + "\n(the VMA's own)",
			       "shape=box, style=\"filled\", fillcolor=\"#cfe2f3\", class=\"anon_vma\"");
			d.edge(av, id, "dir=back, style=dashed, class=\"item_anon_vma\""); // item -> anon_vma, below it
		}
	}
	maps_edges(d, items, [](const json &m) { return m.value("_node", std::string()); });
}

} // namespace

std::string tree_dot(const json &reply, const std::string &title)
{
	Dot d(title);
	folio_node(d, reply["folio"]);
	const json &t = reply["tree"];
	std::string kind = t.value("kind", std::string());
	if (kind == "anon")
		anon_tree(d, t);
	else if (kind == "file")
		file_tree(d, t, reply["folio"]);
	else if (kind == "ksm")
		ksm_tree(d, t["rmap_items"]);
	return d.str();
}

std::string walk_dot(const json &reply, const std::string &title)
{
	Dot d(title);
	folio_node(d, reply["folio"]);
	size_t i = 0;
	for (const auto &m : reply["maps"]) {
		std::string id = "map" + std::to_string(i++);
		std::string ydw = std::string(m.value("young", false) ? "young " : "") + (m.value("dirty", false) ? "dirty " : "") +
				  (m.value("write", false) ? "write" : "");
		std::string label = "VMA " + vma_range(m) + " " + m.value("prot", std::string("?")) + "\n" + mapped_at(m) +
				    " · " + std::to_string(num(m, "pages")) + " page(s)\n" + (ydw.empty() ? "-" : ydw);
		d.node(id, label, kMapped, proc_key(m), proc_label(m));
		d.edge(id, "folio", "color=\"#38761d\", penwidth=2, label=\"" + m.value("level", std::string("pte")) +
					    "\", class=\"maps\"");
	}
	return d.str();
}

bool render_svg(const std::string &dot, const std::string &svg_path, std::string &err)
{
	std::string in = svg_path + ".dot.tmp", log = svg_path + ".log.tmp";
	{
		std::ofstream f(in);
		f << dot;
		if (!f) {
			err = "cannot write " + in;
			return false;
		}
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	std::vector<std::string> args = {"dot", "-Tsvg", in, "-o", svg_path};
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	pid_t pid;
	int rc = posix_spawnp(&pid, "dot", &fa, nullptr, argv.data(), environ);
	posix_spawn_file_actions_destroy(&fa);
	int status = 0;
	if (rc == 0)
		waitpid(pid, &status, 0);
	std::ifstream l(log);
	std::string words((std::istreambuf_iterator<char>(l)), std::istreambuf_iterator<char>());
	std::remove(in.c_str());
	std::remove(log.c_str());
	if (rc != 0) {
		err = "cannot run dot (Graphviz): " + std::string(std::strerror(rc));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !words.empty()) {
		err = "dot -Tsvg failed or warned: " + words;
		return false;
	}
	return true;
}

} // namespace rmapscope
