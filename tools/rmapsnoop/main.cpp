// SPDX-License-Identifier: GPL-2.0
// rmapsnoop: trace the kernel's own reverse-map walks (reclaim, migration, compaction, KSM,
// page_idle, DAMON, rmapscope), one line per walk, in the manner of bcc's *snoop tools.
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kallsyms.hpp"
#include "pfn.hpp"
#include "../rmapscope/completion.hpp"
#include "probes.hpp"
#include "report.hpp"
#include "rmapsnoop.h"
#include "rmapsnoop.skel.h"

namespace {

volatile sig_atomic_t stop;
void on_signal(int) { stop = 1; }

struct Options {
	bool summary = false, json = false, kprobes = false, verbose = false, no_stack = false, unwind_all = false;
	bool test_no_exits = false;	// tests only: once tracing starts, no exit probe, as if every return were missed
	unsigned pid = 0;
	std::string reason;
	double duration = 0;
};

struct Context {
	const Options *opt;
	const rmapsnoop::Kallsyms *ks;
	rmapsnoop::Summary *summary;
	rmapsnoop::PfnMap pfns = rmapsnoop::PfnMap::from_kernel();
	unsigned self = 0;
	std::vector<uint64_t> own_folios;	// rmapsnoop's own walks (calibration), never printed
	bool measuring = false;			// PFNs not known yet: nothing is printed
};

int on_event(void *arg, void *data, size_t size)
{
	auto *c = static_cast<Context *>(arg);
	if (size < sizeof(rmapsnoop_event))
		return 0;
	const auto &ev = *static_cast<const rmapsnoop_event *>(data);
	if (ev.tgid == c->self) {
		c->own_folios.push_back(ev.folio);
		return 0;
	}
	if (c->measuring)
		return 0;	/* tracing starts once PFNs can be told */
	rmapsnoop::Walk w = rmapsnoop::decode(ev, *c->ks, c->pfns);
	if (!c->opt->reason.empty() && w.reason != c->opt->reason)
		return 0;
	if (c->opt->summary)
		c->summary->add(w);
	if (c->opt->json)
		rmapsnoop::print_json(w);
	else if (!c->opt->summary)
		rmapsnoop::print_line(w);
	std::fflush(stdout);
	return 0;
}

// libbpf prints a verifier log only when the verifier rejected a program.
bool verifier_rejected;

int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (std::strstr(fmt, "BEGIN PROG LOAD LOG"))
		verifier_rejected = true;
	static bool verbose = getenv("RMAPSNOOP_DEBUG") != nullptr;
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return verbose || level == LIBBPF_WARN ? std::vfprintf(stderr, fmt, args) : 0;
}

// Says why BPF is unavailable, in one line.
void explain_bpf_failure(int err)
{
	if (verifier_rejected)
		std::fprintf(stderr, "rmapsnoop: the kernel's BPF verifier rejected a program (%s; its log is above): "
				     "this kernel is not supported yet, please report it\n", std::strerror(-err));
	else if (err == -EPERM || err == -EACCES)
		std::fprintf(stderr, "rmapsnoop: BPF not permitted (%s): run as root (CAP_BPF and CAP_PERFMON), and "
				     "check kernel.unprivileged_bpf_disabled and lockdown\n", std::strerror(-err));
	else if (err == -ENOSYS)
		std::fprintf(stderr, "rmapsnoop: this kernel has no bpf() system call (CONFIG_BPF_SYSCALL)\n");
	else
		std::fprintf(stderr, "rmapsnoop: cannot load the BPF programs: %s\n", std::strerror(-err));
}

// What a running tracer holds, given back on every way out of main().
struct Tracer {
	rmapsnoop_bpf *skel = nullptr;
	std::vector<bpf_link *> links;
	std::vector<bpf_link *> exits; // --test-no-exit-probes: the exit probes, detached once tracing starts
	ring_buffer *rb = nullptr;
	Tracer() = default;
	Tracer(const Tracer &) = delete;
	Tracer &operator=(const Tracer &) = delete;
	~Tracer()
	{
		if (rb)
			ring_buffer__free(rb);
		for (auto *set : {&links, &exits})
			for (bpf_link *l : *set)
				bpf_link__destroy(l);
		if (skel)
			rmapsnoop_bpf__destroy(skel);
	}
};

