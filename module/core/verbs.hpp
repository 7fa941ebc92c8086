// SPDX-License-Identifier: GPL-2.0
// The ctl verbs and the steps they share: resolve the target, walk it, write the response.
// Every step reaches the kernel through os.h and gives back what it took through guards.hpp.
// A verb takes the folio lock (and, for referenced, the LRU isolation) only around the kernel
// calls and their read-back: the response is formatted after every lock is dropped.
#pragma once

#include "command.h"
#include "errno.h"
#include "guards.hpp"
#include "os.h"
#include "types.hpp"
#include "walk_report.h"

namespace rs {

// The response of a failed command: one "error" line in a buffer of its own; returns err.
long fail(int err, const char *msg, char **out);

// Writes why into msg (RS_MSG_MAX bytes) and returns err: how a step refuses.
int refuse(int err, const char *why, char *msg, usize cap);

// The folio cmd names (pid+addr or pfn), referenced; or -errno with msg.
Maybe<FolioRef> resolve_target(const rs_command &cmd, char *msg, usize cap);

// The folio lock; or -RS_EINTR with msg.
Maybe<FolioLock> lock_folio(rs_folio *folio, char *msg, usize cap);

// Walks (or, tree, describes) the locked folio: first sized for its mapcount, again at max= if
// that ran out of room. The walk's records; or -errno with msg.
Maybe<WalkBuffer> collect(const rs_command &cmd, rs_folio *folio, int mapcount, bool tree, char *msg, usize cap);

// Formats res into a buffer of its own in *out; the response length or -errno.
long respond(const rs_walk_result &res, int format, char **out);

// A response of at most cap bytes written by write(buf, cap) (its length, or -RS_ENOSPC) into a
// buffer of its own in *out; the response length or -errno.
template <class Write> long respond_bounded(usize cap, char **out, Write write)
{
	*out = static_cast<char *>(rs_os_valloc(cap));
	if (!*out)
		return -RS_ENOMEM;
	long len = write(*out, cap);
	if (len < 0) {
		rs_os_vfree(*out);
		return fail(-RS_ENOSPC, "response larger than its bound", out);
	}
	return len;
}

// share's and phys's method=, as the response names it.
inline const char *method_name(int method)
{
	return method == RS_METHOD_WALK ? "walk" : "bulk";
}

long run_walk(const rs_command &cmd, char **out);
long run_referenced(const rs_command &cmd, char **out);
long run_range(const rs_command &cmd, char **out);
long run_unmap(const rs_command &cmd, char **out);
long run_share(const rs_command &cmd, char **out);
long run_phys(const rs_command &cmd, char **out);

} // namespace rs
