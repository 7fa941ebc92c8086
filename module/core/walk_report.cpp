// SPDX-License-Identifier: GPL-2.0
// The walk response, text and JSON (docs/debugfs.md). Every value is escaped so that one record
// stays one line and one token per value.
#include "command.h"
#include "errno.h"
#include "escape.hpp"
#include "text_writer.hpp"
#include "walk_report.h"

namespace {

using rs::StrView;
using rs::TextWriter;
using rs::u64;
using rs::usize;
using rs::put_json_string;
using rs::put_path_text;
using rs::put_pid;

const char *kind_name(int kind)
{
	static constexpr const char *names[] = {"anon", "file", "shmem", "ksm", "hugetlb"};
	static_assert(sizeof(names) / sizeof(names[0]) == RS_KIND_HUGETLB + 1, "a name per rs_folio_kind");
	return kind >= RS_KIND_ANON && kind <= RS_KIND_HUGETLB ? names[kind] : "unknown";
}

const char *errno_name(int err)
{
	switch (err) {
#define RS_ERRNO_NAME(name, value) case value: return #name;
		RS_ERRNOS(RS_ERRNO_NAME)
#undef RS_ERRNO_NAME
	default:
		return "EUNKNOWN";
	}
}

void put_prot(TextWriter &w, unsigned prot)
{
	w.ch(prot & RS_PROT_READ ? 'r' : '-').ch(prot & RS_PROT_WRITE ? 'w' : '-')
		.ch(prot & RS_PROT_EXEC ? 'x' : '-').ch(prot & RS_PROT_SHARED ? 's' : 'p');
}

// A bit set by name: "a,b" in text ("-" for none), "\"a\",\"b\"" inside a JSON array.
template <usize N>
void put_bits(TextWriter &w, unsigned long bits, const char *const (&names)[N], bool json)
{
	bool first = true;
	for (usize i = 0; i < N; ++i) {
		if (!(bits & (1UL << i)))
			continue;
		w.str(first ? "" : ",");
		first = false;
		if (json)
			w.ch('"').str(names[i]).ch('"');
		else
			w.str(names[i]);
	}
	if (first && !json)
		w.ch('-');
}

#define RS_NAME(name, text) text,
constexpr const char *kFolioFlagNames[] = {RS_FOLIO_FLAGS(RS_NAME)};
constexpr const char *kVmFlagNames[] = {RS_VM_FLAGS(RS_NAME)};
constexpr const char *kTtuNames[] = {RS_TTU_FLAGS(RS_NAME)};
constexpr const char *kEffectNames[] = {RS_EFFECTS(RS_NAME)};
#undef RS_NAME

void put_pids(TextWriter &w, const rs_owner *o)
{
	if (!o || o->nr_pids == 0) {
		w.ch('-');
		return;
	}
	unsigned n = o->nr_pids < RMAPSCOPE_OWNER_PIDS ? o->nr_pids : RMAPSCOPE_OWNER_PIDS;
	for (unsigned i = 0; i < n; ++i) {
		if (i)
			w.ch(',');
		put_pid(w, o->pids[i], false);
	}
}

const rs_owner *owner_of(const rs_walk_result &r, const rs_map_record &m)
{
	return m.owner < r.nr_owners ? &r.owners[m.owner] : nullptr;
}

// The VMA part of a map, avc, vma or rmap_item line.
void vma_fields(TextWriter &w, const rs_walk_result &r, const rs_map_record &m)
{
	const rs_owner *o = owner_of(r, m);
	w.str(" pid=");
	put_pids(w, o);
	w.str(" comm=");
	put_path_text(w, o ? o->comm : nullptr);
	w.kv_hex("vma", m.vma_start).ch('-').hex(m.vma_end).kv_hex("pgoff", m.pgoff).str(" prot=");
	put_prot(w, m.prot);
	w.str(" file=");
	put_path_text(w, m.path);
}

void text_folio(TextWriter &w, const rs_folio_info &f)
{
	w.str("folio").kv_hex("pfn", f.pfn).kv_hex("page_pfn", f.page_pfn).kv_dec("nr_pages", f.nr_pages)
		.kv("kind", kind_name(f.kind));
	w.str(" mapcount=").sdec(f.mapcount).str(" refcount=").sdec(f.refcount);
	w.kv_hex("index", f.index).str(" flags=");
	put_bits(w, f.flags, kFolioFlagNames, false);
	w.endl();
}

// The first line of a referenced or unmap response.
void text_action(TextWriter &w, const rs_action_result &a)
{
	if (a.kind == RS_ACTION_REFERENCED) {
		w.str("referenced refs=").sdec(a.refs).str(" vm_flags=");
		put_bits(w, a.vm_flags, kVmFlagNames, false);
		w.str(" effects=");
		put_bits(w, a.effects, kEffectNames, false);
		w.kv_bool("mglru", a.mglru).endl();
	} else if (a.kind == RS_ACTION_UNMAP) {
		w.str("unmap mapcount_before=").sdec(a.mapcount_before).str(" mapcount_after=")
			.sdec(a.mapcount_after).kv_bool("unmapped", a.unmapped).kv_dec("gone", a.gone)
			.str(" flags=");
		put_bits(w, a.ttu, kTtuNames, false);
		w.endl();
	}
}

void text(TextWriter &w, const rs_walk_result &r)
{
	text_action(w, r.action);
	text_folio(w, r.folio);
	for (unsigned i = 0; i < r.nr_recs; ++i) {
		const rs_map_record &m = r.recs[i];
		const rs_owner *o = owner_of(r, m);
		if (m.skip) {
			w.str("skip").kv_hex("vma", m.vma_start).ch('-').hex(m.vma_end).str(" pid=");
			put_pids(w, o);
			w.kv("reason", "no_entry_maps_folio").endl();
			continue;
		}
		w.str("map");
		vma_fields(w, r, m);
		w.kv_hex("addr", m.addr).kv("level", m.level == RS_LEVEL_PMD ? "pmd" : "pte")
			.kv_dec("present", 1).kv_bool("young", m.young).kv_bool("dirty", m.dirty)
			.kv_bool("write", m.write).kv_dec("pages", m.pages).kv_dec("visits", m.visits)
			.kv_bool("mlock", m.mlock);
		if (r.gone)
			w.kv_bool("gone", r.gone[i]);
		w.endl();
	}
	w.str("walk").kv_dec("maps", r.maps).kv_dec("vmas", r.vmas).kv_bool("truncated", r.truncated)
		.kv_dec("ns", r.ns).kv("owners", r.all_owners ? "all" : "owner").kv_dec("shared_mms", r.shared_mms)
		.endl();
}

void put_av(TextWriter &w, unsigned av)
{
	if (av == RS_AV_NONE)
		w.ch('-');
	else
		w.dec(av);
}

// tree: the folio line, then the structure (docs/debugfs.md).
void tree_text(TextWriter &w, const rs_walk_result &r)
{
	text_folio(w, r.folio);
	if (r.tree == RS_TREE_ANON) {
		for (unsigned i = 0; i < r.nr_avs; ++i) {
			const rs_anon_level &l = r.levels[i];
			w.str("anon_vma level=");
			if (i < r.nr_levels)
				w.dec(i);
			else
				w.ch('-');
			w.kv_bool("root", l.is_root).str(" refcount=").sdec(l.refcount)
				.kv_dec("children", l.num_children).kv_dec("active_vmas", l.num_active_vmas)
				.kv_dec("avcs", l.avcs).kv_dec("id", i).str(" parent=");
			put_av(w, l.parent);
			w.endl();
		}
		for (unsigned i = 0; i < r.nr_recs; ++i) {
			const rs_map_record &m = r.recs[i];
			w.str("avc");
			vma_fields(w, r, m);
			w.str(" anon_vma=");
			put_av(w, m.av);
			w.kv_bool("own", m.own).kv_bool("mapped", !m.skip).endl();
		}
		w.str("tree kind=anon").kv_dec("levels", r.nr_levels).kv_dec("avcs", r.nr_levels ? r.levels[0].avcs : 0)
			.kv_dec("anon_vmas", r.nr_avs).kv_bool("family", r.family);
	} else if (r.tree == RS_TREE_FILE) {
		w.str("mapping").kv_dec("vmas", r.tree_vmas).kv_dec("pages", r.mapping_pages).endl();
		for (unsigned i = 0; i < r.nr_recs; ++i) {
			w.str("vma");
			vma_fields(w, r, r.recs[i]);
			w.kv_bool("mapped", !r.recs[i].skip).endl();
		}
		w.str("tree kind=file").kv_dec("vmas", r.tree_vmas);
	} else {
		for (unsigned i = 0; i < r.nr_recs; ++i) {
			const rs_map_record &m = r.recs[i];
			w.str("rmap_item");
			vma_fields(w, r, m);
			w.kv_hex("addr", m.addr).kv_bool("mapped", !m.skip).kv_dec("visits", m.visits).str(" anon_vma=");
			put_av(w, m.av);
			w.endl();
		}
		w.str("tree kind=ksm").kv_dec("rmap_items", r.nr_recs);
	}
	w.kv_dec("maps", r.maps).kv_bool("marked", r.marked).kv_bool("truncated", r.truncated).endl();
}

// {"folio":{...}: the opening of every JSON response.
void json_folio(TextWriter &w, const rs_folio_info &f)
{
	w.str("{\"folio\":{\"pfn\":").dec(f.pfn).str(",\"page_pfn\":").dec(f.page_pfn)
		.str(",\"nr_pages\":").dec(f.nr_pages).str(",\"kind\":\"").str(kind_name(f.kind))
		.str("\",\"mapcount\":").sdec(f.mapcount).str(",\"refcount\":").sdec(f.refcount)
		.str(",\"index\":").dec(f.index).str(",\"flags\":[");
	put_bits(w, f.flags, kFolioFlagNames, true);
	w.str("]}");
}

// The VMA part of a JSON map, avc, vma or rmap_item object (without the braces).
void json_vma_fields(TextWriter &w, const rs_walk_result &r, const rs_map_record &m)
{
	const rs_owner *o = owner_of(r, m);
	w.str("\"pids\":[");
	if (o)
		for (unsigned k = 0; k < o->nr_pids && k < RMAPSCOPE_OWNER_PIDS; ++k)
			put_pid(w.str(k ? "," : ""), o->pids[k], true);
	w.str("],\"comm\":");
	put_json_string(w, o ? o->comm : "");
	w.str(",\"vma_start\":").dec(m.vma_start).str(",\"vma_end\":").dec(m.vma_end)
		.str(",\"pgoff\":").dec(m.pgoff).str(",\"prot\":\"");
	put_prot(w, m.prot);
	w.str("\",\"file\":");
	if (m.path)
		put_json_string(w, m.path);
	else
		w.str("null");
}

void json_av(TextWriter &w, unsigned av)
{
	if (av == RS_AV_NONE)
		w.str("null");
	else
		w.dec(av);
}

void json_anon_vma(TextWriter &w, const rs_walk_result &r, unsigned i)
{
	const rs_anon_level &l = r.levels[i];
	w.str("{\"id\":").dec(i).str(",\"level\":");
	if (i < r.nr_levels)
		w.dec(i);
	else
		w.str("null");
	w.str(",\"root\":").str(l.is_root ? "true" : "false").str(",\"refcount\":").sdec(l.refcount)
		.str(",\"children\":").dec(l.num_children).str(",\"active_vmas\":").dec(l.num_active_vmas)
		.str(",\"avcs\":").dec(l.avcs).str(",\"parent\":");
	json_av(w, l.parent);
	w.ch('}');
}

// tree format=json: the same data as tree_text, as one object.
void tree_json(TextWriter &w, const rs_walk_result &r)
{
	json_folio(w, r.folio);
	static constexpr const char *kinds[] = {"none", "anon", "file", "ksm"};
	w.str(",\"tree\":{\"kind\":\"").str(r.tree >= 0 && r.tree < 4 ? kinds[r.tree] : "none").ch('"');
	if (r.tree == RS_TREE_ANON) {
		// levels: the chain (as before family=); anon_vmas: every anon_vma shown.
		w.str(",\"family\":").str(r.family ? "true" : "false").str(",\"levels\":[");
		for (unsigned i = 0; i < r.nr_levels; ++i)
			json_anon_vma(w.str(i ? "," : ""), r, i);
		w.str("],\"anon_vmas\":[");
		for (unsigned i = 0; i < r.nr_avs; ++i)
			json_anon_vma(w.str(i ? "," : ""), r, i);
		w.str("],\"avcs\":[");
	} else if (r.tree == RS_TREE_FILE) {
		w.str(",\"vmas\":").dec(r.tree_vmas).str(",\"pages\":").dec(r.mapping_pages).str(",\"mappings\":[");
	} else {
		w.str(",\"rmap_items\":[");
	}
	for (unsigned i = 0; i < r.nr_recs; ++i) {
		const rs_map_record &m = r.recs[i];
		w.str(i ? ",{" : "{");
		json_vma_fields(w, r, m);
		w.str(",\"mapped\":").str(m.skip ? "false" : "true");
		if (!m.skip || r.tree == RS_TREE_KSM) // KSM: the rmap item's address, mapped or not
			w.str(",\"addr\":").dec(m.addr);
		if (!m.skip)
			w.str(",\"level\":\"").str(m.level == RS_LEVEL_PMD ? "pmd" : "pte").str("\",\"pages\":").dec(m.pages);
		if (r.tree == RS_TREE_KSM)
			w.str(",\"visits\":").dec(m.visits);
		if (r.tree != RS_TREE_FILE) {
			w.str(",\"anon_vma\":");
			json_av(w, m.av);
		}
		if (r.tree == RS_TREE_ANON)
			w.str(",\"own\":").str(m.own ? "true" : "false");
		w.ch('}');
	}
	w.str("],\"maps\":").dec(r.maps).str(",\"marked\":").str(r.marked ? "true" : "false")
		.str(",\"truncated\":").str(r.truncated ? "true" : "false").str("}}\n");
}

void json(TextWriter &w, const rs_walk_result &r)
{
	json_folio(w, r.folio);
	w.str(",\"maps\":[");
	bool first = true;
	for (unsigned i = 0; i < r.nr_recs; ++i) {
		const rs_map_record &m = r.recs[i];
		if (m.skip)
			continue;
		w.str(first ? "{" : ",{");
		first = false;
		json_vma_fields(w, r, m);
		w.str(",\"addr\":").dec(m.addr).str(",\"level\":\"").str(m.level == RS_LEVEL_PMD ? "pmd" : "pte")
			.str("\",\"present\":true,\"young\":").str(m.young ? "true" : "false")
			.str(",\"dirty\":").str(m.dirty ? "true" : "false").str(",\"write\":")
			.str(m.write ? "true" : "false").str(",\"pages\":").dec(m.pages).str(",\"visits\":")
			.dec(m.visits).str(",\"mlock\":").str(m.mlock ? "true" : "false");
		if (r.gone)
			w.str(",\"gone\":").str(r.gone[i] ? "true" : "false");
		w.ch('}');
	}
	w.str("],\"skips\":[");
	first = true;
	for (unsigned i = 0; i < r.nr_recs; ++i) {
		const rs_map_record &m = r.recs[i];
		if (!m.skip)
			continue;
		const rs_owner *o = owner_of(r, m);
		w.str(first ? "" : ",").str("{\"vma_start\":").dec(m.vma_start).str(",\"vma_end\":")
			.dec(m.vma_end).str(",\"pids\":[");
		first = false;
		if (o)
			for (unsigned k = 0; k < o->nr_pids && k < RMAPSCOPE_OWNER_PIDS; ++k)
				put_pid(w.str(k ? "," : ""), o->pids[k], true);
		w.str("],\"reason\":\"no_entry_maps_folio\"}");
	}
	w.str("],\"walk\":{\"maps\":").dec(r.maps).str(",\"vmas\":").dec(r.vmas).str(",\"truncated\":")
		.str(r.truncated ? "true" : "false").str(",\"ns\":").dec(r.ns).str(",\"owners\":\"")
		.str(r.all_owners ? "all" : "owner").str("\",\"shared_mms\":").dec(r.shared_mms).ch('}');
	const rs_action_result &a = r.action;
	if (a.kind == RS_ACTION_REFERENCED) {
		w.str(",\"referenced\":{\"refs\":").sdec(a.refs).str(",\"vm_flags\":[");
		put_bits(w, a.vm_flags, kVmFlagNames, true);
		w.str("],\"effects\":[");
		put_bits(w, a.effects, kEffectNames, true);
		w.str("],\"mglru\":").str(a.mglru ? "true" : "false").ch('}');
	} else if (a.kind == RS_ACTION_UNMAP) {
		w.str(",\"unmap\":{\"mapcount_before\":").sdec(a.mapcount_before).str(",\"mapcount_after\":")
			.sdec(a.mapcount_after).str(",\"unmapped\":").str(a.unmapped ? "true" : "false")
			.str(",\"gone\":").dec(a.gone).str(",\"flags\":[");
		put_bits(w, a.ttu, kTtuNames, true);
		w.str("]}");
	}
	w.str("}\n");
}

} // namespace

