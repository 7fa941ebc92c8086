// SPDX-License-Identifier: GPL-2.0
// A recorded tour drawn as files: each view's tree and walk as DOT and SVG, and one HTML page
// that carries the SVGs inline (nothing is fetched when it is opened).
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "graph.hpp"
#include "procs.hpp" // hex()
#include "tour.hpp"

namespace rmapscope {

using nlohmann::json;

namespace {

std::string html_escape(const std::string &s)
{
	std::string o;
	for (char c : s) {
		switch (c) {
		case '&': o += "&amp;"; break;
		case '<': o += "&lt;"; break;
		case '>': o += "&gt;"; break;
		case '"': o += "&quot;"; break;
		default: o += c;
		}
	}
	return o;
}

// An explanation: `name` becomes <code>name</code>, the rest is escaped.
std::string prose(const std::string &s)
{
	std::string o;
	bool in_code = false;
	size_t from = 0;
	for (size_t i = 0; i <= s.size(); ++i) {
		if (i < s.size() && s[i] != '`')
			continue;
		o += html_escape(s.substr(from, i - from));
		if (i < s.size())
			o += in_code ? "</code>" : "<code>";
		in_code = !in_code;
		from = i + 1;
	}
	return o;
}

std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool write(const std::string &path, const std::string &text)
{
	std::ofstream f(path);
	return static_cast<bool>(f << text);
}

uint64_t u64(const json &j, const char *k)
{
	return json_u64(j, k);
}

std::string walk_table(const json &walk)
{
	std::string t = "<table><tr><th>pid</th><th>comm</th><th>VMA</th><th>prot</th><th>address</th><th>level</th>"
			"<th>pages</th><th>young</th><th>dirty</th><th>write</th></tr>\n";
	for (const auto &m : walk["maps"]) {
		std::string pids;
		for (const auto &p : m["pids"])
			pids += (pids.empty() ? "" : ",") + p.dump();
		t += "<tr><td>" + html_escape(pids) + "</td><td>" + html_escape(m.value("comm", std::string())) + "</td><td>" +
		     hex(u64(m, "vma_start")) + "-" + hex(u64(m, "vma_end")) + "</td><td>" +
		     html_escape(m.value("prot", std::string())) + "</td><td>" + hex(u64(m, "addr")) + "</td><td>" +
		     html_escape(m.value("level", std::string())) + "</td><td>" + std::to_string(u64(m, "pages")) +
		     "</td><td>" + (m.value("young", false) ? "y" : "-") + "</td><td>" + (m.value("dirty", false) ? "y" : "-") +
		     "</td><td>" + (m.value("write", false) ? "y" : "-") + "</td></tr>\n";
	}
	if (walk["maps"].empty())
		t += "<tr><td colspan=\"10\">no page-table entry maps the page</td></tr>\n";
	return t + "</table>\n";
}

constexpr const char *kStyle = R"(
body { font-family: Helvetica, Arial, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-top: 2px solid #ccc; padding-top: .8em; margin-top: 2em; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; }
pre { background: #f4f4f4; padding: .6em; overflow-x: auto; }
figure { margin: 1em 0; overflow-x: auto; } figcaption { font-weight: bold; margin-bottom: .3em; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; }
td, th { border: 1px solid #bbb; padding: 2px 6px; text-align: left; font-family: monospace; }
ul.checks { list-style: none; padding-left: 0; } .ok::before { content: "\2713  "; color: #38761d; }
.bad { color: #b00; } .bad::before { content: "\2717  "; }
.legend { background: #fafafa; border: 1px solid #ddd; padding: .6em 1em; font-size: .9em; }
)";

constexpr const char *kLegend =
	"<p class=\"legend\"><b>Reading the pictures.</b> Yellow note: the folio being followed. Blue boxes: anon_vmas "
	"(a thick border: the folio's own, level 0), with dashed arrows to their parents. A plain arrow from a VMA to an "
	"anon_vma is one AVC; the bold blue one (\"own\") points to the VMA's own anon_vma (<code>vma->anon_vma</code>). "
	"Green: the VMAs (or rmap items) where a page-table entry maps the folio, with a green arrow to it; white ones are "
	"named by the rmap tree but map nothing. Boxes are grouped by process.</p>\n";

} // namespace

int tour_render(const json &bundle, const std::string &dir)
{
	mkdir(dir.c_str(), 0755);
	std::string kernel = bundle.value("kernel", std::string("?")), arch = bundle.value("arch", std::string("?"));
	std::ostringstream h;
	h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>rmapscope tour: the reverse map on "
	  << html_escape(kernel) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n"
	  << "<h1>The reverse map, step by step</h1>\n<p>Recorded on Linux <code>" << html_escape(kernel) << "</code> ("
	  << html_escape(arch) << ") on " << html_escape(bundle.value("date", std::string("?")))
	  << " by <code>rmapscope tour</code>: every picture is the module's answer on that kernel, and every step was "
	     "checked against <code>/proc/*/pagemap</code> (" << bundle.value("checks", 0) << " checks, "
	  << bundle.value("failed", 0) << " failed).</p>\n"
	  << kLegend << "<ol>\n";
	for (const auto &s : bundle["steps"])
		h << "<li><a href=\"#step" << s.value("n", 0) << "\">" << html_escape(s.value("title", std::string()))
		  << "</a></li>\n";
	h << "</ol>\n";

	int rc = 0;
	json pictures = json::array(); // which file draws which reply: for scripts/check-pictures
	for (const auto &s : bundle["steps"]) {
		int n = s.value("n", 0);
		char tag[16];
		std::snprintf(tag, sizeof(tag), "step%02d", n);
		h << "<h2 id=\"step" << n << "\">" << n << ". " << html_escape(s.value("title", std::string())) << "</h2>\n";
		h << "<pre>";
		for (const auto &d : s["did"])
			h << html_escape(d.get<std::string>()) << "\n";
		h << "</pre>\n<p>" << prose(s.value("explain", std::string())) << "</p>\n";
		if (s.contains("skipped"))
			h << "<p class=\"bad\">Skipped on this kernel: " << html_escape(s["skipped"].get<std::string>()) << "</p>\n";
		int vi = 0;
		for (const auto &v : s["views"]) {
			std::string name = v.value("name", std::string("view")), target = v.value("target", std::string());
			h << "<h3>" << html_escape(name) << " <small><code>" << html_escape(target) << "</code></small></h3>\n";
			for (const char *what : {"tree", "walk"}) {
				const json &reply = v[what];
				if (!reply.contains("folio"))
					continue;
				std::string base = std::string(tag) + "-" + std::to_string(++vi) + "-" + what;
				std::string title = std::to_string(n) + ". " + name + ": " + what + " " + target +
						    (std::string(what) == "tree" ? " family=1" : "") + "   (" + kernel + ")";
				std::string dot = std::string(what) == "tree" ? tree_dot(reply, title) : walk_dot(reply, title);
				std::string err;
				if (!write(dir + "/" + base + ".dot", dot) || !render_svg(dot, dir + "/" + base + ".svg", err)) {
					std::cerr << "rmapscope: " << base << ": " << err << "\n";
					rc = 1;
					continue;
				}
				pictures.push_back({{"file", base}, {"step", n}, {"view", v.value("name", std::string())}, {"what", what}});
				std::string svg = slurp(dir + "/" + base + ".svg");
				size_t at = svg.find("<svg");
				h << "<figure><figcaption>" << what << " (<a href=\"" << base << ".svg\">" << base
				  << ".svg</a>)</figcaption>\n" << (at == std::string::npos ? "" : svg.substr(at)) << "</figure>\n";
			}
			if (v["walk"].contains("maps"))
				h << walk_table(v["walk"]);
		}
		h << "<ul class=\"checks\">\n";
		for (const auto &c : s["checks"])
			h << "<li class=\"" << (c.value("ok", false) ? "ok" : "bad") << "\">"
			  << html_escape(c.value("what", std::string())) << "</li>\n";
		h << "</ul>\n";
	}
	h << "</body>\n</html>\n";
	json saved = bundle;
	saved["pictures"] = pictures;
	if (!write(dir + "/index.html", h.str()) || !write(dir + "/tour.json", saved.dump(1) + "\n")) {
		std::cerr << "rmapscope: cannot write into " << dir << "\n";
		return 1;
	}
	return rc;
}

} // namespace rmapscope
