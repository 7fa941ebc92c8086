// SPDX-License-Identifier: GPL-2.0
// rmapscope: the command-line face of rmapscope.ko.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "../../include/rmapscope/abi.h"
#include "ctl_client.hpp"
#include "completion.hpp"
#include "demo.hpp"
#include "doctor.hpp"
#include "export.hpp"
#include "graph.hpp"
#include "record.hpp"
#include "share_matrix.hpp"
#include "share_view.hpp"
#include "tour.hpp"
#include "walk_reply.hpp"

// The user's command line: version, walk, tree, referenced, unmap, share, phys, export, demo and tour (and
// the hidden "completion bash"). The test harness (selftest, hostile, fixture, bench) is
// rmapscope-selftest, in tests/selftest/.
namespace {

using rmapscope::debugfs_path;

// Reads a whole debugfs file; on failure says why (module not loaded, not root, ...).
bool read_file(const std::string &path, std::string &out)
{
	std::ifstream in(path);
	if (!in) {
		std::cerr << "rmapscope: " << rmapscope::explain_open_failure(path, errno);
		return false;
	}
	std::stringstream ss;
	ss << in.rdbuf();
	out = ss.str();
	return true;
}

nlohmann::json to_json(const std::vector<rmapscope::Record> &records)
{
	nlohmann::json arr = nlohmann::json::array();
	for (const auto &r : records) {
		nlohmann::json o;
		o["kind"] = r.kind;
		for (const auto &[k, v] : r.fields)
			o[k] = v;
		arr.push_back(o);
	}
	return arr;
}

int cmd_version(bool json)
{
	std::string text;
	if (!read_file(debugfs_path(RMAPSCOPE_FILE_VERSION), text))
		return 1;
	auto records = rmapscope::parse_report(text);
	if (!records) {
		std::cerr << "rmapscope: malformed version file\n";
		return 1;
	}
	if (json) {
		std::cout << to_json(*records).dump(2) << "\n";
		return 0;
	}
	int missing = 0;
	for (const auto &r : *records) {
		if (r.kind == "rmapscope")
			std::cout << "module   " << r.get("version").value_or("?") << " (abi "
				  << r.get("abi").value_or("?") << ")\n";
		else if (r.kind == "kernel")
			std::cout << "kernel   " << r.get("release").value_or("?") << " "
				  << r.get("arch").value_or("?") << "\n";
		else if (r.kind == "symbol") {
			bool ok = r.get("resolved") == "1";
			missing += !ok && r.get("required") == "1";
			std::cout << "symbol   " << r.get("name").value_or("?") << (ok ? "  resolved" : "  MISSING")
				  << (r.get("required") == "1" ? "" : " (optional)") << "\n";
		}
	}
	return missing ? 1 : 0;
}

struct Target {
	long pid = -1;	// -1: not given
	std::string addr, pfn;
	bool all_owners = false; // walk --all-owners: every process of a CLONE_VM-shared mm
	bool given() const
	{
		if (!pfn.empty())
			return true;
		if (pid != -1 && pid <= 0) {
			std::cerr << "rmapscope: --pid must be a process id above 0, got " << pid << "\n";
			return false;
		}
		if (pid > 0 && !addr.empty())
			return true;
		std::cerr << "rmapscope: give --pid and --addr, or --pfn\n";
		return false;
	}
	std::string command(const std::string &verb) const
	{
		const std::string owners = all_owners ? " owners=all" : "";
		if (!pfn.empty())
			return verb + " pfn=" + pfn + owners;
		return verb + " pid=" + std::to_string(pid) + " addr=" + addr + owners;
	}
};

// One ctl transaction: the module's reply, or nothing once its refusal (or why ctl could not be
// opened) is printed on stderr, as every verb prints it.
std::optional<std::string> ask(const std::string &cmd)
{
	rmapscope::CtlReply r = rmapscope::ctl_transact(cmd + "\n");
	if (r.err) {
		rmapscope::print_failure(r);
		return std::nullopt;
	}
	return std::move(r.text);
}

// --pid with --addr, or --pfn: the same for every command that names a page.
void add_target_options(CLI::App *cmd, Target &t, bool pid_needs_addr = true)
{
	auto *pid = cmd->add_option("--pid", t.pid, "process id (with --addr)")->type_name("PID");
	auto *addr = cmd->add_option("--addr", t.addr, "user address, decimal or 0x-hex (with --pid)");
	auto *pfn = cmd->add_option("--pfn", t.pfn, "page frame number, decimal or 0x-hex");
	if (pid_needs_addr)
		pid->needs(addr);
	addr->needs(pid);
	pfn->excludes(pid)->excludes(addr);
}

// The table of a walk's reply in the module's text format (from the module, or a saved one).
int print_walk_table(const rmapscope::CtlReply &r)
{
	rmapscope::WalkReply w = rmapscope::parse_walk_reply(r);
	if (w.err) {
		std::cerr << "rmapscope: the module's walk reply does not parse:\n" << r.text;
		return 1;
	}
	std::cout << "folio pfn " << w.folio.get("pfn").value_or("?") << "  " << w.kind() << "  "
		  << w.folio.get("nr_pages").value_or("?") << " page(s)  mapcount "
		  << w.folio.get("mapcount").value_or("?")
		  << (w.folio.get("flags") ? "  flags " + std::string(*w.folio.get("flags")) : std::string()) << "\n\n";
	std::printf("%-14s %-16s %-33s %-5s %-18s %-5s %-5s %-3s %s\n", "PID", "COMM", "VMA", "PROT", "ADDR",
		    "LEVEL", "PAGES", "YDW", "FILE");
	for (const auto &m : w.maps) {
		std::string pids;
		for (int p : m.pids)
			pids += (pids.empty() ? "" : ",") + std::to_string(p);
		char vma[64], addr[32], ydw[4] = {m.young ? 'y' : '-', m.dirty ? 'd' : '-', m.write ? 'w' : '-', 0};
		std::snprintf(vma, sizeof(vma), "%lx-%lx", (unsigned long)m.vma_start, (unsigned long)m.vma_end);
		std::snprintf(addr, sizeof(addr), "%lx", (unsigned long)m.addr);
		std::printf("%-14s %-16s %-33s %-5s %-18s %-5s %-5u %-3s %s\n", pids.c_str(), m.comm.c_str(), vma,
			    m.prot.c_str(), addr, m.level.c_str(), m.pages, ydw, m.file.c_str());
	}
	for (const auto &s : w.skips)
		std::cout << "skipped  pid " << s.get("pid").value_or("-") << "  vma " << s.get("vma").value_or("?")
			  << "  (the rmap tree names this VMA, but no entry in it maps the folio)\n";
	// A walk read from a crash dump has no time (ns=).
	auto ns = w.walk.get("ns");
	std::cout << "\n" << w.walk.get("maps").value_or("?") << " mapping(s) in " << w.walk.get("vmas").value_or("?")
		  << " VMA(s) visited" << (ns ? ", walk took " + std::string(*ns) + " ns" : std::string())
		  << (w.walk.get("truncated") == "1" ? " (truncated: raise --max)" : "") << "\n";
	return 0;
}

int cmd_walk(const Target &t, bool json, unsigned max)
{
	std::string cmd = t.command("walk");
	if (json)
		cmd += " format=json";
	if (max)
		cmd += " max=" + std::to_string(max);
	// One transaction: the table below is drawn from this reply, not from a second walk.
	rmapscope::CtlReply r = rmapscope::ctl_transact(cmd + "\n");
	if (r.err) {
		rmapscope::print_failure(r);
		return 1;
	}
	if (json) {
		std::cout << r.text;
		return 0;
	}
	return print_walk_table(r);
}

// tree, referenced and unmap print the module's reply as it is: key=value records or JSON
// (docs/debugfs.md); a refusal goes to stderr as every verb's does.
int cmd_passthrough(const std::string &cmd)
{
	auto reply = ask(cmd);
	if (!reply)
		return 1;
	std::cout << *reply;
	return 0;
}

// tree/walk --dot FILE | --svg FILE: the module's JSON drawn as a picture (graph.hpp).
struct Picture {
	std::string dot, svg;
	bool wanted() const { return !dot.empty() || !svg.empty(); }
};

void add_picture_options(CLI::App *cmd, Picture &p)
{
	cmd->add_option("--dot", p.dot, "write a Graphviz picture of the reply to this file")->type_name("FILE");
	cmd->add_option("--svg", p.svg, "render the picture to this SVG file (needs Graphviz's dot)")->type_name("FILE");
}

// The picture of a reply in the module's JSON format; the reply is printed too.
int draw_picture(const std::string &reply, const std::string &cmd, bool tree, const Picture &p)
{
	auto j = nlohmann::json::parse(reply, nullptr, false);
	if (j.is_discarded() || !j.is_object() || !j.contains("folio") || !j.contains(tree ? "tree" : "maps")) {
		std::cerr << "rmapscope: the reply to '" << cmd << "' is not the module's JSON:\n" << reply;
		return 1;
	}
	std::string dot = tree ? rmapscope::tree_dot(j, cmd) : rmapscope::walk_dot(j, cmd);
	if (!p.dot.empty()) {
		std::ofstream f(p.dot);
		if (!(f << dot)) {
			std::cerr << "rmapscope: cannot write " << p.dot << "\n";
			return 1;
		}
	}
	std::string err;
	if (!p.svg.empty() && !rmapscope::render_svg(dot, p.svg, err)) {
		std::cerr << "rmapscope: " << err << "\n";
		return 1;
	}
	std::cout << reply;
	return 0;
}

int cmd_picture(const std::string &cmd, bool tree, const Picture &p)
{
	auto reply = ask(cmd + " format=json");
	return reply ? draw_picture(*reply, cmd, tree, p) : 1;
}

// walk/tree --from FILE: a reply saved elsewhere, drawn with no module: the module's own, or
// rmapscope-drgn's from a crash dump or /proc/kcore (docs/postmortem.md). walk's table, and
// tree's records as they are, come from the text format; --dot/--svg from the JSON one.
int cmd_from(const std::string &path, bool tree, const Picture &p)
{
	const std::string verb = tree ? "tree" : "walk";
	std::ifstream f(path);
	if (!f.is_open()) {
		std::cerr << "rmapscope: cannot read " << path << ": " << std::strerror(errno) << "\n";
		return 1;
	}
	std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	const bool json = text.find_first_not_of(" \t\r\n") != std::string::npos && text[text.find_first_not_of(" \t\r\n")] == '{';
	if (p.wanted()) {
		if (!json) {
			std::cerr << "rmapscope: --dot and --svg draw from the JSON format (" << verb << " --json, rmapscope-drgn "
				  << verb << " --format json); " << path << " is text\n";
			return 1;
		}
		return draw_picture(text, verb + " --from " + path, tree, p);
	}
	if (tree) { // as `rmapscope tree` prints a reply: as it is
		std::cout << text;
		return 0;
	}
	if (json) {
		std::cerr << "rmapscope: the table is drawn from the text format (the module's default, rmapscope-drgn's "
			     "default); " << path << " is JSON: give --dot or --svg to draw it\n";
		return 1;
	}
	rmapscope::CtlReply r;
	r.text = std::move(text);
	return print_walk_table(r);
}

// tour --record prints a recording; --out draws one (recorded here, or --from a file).
int cmd_tour(const std::string &out, const std::string &from, bool record)
{
	if (!record && out.empty()) {
		std::cerr << "rmapscope: tour needs --out DIR (or --record)\n";
		return 2;
	}
	nlohmann::json bundle;
	if (!from.empty()) {
		std::ifstream f(from);
		bundle = nlohmann::json::parse(f, nullptr, false);
		if (bundle.is_discarded() || !bundle.contains("steps")) {
			std::cerr << "rmapscope: " << from << " is not a recorded tour\n";
			return 1;
		}
	} else {
		std::string version;
		if (!read_file(debugfs_path(RMAPSCOPE_FILE_VERSION), version))
			return 1; // read_file said why
		bundle = rmapscope::tour_record();
	}
	if (record)
		std::cout << bundle.dump(1) << "\n";
	else if (rmapscope::tour_render(bundle, out) != 0)
		return 1;
	else
		std::cout << "tour: " << out << "/index.html (" << bundle["steps"].size() << " steps, "
			  << bundle.value("checks", 0) << " checks, " << bundle.value("failed", 0) << " failed)\n";
	return bundle.value("failed", 0) ? 1 : 0;
}

// share and phys: the module's reply drawn as a table for people by print.
int cmd_table(const std::string &cmd, bool (*print)(const std::string &))
{
	auto reply = ask(cmd);
	if (!reply)
		return 1;
	if (!print(*reply)) {
		std::cerr << "rmapscope: the module's reply to '" << cmd << "' does not parse:\n" << *reply;
		return 1;
	}
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"rmapscope: who maps this page? (the kernel's reverse map, through rmapscope.ko)"};
	app.require_subcommand(1);

