// SPDX-License-Identifier: GPL-2.0
// Which kernel functions rmapsnoop traces, and how: fentry/fexit where the kernel's BTF has the
// function, kprobe/kretprobe where only kallsyms does, nothing (with a warning) otherwise.
#pragma once

#include <string>
#include <vector>

struct rmapsnoop_bpf;
struct bpf_program;
struct btf;

namespace rmapsnoop {

class Kallsyms;

struct Probe {
	std::string function;
	bool required;		// a walk boundary: without it, nothing is traced
	bool has_exit;		// fexit / kretprobe too
	bool kprobe_only;	// a module function without BTF (rs_rmap_one)
	bool per_kernel = false; // a name only some kernels have (rmap_ones.h): missing is normal
};

const std::vector<Probe> &probes();

enum class Mode { Fentry, Kprobe };

struct Selection {
	std::vector<std::string> traced, missing, absent; // absent: per_kernel names not here
	Mode mode;
};

// Sets autoload on the skeleton's programs for mode: each function gets the fentry pair if the
// kernel's BTF has it and mode is Fentry, else the kprobe pair if kallsyms has it, else none.
Selection select_programs(rmapsnoop_bpf *skel, Mode mode, const btf *vmlinux, const Kallsyms &ks);

// True for the program that opens a walk (fe_/kp_ of a function with an exit probe), and for the
// one that closes it (fx_/kr_).
bool is_walk_entry(const std::string &program);
bool is_walk_exit(const std::string &program);

} // namespace rmapsnoop
