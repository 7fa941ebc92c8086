// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest: the test harness, run in the test VM by make check and make bench. It is
// not installed with the user's rmapscope (tools/rmapscope/).
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench.hpp"
#include "share.hpp"
#include "faults.hpp"
#include "fixture.hpp"
#include "hammer.hpp"
#include "hostile.hpp"
#include "oracle.hpp"
#include "postmortem.hpp"
#include "procs.hpp"
#include "selftest.hpp"
#include "stress.hpp"
#include "verb_cases.hpp"
#include "verbs.hpp"

int main(int argc, char **argv)
{
	CLI::App app{"rmapscope-selftest: rmapscope's test harness (TAP), fixtures and benchmarks"};
	app.require_subcommand(1);

	app.add_subcommand("selftest", "real mappings checked against the pagemap oracle (TAP)");

	app.add_subcommand("verbs", "every verb in each of its modes once, at a memfd page: each answers (TAP)");

	app.add_subcommand("faults", "fail each allocation of each verb in turn: ENOMEM, a message, then success (TAP)");

	unsigned stress_seconds = 60, stress_mutators = 3, stress_walkers = 3;
	auto *stress = app.add_subcommand("stress", "walkers against mutators, with a data ledger (TAP)");
	stress->add_option("--seconds", stress_seconds, "how long");
	stress->add_option("--mutators", stress_mutators, "mutator processes")->check(CLI::Range(1, 16));
	stress->add_option("--walkers", stress_walkers, "walker processes")->check(CLI::Range(1, 16));

	std::string hammer_comm;
	unsigned hammer_walkers = 2;
	auto *hammer = app.add_subcommand("hammer", "until SIGTERM: walk, referenced and range scans at the pages of processes named COMM");
	hammer->add_option("comm", hammer_comm, "the processes' comm")->required();
	hammer->add_option("--walkers", hammer_walkers, "walker processes")->check(CLI::Range(1, 16));

	std::string hostile_file;
	auto *hostile = app.add_subcommand("hostile", "feed a list of hostile ctl commands (TAP)");
	hostile->add_option("file", hostile_file, "the list (tests/hostile/ctl-commands.txt)")->required();

	unsigned sharers = 16, fpages = 32;
	std::string fixture_kind;
	auto *fixture = app.add_subcommand("fixture", "a known walk for an outside observer (share | reclaim)");
	fixture->add_option("kind", fixture_kind, "share: one page walked; reclaim: pages reclaimed via memory.reclaim")
		->required()->check(CLI::IsMember({"share", "reclaim", "sharing"}));
	fixture->add_option("--sharers", sharers, "processes sharing the page(s)");
	fixture->add_option("--pages", fpages, "reclaim: pages");
	bool fexport = false;
	fixture->add_flag("--export", fexport, "sharing: print what rmapscope export --prometheus writes, not the matrix");

	bool range_bench = false, scan_bench = false, owner_bench = false, share_bench = false, census_bench = false;
	auto *bench = app.add_subcommand("bench", "walk cost against brute force and against the number of sharers");
	bench->add_flag("--range", range_bench, "instead: a 64 MiB range scan against page_idle");
	bench->add_flag("--scan", scan_bench, "instead: the 64 MiB range scan alone");
	bench->add_flag("--share", share_bench, "instead: share and phys against brute force, share against sharers");
	bench->add_flag("--census", census_bench, "instead: the one-pass census against every smaps_rollup, 64/128/256 sharers");
	bench->add_flag("--owners", owner_bench, "instead: a 1-mapper walk with a few tasks and with 4,400 more (TAP)");

	int cpid = 0;
	std::string caddr, clo, chi;
	auto *commands = app.add_subcommand("commands", "print every verb's cases aimed at a page, one per line (for shell harnesses)");
	commands->add_option("--pid", cpid, "process")->required();
	commands->add_option("--addr", caddr, "a page it maps")->required();
	commands->add_option("--lo", clo, "range start (default addr)");
	commands->add_option("--hi", chi, "range end (default addr + 16 pages)");

	std::string json_file;
	std::string pm_then;
	auto *postmortem = app.add_subcommand(
		"postmortem", "the pages make postmortem checks rmapscope-drgn on; waits on /dev/ttyS1 (arm64: a virtio port) for the host's dump");
	postmortem->add_option("--then", pm_then,
			       "after the dump, with the pages still there: run this shell command (the live check), "
			       "the module's records in /tmp/postmortem-module.txt");
	auto *json = app.add_subcommand("json", "exit 0 if FILE is one strict JSON text (RFC 8259, UTF-8)");
	json->add_option("file", json_file, "the file ('-' for stdin)")->required();

	CLI11_PARSE(app, argc, argv);
	if (*json) {
		std::stringstream ss;
		if (json_file == "-") {
			ss << std::cin.rdbuf();
		} else {
			std::ifstream in(json_file);
			ss << in.rdbuf();
		}
		try {
			auto parsed = nlohmann::json::parse(ss.str());	// strict: invalid UTF-8 throws
			(void)parsed;
			return 0;
		} catch (const nlohmann::json::exception &e) {
			std::cerr << "rmapscope-selftest: not JSON: " << e.what() << "\n";
			return 1;
		}
	}
	if (*commands) {
		uint64_t a = std::stoull(caddr, nullptr, 0);
		rmapscope::Target t{cpid, a, rmapscope::pm_pfn(rmapscope::pagemap_entry(cpid, a)),
				    clo.empty() ? a : std::stoull(clo, nullptr, 0),
				    chi.empty() ? a + 16 * rmapscope::kPage : std::stoull(chi, nullptr, 0)};
		std::string missing;
		for (const auto &c : rmapscope::verb_cases(t, &missing))
			std::cout << c.command << "\n";
		if (!missing.empty())
			std::cerr << "rmapscope-selftest: verbs of the parser with no case: " << missing << "\n";
		return missing.empty() ? 0 : 1;
	}
	if (app.got_subcommand("postmortem"))
		return rmapscope::run_postmortem(pm_then);
	if (app.got_subcommand("selftest"))
		return rmapscope::run_selftest() ? 1 : 0;
	if (app.got_subcommand("verbs"))
		return rmapscope::run_verbs() ? 1 : 0;
	if (app.got_subcommand("faults"))
		return rmapscope::run_faults() ? 1 : 0;
	if (*stress)
		return rmapscope::run_stress(stress_seconds, stress_mutators, stress_walkers) ? 1 : 0;
	if (*hammer)
		return rmapscope::run_hammer(hammer_comm, hammer_walkers);
	if (*hostile)
		return rmapscope::run_hostile(hostile_file) ? 1 : 0;
	if (*fixture)
		return fixture_kind == "share"	  ? rmapscope::fixture_share(sharers)
		       : fixture_kind == "sharing" ? rmapscope::fixture_sharing(fexport)
						   : rmapscope::fixture_reclaim(sharers, fpages);
	if (*bench)
		return census_bench ? rmapscope::run_census_bench()
		       : share_bench ? rmapscope::run_share_bench()
		       : owner_bench ? rmapscope::run_owner_bench()
		       : scan_bench ? rmapscope::run_scan_bench()
				  : range_bench ? rmapscope::run_range_bench() : rmapscope::run_bench();
	return 2;
}