	app.set_version_flag("--version", std::string("rmapscope ") + RMAPSCOPE_VERSION + " (abi " +
						   std::to_string(RMAPSCOPE_ABI_VERSION) + ")",
			     "print the CLI's version and the ABI it speaks");
	bool json = false;
	auto *version = app.add_subcommand("version", "module version, kernel, and which rmap symbols resolved");
	version->add_flag("--json", json, "print JSON");
	auto *doctor = app.add_subcommand("doctor", "what stands between this machine and a working rmapscope, and what to do");
	doctor->add_flag("--json", json, "print JSON");

	Target target;
	unsigned max = 0;
	auto *walk = app.add_subcommand("walk", "who maps this page: every process, VMA, address and PTE");
	add_target_options(walk, target);
	walk->add_flag("--json", json, "print the module's JSON");
	walk->add_option("--max", max, "report at most this many mappings");
	walk->add_flag("--all-owners", target.all_owners, "name every process of a CLONE_VM-shared mm (scans all tasks)");
	Picture wpic;
	add_picture_options(walk, wpic);
	std::string wfrom;
	walk->add_option("--from", wfrom,
			 "draw a walk saved elsewhere, with no module: the module's reply or rmapscope-drgn's from a crash "
			 "dump (text for the table, JSON for --dot/--svg)")
		->type_name("FILE")
		->excludes("--pid")
		->excludes("--addr")
		->excludes("--pfn")
		->excludes("--json")
		->excludes("--max")
		->excludes("--all-owners");