extern "C" long rs_core_format_walk(const rs_walk_result *res, int format, char *buf, usize cap)
{
	TextWriter w(buf, cap);
	const bool as_json = format == RS_FORMAT_JSON;
	if (res->tree != RS_TREE_NONE && as_json)
		tree_json(w, *res);
	else if (res->tree != RS_TREE_NONE)
		tree_text(w, *res);
	else if (as_json)
		json(w, *res);
	else
		text(w, *res);
	if (w.overflowed())
		return -RS_ENOSPC;
	return static_cast<long>(w.size());
}


extern "C" long rs_core_format_error(int err, const char *msg, char *buf, usize cap)
{
	TextWriter w(buf, cap);
	w.str("error ").str(errno_name(-err)).ch(' ').str(msg).endl();
	return static_cast<long>(w.size());
}

namespace {
// The folio, summary and (tree) anon_vma lines; a record's fixed part stays under 320 bytes in
// either format. A byte of a path or comm takes at most 6: "\u0001" in JSON (octal escapes in
// text take 4, U+FFFD for a byte that is not UTF-8 3).
constexpr usize kHeader = 1024 + RS_TREE_AVS * 2 * 192; // anon_vmas: twice in JSON
constexpr usize kEscapedBytesPerByte = 6;
constexpr usize kRecordFixed = 320 + kEscapedBytesPerByte * 16;
} // namespace

extern "C" usize rs_core_walk_response_bound(unsigned int nr_recs)
{
	return kHeader + static_cast<usize>(nr_recs) * (kRecordFixed + kEscapedBytesPerByte * RMAPSCOPE_PATH_MAX);
}

namespace {
usize length(const char *s)
{
	usize n = 0;
	while (s && s[n])
		++n;
	return n;
}
} // namespace

extern "C" usize rs_core_walk_response_size(const rs_walk_result *res, int format)
{
	// What rs_core_walk_response_bound() assumes per record, but with each record's real path
	// and comm: a cheap pass over the records instead of formatting everything twice.
	usize n = kHeader;
	for (unsigned i = 0; i < res->nr_recs; ++i)
		n += kRecordFixed + kEscapedBytesPerByte * length(res->recs[i].path);
	(void)format; // the fixed part covers the longer of text and JSON
	return n;
}
