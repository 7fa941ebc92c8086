// SPDX-License-Identifier: GPL-2.0
#include "probes.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kallsyms.hpp"
#include "rmap_ones.h"
#include "rmapsnoop.skel.h"

namespace rmapsnoop {

const std::vector<Probe> &probes()
{
	static const std::vector<Probe> p = {
		{"rmap_walk", true, true, false},
		{"rmap_walk_locked", false, true, false},
		{"folio_referenced", true, true, false},
		{"try_to_unmap", true, true, false},
		{"page_vma_mapped_walk", false, false, false},
#define RMAP_ONE(fn) {#fn, false, false, false, true},
		RMAPSNOOP_RMAP_ONES(RMAP_ONE)
#undef RMAP_ONE
		{"rs_rmap_one", false, false, true},
	};
	return p;
}

namespace {

// The skeleton's programs are named fe_/fx_/kp_/kr_ + a short name; page_vma_mapped_walk's is pvmw.
std::string short_name(const std::string &fn)
{
	return fn == "page_vma_mapped_walk" ? "pvmw" : fn;
}

bpf_program *find(rmapsnoop_bpf *skel, const std::string &name)
{
	return bpf_object__find_program_by_name(skel->obj, name.c_str());
}

} // namespace

Selection select_programs(rmapsnoop_bpf *skel, Mode mode, const btf *vmlinux, const Kallsyms &ks)
{
	Selection sel{{}, {}, {}, mode};
	bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	for (const auto &p : probes()) {
		std::string s = short_name(p.function);
		bool in_btf = vmlinux && btf__find_by_name_kind(vmlinux, p.function.c_str(), BTF_KIND_FUNC) > 0;
		bool fentry = mode == Mode::Fentry && in_btf && !p.kprobe_only && find(skel, "fe_" + s);
		bool kprobe = !fentry && ks.has(p.function) && find(skel, "kp_" + s);
		if (fentry) {
			bpf_program__set_autoload(find(skel, "fe_" + s), true);
			if (p.has_exit)
				bpf_program__set_autoload(find(skel, "fx_" + s), true);
			sel.traced.push_back(p.function + "(fentry)");
		} else if (kprobe) {
			bpf_program__set_autoload(find(skel, "kp_" + s), true);
			if (p.has_exit)
				bpf_program__set_autoload(find(skel, "kr_" + s), true);
			sel.traced.push_back(p.function + "(kprobe)");
		} else {
			(p.per_kernel ? sel.absent : sel.missing).push_back(p.function);
		}
	}
	return sel;
}

namespace {
bool walk_program(const std::string &program, const char *fentry, const char *kprobe)
{
	for (const auto &p : probes())
		if (p.has_exit && (program == fentry + short_name(p.function) || program == kprobe + short_name(p.function)))
			return true;
	return false;
}
} // namespace

bool is_walk_entry(const std::string &program) { return walk_program(program, "fe_", "kp_"); }
bool is_walk_exit(const std::string &program) { return walk_program(program, "fx_", "kr_"); }

} // namespace rmapsnoop