	Target ttarget;
	auto *tree = app.add_subcommand("tree", "the anon_vma chain, i_mmap or KSM rmap items behind a page");
	add_target_options(tree, ttarget);
	tree->add_flag("--json", json, "print the module's JSON");
	bool family = false;
	tree->add_flag("--family", family, "anon: every anon_vma and AVC of the page's anon_vma family");
	Picture tpic;
	add_picture_options(tree, tpic);
	std::string tfrom;
	tree->add_option("--from", tfrom,
			 "show a tree saved elsewhere, with no module: the module's reply or rmapscope-drgn's from a crash "
			 "dump (printed as it is; JSON for --dot/--svg)")
		->type_name("FILE")
		->excludes("--pid")
		->excludes("--addr")
		->excludes("--pfn")
		->excludes("--json")
		->excludes("--family");

	Target rtarget;
	std::string rstart, rend;
	bool detail = false;
	auto *referenced = app.add_subcommand(
		"referenced", "folio_referenced() on a page (test-and-clear its accessed bits), or over a range");
	add_target_options(referenced, rtarget, false); // --pid alone with --start/--end
	auto *rs = referenced->add_option("--start", rstart, "range scan: first address (with --pid and --end)");
	auto *re = referenced->add_option("--end", rend, "range scan: end address, exclusive");
	referenced->add_flag("--detail", detail, "range scan: one line per page")->needs(rs);
	rs->needs(re);
	re->needs(rs);
	referenced->add_flag("--json", json, "print the module's JSON (single page)");

