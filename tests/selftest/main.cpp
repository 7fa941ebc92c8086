// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest: the test harness, run in the test VM by make check and make bench. It is
// not installed with the user's rmapscope (tools/rmapscope/).
#include <CLI/CLI.hpp>

#include "bench.hpp"
#include "fixture.hpp"
#include "hostile.hpp"
#include "selftest.hpp"

int main(int argc, char **argv)
{
	CLI::App app{"rmapscope-selftest: rmapscope's test harness (TAP), fixtures and benchmarks"};
	app.require_subcommand(1);

	app.add_subcommand("selftest", "real mappings checked against the pagemap oracle (TAP)");

	std::string hostile_file;
	auto *hostile = app.add_subcommand("hostile", "feed a list of hostile ctl commands (TAP)");
	hostile->add_option("file", hostile_file, "the list (tests/hostile/ctl-commands.txt)")->required();

	unsigned sharers = 16, fpages = 32;
	std::string fixture_kind;
	auto *fixture = app.add_subcommand("fixture", "a known walk for an outside observer (share | reclaim)");
	fixture->add_option("kind", fixture_kind, "share: one page walked; reclaim: pages reclaimed via memory.reclaim")
		->required()->check(CLI::IsMember({"share", "reclaim"}));
	fixture->add_option("--sharers", sharers, "processes sharing the page(s)");
	fixture->add_option("--pages", fpages, "reclaim: pages");

	bool range_bench = false, scan_bench = false;
	auto *bench = app.add_subcommand("bench", "walk cost against brute force and against the number of sharers");
	bench->add_flag("--range", range_bench, "instead: a 64 MiB range scan against page_idle");
	bench->add_flag("--scan", scan_bench, "instead: the 64 MiB range scan alone");

	CLI11_PARSE(app, argc, argv);
	if (app.got_subcommand("selftest"))
		return rmapscope::run_selftest() ? 1 : 0;
	if (*hostile)
		return rmapscope::run_hostile(hostile_file) ? 1 : 0;
	if (*fixture)
		return fixture_kind == "share" ? rmapscope::fixture_share(sharers)
					       : rmapscope::fixture_reclaim(sharers, fpages);
	if (*bench)
		return scan_bench ? rmapscope::run_scan_bench()
				  : range_bench ? rmapscope::run_range_bench() : rmapscope::run_bench();
	return 2;
}
