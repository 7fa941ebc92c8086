// SPDX-License-Identifier: GPL-2.0
// Bash completion written from a CLI11 App's own tables (subcommands, options, and the type
// names FILE, DIR and PID), so it cannot drift from --help. Header-only: rmapscope and rmapsnoop
// both print theirs (`rmapscope completion bash`, `rmapsnoop --bash-completion`).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace rmapscope {

inline std::string bash_completion(CLI::App &app, const std::string &prog)
{
	// Every option word of one (sub)command, and the words that take a file, a dir or a pid.
	struct Words {
		std::string all, file, dir, pid;
	};
	auto words_of = [](CLI::App *a) {
		Words w;
		for (const CLI::Option *o : a->get_options()) {
			if (o->get_group().empty())
				continue; // hidden
			std::vector<std::string> names;
			for (const auto &s : o->get_snames())
				names.push_back("-" + s);
			for (const auto &l : o->get_lnames())
				names.push_back("--" + l);
			for (const auto &n : names) {
				w.all += (w.all.empty() ? "" : " ") + n;
				std::string t = o->get_type_name();
				std::string &kind = t == "FILE" ? w.file : t == "DIR" ? w.dir : t == "PID" ? w.pid : w.all;
				if (&kind != &w.all)
					kind += (kind.empty() ? "" : "|") + n;
			}
		}
		return w;
	};
	auto arms = [](const Words &w, const std::string &indent) {
		std::string s;
		if (!w.file.empty())
			s += indent + w.file + ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
		if (!w.dir.empty())
			s += indent + w.dir + ") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n";
		if (!w.pid.empty())
			s += indent + w.pid +
			     ") COMPREPLY=($(compgen -W \"$(cd /proc && echo [0-9]*)\" -- \"$cur\")); return ;;\n";
		return s;
	};
	std::string fn = "_" + prog;
	std::string s = "# bash completion for " + prog + ", generated from its option tables by " + prog +
			" itself.\n" + fn + "()\n{\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n";
	auto subs = app.get_subcommands([](CLI::App *a) { return !a->get_group().empty(); });
	if (subs.empty()) {
		Words w = words_of(&app);
		s += "\tcase $prev in\n" + arms(w, "\t") + "\tesac\n\tCOMPREPLY=($(compgen -W \"" + w.all +
		     "\" -- \"$cur\"))\n}\n";
	} else {
		std::string names;
		for (CLI::App *a : subs)
			names += (names.empty() ? "" : " ") + a->get_name();
		s += "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\tCOMPREPLY=($(compgen -W \"" + names +
		     " --help\" -- \"$cur\"))\n\t\treturn\n\tfi\n\tlocal opts=\n\tcase ${COMP_WORDS[1]} in\n";
		for (CLI::App *a : subs) {
			Words w = words_of(a);
			s += "\t" + a->get_name() + ")\n\t\tcase $prev in\n" + arms(w, "\t\t") + "\t\tesac\n\t\topts=\"" + w.all +
			     "\" ;;\n";
		}
		s += "\tesac\n\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n}\n";
	}
	return s + "complete -F " + fn + " " + prog + "\n";
}

} // namespace rmapscope