	Target utarget;
	auto *unmap = app.add_subcommand("unmap", "try_to_unmap() a page where no data can be lost");
	add_target_options(unmap, utarget);
	unmap->add_flag("--json", json, "print the module's JSON");

	long spid = -1;
	std::string sstart, send;
	bool all_owners = false, share_all = false;
	rmapscope::MatrixOptions mopt;
	auto *share = app.add_subcommand("share", "a process's rss, pss and uss, and who shares its pages (by kind)");
	auto *sp = share->add_option("--pid", spid, "process id")->type_name("PID");
	auto *sa = share->add_flag("--all", share_all, "instead: the process x process matrix of every process");
	sp->excludes(sa);
	share->add_option("--top", mopt.top, "--all: the processes shown, largest rss first (default 16)")->needs(sa);
	share->add_option("--dot", mopt.dot, "--all: write a Graphviz graph of the top pairs to this file")->needs(sa)->type_name("FILE");
	share->add_option("--png", mopt.png, "--all: draw a gnuplot heatmap of the matrix into this PNG")->needs(sa)->type_name("FILE");
	share->add_option("--from", mopt.from, "--all: draw from a matrix saved with --all --json, not this machine")
		->needs(sa)
		->type_name("FILE");
	auto *ss = share->add_option("--start", sstart, "first address of a range (with --end); default: all");
	auto *se = share->add_option("--end", send, "end address of the range, exclusive");
	ss->needs(se);
	se->needs(ss);
	ss->excludes(sa);
	se->excludes(sa);
	share->add_flag("--all-owners", all_owners, "name every process of a CLONE_VM-shared mm (scans all tasks)");
	std::string method;
	share->add_option("--method", method, "bulk (default: one comparison per run of pages) or walk (one rmap walk per folio)")
		->check(CLI::IsMember({"bulk", "walk"}));
	share->add_flag("--json", json, "print the module's JSON");

