// SPDX-License-Identifier: GPL-2.0
#include "walk_reply.hpp"

#include <cstdlib>

#include "ctl_client.hpp"

namespace rmapscope {

uint64_t parse_num(const std::string &s)
{
	return std::strtoull(s.c_str(), nullptr, 0);
}

std::vector<int> parse_pids(const std::string &s)
{
	std::vector<int> out;
	size_t pos = 0;
	while (pos < s.size()) {
		size_t c = s.find(',', pos);
		if (c == std::string::npos)
			c = s.size();
		if (c > pos && s[pos] >= '0' && s[pos] <= '9')	// "-": none; "?": outside our pid namespace
			out.push_back(std::atoi(s.substr(pos, c - pos).c_str()));
		pos = c + 1;
	}
	return out;
}

uint64_t WalkReply::folio_pfn() const { return parse_num(folio.get("pfn").value_or("0")); }
uint64_t WalkReply::folio_pages() const { return parse_num(folio.get("nr_pages").value_or("0")); }

WalkReply walk_command(const std::string &cmd)
{
	return parse_walk_reply(ctl_transact(cmd));
}

WalkReply parse_walk_reply(const CtlReply &r)
{
	WalkReply w;
	w.err = r.err;
	w.raw = r.text;
	if (r.err)
		return w;
	auto recs = parse_report(r.text);
	if (!recs) {
		w.err = -1;
		return w;
	}
	for (auto &rec : *recs) {
		if (rec.kind == "folio") {
			w.folio = rec;
		} else if (rec.kind == "walk") {
			w.walk = rec;
		} else if (rec.kind == "referenced" || rec.kind == "unmap") {
			w.action = rec;
		} else if (rec.kind == "skip") {
			w.skips.push_back(rec);
		} else if (rec.kind == "map") {
			WalkMap m;
			m.pids = parse_pids(rec.get("pid").value_or(""));
			std::string vma = rec.get("vma").value_or("0-0");
			size_t dash = vma.find('-');
			m.vma_start = parse_num(vma.substr(0, dash));
			m.vma_end = dash == std::string::npos ? 0 : parse_num(vma.substr(dash + 1));
			m.addr = parse_num(rec.get("addr").value_or("0"));
			m.pages = static_cast<unsigned>(parse_num(rec.get("pages").value_or("0")));
			m.level = rec.get("level").value_or("");
			m.prot = rec.get("prot").value_or("");
			m.file = rec.get("file").value_or("");
			m.comm = rec.get("comm").value_or("");
			m.young = rec.get("young") == "1";
			m.dirty = rec.get("dirty") == "1";
			m.write = rec.get("write") == "1";
			m.mlock = rec.get("mlock") == "1";
			m.gone = rec.get("gone") == "1";
			w.maps.push_back(m);
		}
	}
	return w;
}

} // namespace rmapscope
