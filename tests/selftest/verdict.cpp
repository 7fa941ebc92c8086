// SPDX-License-Identifier: GPL-2.0
#include "verdict.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "ctl_client.hpp"
#include "methods.hpp"
#include "oracle.hpp"
#include "procs.hpp"

namespace rmapscope {
namespace {

using Key = std::tuple<int, uint64_t, uint64_t, unsigned>; // pid, vma_start, addr, pages

std::string key_text(const char *who, const Key &k)
{
	std::ostringstream d;
	d << who << " only: pid " << std::get<0>(k) << " vma " << hex(std::get<1>(k)) << " addr " << hex(std::get<2>(k))
	  << " pages " << std::get<3>(k) << "\n";
	return d.str();
}

// What differs between the module's mappings of the folio and pagemap's; "" when nothing.
std::string diff_oracle(const WalkReply &w)
{
	std::set<Key> mod, orc;
	for (const auto &m : w.maps)
		for (int pid : m.pids)
			mod.insert({pid, m.vma_start, m.addr, m.pages});
	for (const auto &h : oracle_find(w.folio_pfn(), w.folio_pfn() + w.folio_pages()))
		orc.insert({h.pid, h.vma_start, h.addr, h.pages});
	std::string d;
	for (const auto &k : mod)
		if (!orc.count(k))
			d += key_text("module", k);
	for (const auto &k : orc)
		if (!mod.count(k))
			d += key_text("pagemap", k);
	return d;
}

// The permissions /proc/<pid>/maps gives the VMA that starts at start ("" if none).
std::string maps_perms(int pid, uint64_t start)
{
	std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
	for (std::string line; std::getline(maps, line);) {
		unsigned long lo;
		char perms[8] = "";
		unsigned long hi;
		if (std::sscanf(line.c_str(), "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo == start)
			return perms;
	}
	return "";
}

// Every map line's prot= is what /proc/<pid>/maps says of its VMA (the 's' of a MAP_SHARED
// mapping is VM_MAYSHARE there, whatever the file's open mode); "" when all are.
std::string prot_differs(const WalkReply &w)
{
	std::string d;
	for (const auto &m : w.maps)
		for (int pid : m.pids) {
			std::string want = maps_perms(pid, m.vma_start);
			if (!want.empty() && m.prot != want)
				d += "pid " + std::to_string(pid) + " vma " + hex(m.vma_start) + ": prot=" + m.prot +
				     ", /proc/PID/maps says " + want + "\n";
		}
	return d;
}

// What of e the reply does not meet; "" when it meets all.
std::string unmet(const WalkReply &w, const Expect &e)
{
	std::string d;
	if (e.kind && w.kind() != e.kind)
		d += std::string("kind is not ") + e.kind + "\n";
	if (e.maps >= 0 && w.maps.size() != static_cast<size_t>(e.maps))
		d += "not " + std::to_string(e.maps) + " map lines\n";
	for (const auto &m : w.maps)
		if (e.level && m.level != e.level) {
			d += std::string("a map line's level is not ") + e.level + "\n";
			break;
		}
	for (pid_t p : e.listed)
		if (!has_pid(w, p))
			d += "pid " + std::to_string(p) + " is not listed\n";
	for (pid_t p : e.absent)
		if (has_pid(w, p))
			d += "pid " + std::to_string(p) + " is listed\n";
	return d;
}

} // namespace

WalkReply verdict(Tap &t, const std::string &what, const std::string &cmd, const Expect &e)
{
	WalkReply w = walk_command(cmd);
	std::string d = w.err ? "the walk failed\n" : diff_oracle(w) + unmet(w, e) + prot_differs(w);
	t.ok(d.empty(), what, d.empty() ? "" : d + "command: " + cmd + "\nmodule said:\n" + w.raw);
	// The same pages through share and phys, by both of their methods.
	methods_agree(t, what, w);
	return w;
}

std::string walk_cmd(pid_t pid, const void *addr)
{
	return "walk pid=" + std::to_string(pid) + " addr=" + hex(reinterpret_cast<uint64_t>(addr));
}

std::string tree_cmd(pid_t pid, const void *addr)
{
	return "tree pid=" + std::to_string(pid) + " addr=" + hex(reinterpret_cast<uint64_t>(addr));
}

bool has_pid(const WalkReply &w, pid_t pid)
{
	for (const auto &m : w.maps)
		if (std::find(m.pids.begin(), m.pids.end(), pid) != m.pids.end())
			return true;
	return false;
}

bool skip_names(const WalkReply &w, pid_t pid)
{
	for (const auto &s : w.skips)
		for (int p : parse_pids(s.get("pid").value_or("")))
			if (p == pid)
				return true;
	return false;
}

std::vector<Record> tree_records(const std::string &cmd, int &err)
{
	CtlReply r = ctl_transact(cmd);
	err = r.err;
	auto recs = parse_report(r.text);
	return recs ? *recs : std::vector<Record>{};
}

size_t count_kind(const std::vector<Record> &rs, const std::string &kind)
{
	return std::count_if(rs.begin(), rs.end(), [&](const Record &r) { return r.kind == kind; });
}

bool lists_pid(const std::vector<Record> &rs, const std::string &kind, int pid)
{
	for (const auto &r : rs)
		if (r.kind == kind)
			for (int p : parse_pids(r.get("pid").value_or("")))
				if (p == pid)
					return true;
	return false;
}

std::string dump(const std::vector<Record> &rs)
{
	std::string d;
	for (const auto &r : rs) {
		d += r.kind;
		for (const auto &[k, v] : r.fields)
			d += " " + k + "=" + v;
		d += "\n";
	}
	return d;
}

} // namespace rmapscope