// Opens, selects, loads and attaches in one mode; nullptr (with err set) if that mode fails.
rmapsnoop_bpf *start(rmapsnoop::Mode mode, const Options &opt, const btf *vmlinux, const rmapsnoop::Kallsyms &ks,
		     rmapsnoop::Selection &sel, std::vector<bpf_link *> &links, std::vector<bpf_link *> &exits, int &err)
{
	verifier_rejected = false;
	rmapsnoop_bpf *skel = rmapsnoop_bpf__open();
	if (!skel) {
		err = -errno;
		return nullptr;
	}
	skel->rodata->target_tgid = opt.pid;
	skel->rodata->self_tgid = static_cast<unsigned>(getpid());
	// A kprobe's entry slot holds the return address, until a kretprobe swaps in its trampoline.
	for (const char *t : {"arch_rethook_trampoline", "__kretprobe_trampoline", "kretprobe_trampoline"})
		if (!skel->rodata->ret_trampoline)
			skel->rodata->ret_trampoline = ks.address(t);
	skel->rodata->want_stack = !opt.no_stack;
	skel->rodata->reuse_stacks = !opt.unwind_all;
	sel = rmapsnoop::select_programs(skel, mode, vmlinux, ks);
	err = rmapsnoop_bpf__load(skel);
	if (!err) {
		// Walk entries last: a thread that entered a walk before its exit probe was attached would
		// stay "inside a walk" for good, and its later walks would count as nested.
		for (bool entries : {false, true}) {
			bpf_program *prog;
			bpf_object__for_each_program(prog, skel->obj) {
				if (!bpf_program__autoload(prog) || rmapsnoop::is_walk_entry(bpf_program__name(prog)) != entries)
					continue;
				bpf_link *link = bpf_program__attach(prog);
				if (!link) {
					err = -errno;
					std::fprintf(stderr, "rmapsnoop: cannot attach %s: %s\n", bpf_program__name(prog),
						     std::strerror(errno));
					break;
				}
				(opt.test_no_exits && rmapsnoop::is_walk_exit(bpf_program__name(prog)) ? exits : links).push_back(link);
			}
			if (err)
				break;
		}
	}
	if (err) {
		// Detach whatever did attach, so a fallback mode never counts twice.
		for (auto *set : {&links, &exits})
			for (bpf_link *l : *set)
				bpf_link__destroy(l);
		links.clear();
		exits.clear();
		rmapsnoop_bpf__destroy(skel);
		return nullptr;
	}
	return skel;
}

} // namespace