	std::string pstart, pend;
	bool preferenced = false, pno_young = false;
	auto *phys = app.add_subcommand("phys", "whose is this physical memory: owners and files of a PFN range (all RAM)");
	auto *ps = phys->add_option("--start-pfn", pstart, "first PFN (with --end-pfn), decimal or 0x-hex");
	auto *pe = phys->add_option("--end-pfn", pend, "end PFN, exclusive; default: the end of RAM");
	ps->needs(pe);
	auto *pref = phys->add_flag("--referenced", preferenced, "also test-and-clear accessed bits (folio_referenced)");
	phys->add_flag("--no-young", pno_young, "do not read which entries are young (YOUNG is -): faster where sharing is dense")
		->excludes(pref);
	phys->add_flag("--all-owners", all_owners, "name every process of a CLONE_VM-shared mm (scans all tasks)");
	phys->add_option("--method", method, "bulk (default: one comparison per group of pages) or walk (one rmap walk per folio)")
		->check(CLI::IsMember({"bulk", "walk"}));
	bool psets = false;
	phys->add_flag("--sets", psets, "with --json: also the sets of processes that map the same pages (what export reads)");
	phys->add_flag("--json", json, "print the module's JSON");

	rmapscope::ExportOptions eopt;
	auto *exp = app.add_subcommand("export", "every process's rss, pss and uss and the top sharing pairs, from one pass over RAM, for Prometheus");
	exp->add_option("--prometheus", eopt.prometheus, "write node_exporter's textfile format to this file (renamed into place)")
		->type_name("FILE");
	exp->add_option("--json", eopt.json, "write the same figures as JSON to this file (- for standard output)")->type_name("FILE");
	exp->add_option("--top", eopt.top, "processes given their own series, largest pss first; the rest are summed as comm=\"other\" (default 50)");
	exp->add_option("--pairs", eopt.pairs, "pairs of processes that share the most pages, given as series (default 50)");
	exp->add_option("--method", eopt.method, "bulk (default) or walk, as for phys")->check(CLI::IsMember({"bulk", "walk"}));
	exp->add_option("--from", eopt.from, "read a reply of `rmapscope phys --sets --no-young --json` saved before, not this machine")
		->type_name("FILE");

	app.add_subcommand("demo", "a page shared by a small fork tree, walked");

	std::string tour_out, tour_from;
	bool tour_record = false;
	auto *tour = app.add_subcommand("tour", "the reverse map's classic scenarios, built step by step and drawn");
	auto *to = tour->add_option("--out", tour_out, "write index.html and the pictures into this directory")->type_name("DIR");
	auto *tr = tour->add_flag("--record", tour_record, "only run the steps: print the recorded tour as JSON");
	tour->add_option("--from", tour_from, "draw a tour recorded elsewhere with --record (no module needed)")
		->needs(to)
		->type_name("FILE");

