// SPDX-License-Identifier: GPL-2.0
// The ctl verbs and the steps they share: resolve the target, walk it, write the response.
// Every step reaches the kernel through os.h and gives back what it took through guards.hpp.
#pragma once

#include "command.h"
#include "guards.hpp"
#include "types.hpp"
#include "walk_report.h"

namespace rs {

// The response of a failed command: one "error" line in a buffer of its own; returns err.
long fail(int err, const char *msg, char **out);

// The folio cmd names (pid+addr or pfn), referenced into folio; 0 or -errno with msg.
int resolve_target(const rs_command &cmd, FolioRef &folio, char *msg, usize cap);

// Walks (or, tree, describes) the folio into walk: first sized for its mapcount, again at max=
// if that ran out of room. 0 or -errno with msg.
int collect(const rs_command &cmd, rs_folio *folio, int mapcount, bool tree, WalkBuffer &walk,
	    char *msg, usize cap);

// Formats res into a buffer of its own in *out; the response length or -errno.
long respond(const rs_walk_result &res, int format, char **out);

long run_walk(const rs_command &cmd, char **out);
long run_referenced(const rs_command &cmd, char **out);
long run_range(const rs_command &cmd, char **out);
long run_unmap(const rs_command &cmd, char **out);

} // namespace rs