int main(int argc, char **argv)
{
	Options opt;
	CLI::App app{"rmapsnoop: trace the kernel's reverse-map walks (rmap_walk, folio_referenced, try_to_unmap)"};
	app.add_flag("-s,--summary", opt.summary, "print a summary at exit instead of a line per walk");
	app.add_flag("--json", opt.json, "one JSON object per walk");
	app.add_option("-p,--pid", opt.pid, "only walks made by this process (tgid)")->type_name("PID");
	app.add_option("--reason", opt.reason, "only walks for this reason")
		->check(CLI::IsMember(rmapsnoop::reasons()));
	app.add_option("-d,--duration", opt.duration, "trace for this many seconds, then exit");
	app.add_flag("--kprobes", opt.kprobes, "use kprobes even where fentry would work");
	app.add_flag("--no-stack", opt.no_stack,
		     "skip the caller's stack: cheaper, but every walk's reason is 'unknown'");
	app.add_flag("--unwind-every-walk", opt.unwind_all,
		     "unwind each walk's stack, never reuse the previous walk's from the same call chain");
	app.add_flag("-v,--verbose", opt.verbose, "say which functions are traced, and how");
	// Hidden (no group): the test of the recovery from missed exit probes (tests/vm/rmapsnoop.sh).
	app.add_flag("--test-no-exit-probes", opt.test_no_exits)->group("");
	bool completion = false; // hidden: the bash completion, from the tables above
	app.add_flag("--bash-completion", completion)->group("");
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) ? 2 : 0; // a usage error is 2 (the man page's EXIT STATUS); --help is 0
	}
	if (completion) {
		std::fputs(rmapscope::bash_completion(app, "rmapsnoop").c_str(), stdout);
		return 0;
	}

	libbpf_set_print(libbpf_print);
	rmapsnoop::Kallsyms ks;
	if (!ks.load()) {
		std::fprintf(stderr, "rmapsnoop: /proc/kallsyms shows no addresses: run as root (kernel.kptr_restrict)\n");
		return 1;
	}
	btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux && !opt.kprobes)
		std::fprintf(stderr, "rmapsnoop: warning: no kernel BTF (/sys/kernel/btf/vmlinux): using kprobes\n");

	rmapsnoop::Selection sel;
	int err = 0;
	Tracer t;
	if (vmlinux && !opt.kprobes) {
		t.skel = start(rmapsnoop::Mode::Fentry, opt, vmlinux, ks, sel, t.links, t.exits, err);
		if (!t.skel)
			std::fprintf(stderr, "rmapsnoop: warning: fentry/fexit failed (%s): falling back to kprobes\n",
				     std::strerror(-err));
	}
	if (!t.skel)
		t.skel = start(rmapsnoop::Mode::Kprobe, opt, vmlinux, ks, sel, t.links, t.exits, err);
	// sizeof(struct page), for measuring the struct page array where BPF cannot (pfn.hpp).
	long page_struct = 0;
	if (vmlinux) {
		int id = btf__find_by_name_kind(vmlinux, "page", BTF_KIND_STRUCT);
		page_struct = id > 0 ? btf__resolve_size(vmlinux, id) : 0;
	}
	btf__free(vmlinux);
	if (!t.skel) {
		explain_bpf_failure(err);
		return 1;
	}
	for (const auto &m : sel.missing)
		std::fprintf(stderr, "rmapsnoop: warning: %s is not in this kernel: not traced\n", m.c_str());
	if (opt.verbose) {
		for (const auto &t : sel.traced)
			std::fprintf(stderr, "rmapsnoop: tracing %s\n", t.c_str());
		for (const auto &a : sel.absent)
			std::fprintf(stderr, "rmapsnoop: %s is not in this kernel (another kernel's name)\n", a.c_str());
	}

	rmapsnoop::Summary summary;
	Context ctx{&opt, &ks, &summary, rmapsnoop::PfnMap::from_kernel(), static_cast<unsigned>(getpid()), {}, false};
	t.rb = ring_buffer__new(bpf_map__fd(t.skel->maps.events), on_event, &ctx, nullptr);
	if (!t.rb) {
		std::fprintf(stderr, "rmapsnoop: cannot create the ring buffer: %s\n", std::strerror(errno));
		return 1;
	}
	ring_buffer *rb = t.rb;
#if !defined(__x86_64__)
	// No vmemmap_base to read here: measure the struct page array, or print no PFN at all.
	std::string why = "the kernel's BTF has no struct page";
	ctx.measuring = true;
	auto measured = page_struct > 0 ? rmapsnoop::calibrate(static_cast<uint64_t>(page_struct),
							       [rb] { ring_buffer__consume(rb); },
							       ctx.own_folios, why)
					: std::nullopt;
	if (!measured) {
		std::fprintf(stderr, "rmapsnoop: cannot tell which physical page a traced folio is on this kernel "
				     "(%s): refusing to run rather than print wrong PFNs\n", why.c_str());
		return 1;
	}
	ctx.pfns = *measured;
	ctx.measuring = false;
	if (opt.verbose)
		std::fprintf(stderr, "rmapsnoop: struct page array at 0x%llx (measured)\n",
			     static_cast<unsigned long long>(ctx.pfns.vmemmap()));
#else
	(void)page_struct;
#endif
	// --test-no-exit-probes: only now, as the PFN calibration above needs its own walks' exits.
	for (bpf_link *l : t.exits)
		bpf_link__destroy(l);
	t.exits.clear();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	std::fprintf(stderr, "rmapsnoop: tracing with %s; Ctrl-C to end\n",
		     sel.mode == rmapsnoop::Mode::Fentry ? "fentry/fexit" : "kprobes");
	if (!opt.json && !opt.summary)
		rmapsnoop::print_header();
	std::fflush(stdout);
	auto begin = std::chrono::steady_clock::now();
	while (!stop) {
		int n = ring_buffer__poll(rb, 100);
		if (n < 0 && n != -EINTR) {
			std::fprintf(stderr, "rmapsnoop: polling failed: %s\n", std::strerror(-n));
			break;
		}
		if (opt.duration > 0 &&
		    std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count() >= opt.duration)
			break;
	}
	ring_buffer__consume(rb);
	if (opt.summary)
		summary.print();
	return 0;
}