	// Not listed by --help: the bash completion, written from the tables above.
	std::string shell;
	auto *completion = app.add_subcommand("completion", "")->group("");
	completion->add_option("shell", shell, "bash")->required()->check(CLI::IsMember({"bash"}));
	tr->excludes(to);

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) ? 2 : 0; // a usage error is 2 (the man page's EXIT STATUS); --help is 0
	}
	if (*version)
		return cmd_version(json);
	if (*doctor)
		return rmapscope::run_doctor(json);
	if (*walk && !wfrom.empty())
		return cmd_from(wfrom, false, wpic);
	if (*tree && !tfrom.empty())
		return cmd_from(tfrom, true, tpic);
	if (*walk && wpic.wanted())
		return target.given() ? cmd_picture(target.command("walk") + (max ? " max=" + std::to_string(max) : ""), false, wpic) : 2;
	if (*walk)
		return target.given() ? cmd_walk(target, json, max) : 2;
	if (*tree) {
		if (!ttarget.given())
			return 2;
		// A picture shows the whole family unless only the folio's own anon_vma was asked for.
		std::string cmd = ttarget.command("tree") + (family || tpic.wanted() ? " family=1" : "");
		return tpic.wanted() ? cmd_picture(cmd, true, tpic) : cmd_passthrough(cmd + (json ? " format=json" : ""));
	}
	if (*referenced) {
		if (!rstart.empty()) {
			if (rtarget.pid == -1 || !rtarget.pfn.empty()) {
				std::cerr << "rmapscope: a range scan takes --pid, --start and --end\n";
				return 2;
			}
			if (rtarget.pid <= 0) {
				std::cerr << "rmapscope: --pid must be a process id above 0, got " << rtarget.pid << "\n";
				return 2;
			}
			return cmd_passthrough("referenced pid=" + std::to_string(rtarget.pid) + " start=" + rstart +
					       " end=" + rend + (detail ? " detail=1" : ""));
		}
		return rtarget.given() ? cmd_passthrough(rtarget.command("referenced") + (json ? " format=json" : "")) : 2;
	}
	if (*unmap)
		return utarget.given() ? cmd_passthrough(utarget.command("unmap") + (json ? " format=json" : "")) : 2;
	if (*phys) {
		std::string cmd = "phys";
		if (!pstart.empty())
			cmd += " start_pfn=" + pstart;
		if (!pend.empty())
			cmd += " end_pfn=" + pend;
		if (preferenced)
			cmd += " referenced=1";
		if (pno_young)
			cmd += " young=0";
		if (all_owners)
			cmd += " owners=all";
		if (!method.empty())
			cmd += " method=" + method;
		if (psets && !json) {
			std::cerr << "rmapscope: phys --sets needs --json (the table has no room for the sets)\n";
			return 2;
		}
		if (psets)
			cmd += " sets=1";
		return json ? cmd_passthrough(cmd + " format=json") : cmd_table(cmd, rmapscope::print_phys_table);
	}
	if (*exp)
		return rmapscope::run_export(eopt);
	if (*share && share_all) {
		mopt.json = json;
		mopt.method = method;
		return rmapscope::run_share_matrix(mopt);
	}
	if (*share && spid == -1) {
		std::cerr << "rmapscope: share needs --pid, or --all\n";
		return 2;
	}
	if (*share && spid <= 0) {
		std::cerr << "rmapscope: --pid must be a process id above 0, got " << spid << "\n";
		return 2;
	}
	if (*share) {
		std::string cmd = "share pid=" + std::to_string(spid);
		if (!sstart.empty())
			cmd += " start=" + sstart + " end=" + send;
		if (all_owners)
			cmd += " owners=all";
		if (!method.empty())
			cmd += " method=" + method;
		return json ? cmd_passthrough(cmd + " format=json") : cmd_table(cmd, rmapscope::print_share_table);
	}
	if (*tour)
		return cmd_tour(tour_out, tour_from, tour_record);
	if (*completion) {
		std::cout << rmapscope::bash_completion(app, "rmapscope");
		return 0;
	}
	if (app.got_subcommand("demo"))
		return rmapscope::run_demo([](long p, const std::string &a) {
			Target t;
			t.pid = p;
			t.addr = a;
			return cmd_walk(t, false, 0);
		});
	return 2;
}
