// SPDX-License-Identifier: GPL-2.0
// One verdict for every walk scenario: the module's answer against the pagemap oracle, plus what
// the scenario expects of it. Also the small readers the scenarios share.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "record.hpp"
#include "tap.hpp"
#include "walk_reply.hpp"

namespace rmapscope {

struct Expect {
	const char *kind = nullptr;	 // the folio's kind=
	const char *level = nullptr;	 // every map line's level=
	int maps = -1;			 // how many map lines, where the scenario knows
	std::vector<pid_t> listed;	 // processes the walk must list
	std::vector<pid_t> absent;	 // processes it must not list
};

// Sends cmd (a walk), and checks on one TAP line that it succeeds, that its map lines are
// exactly the (pid, VMA, address, pages) that /proc/*/pagemap shows for the folio, with each VMA's
// permissions as /proc/<pid>/maps prints them, and that it
// meets e; and on a second line that share and phys of the same pages agree between their two
// methods (methods.hpp). Returns the reply for checks of its own.
WalkReply verdict(Tap &t, const std::string &what, const std::string &cmd, const Expect &e);

std::string walk_cmd(pid_t pid, const void *addr);
std::string tree_cmd(pid_t pid, const void *addr);
bool has_pid(const WalkReply &w, pid_t pid);
bool skip_names(const WalkReply &w, pid_t pid); // a skip line names pid
// A tree command's records; err is its errno.
std::vector<Record> tree_records(const std::string &cmd, int &err);
size_t count_kind(const std::vector<Record> &rs, const std::string &kind);
bool lists_pid(const std::vector<Record> &rs, const std::string &kind, int pid);
std::string dump(const std::vector<Record> &rs);

} // namespace rmapscope
