// SPDX-License-Identifier: GPL-2.0
// rmapscope share --all: the process x process sharing matrix, from one pass over the machine's
// memory (census.hpp), as a table, JSON, a Graphviz graph (--dot) or a gnuplot heatmap (--png).
#pragma once

#include <string>

namespace rmapscope {

struct MatrixOptions {
	unsigned top = 16;	  // processes shown (by rss), and graph edges = 2 * top
	bool json = false;
	std::string dot, png;	  // output files, or ""
	std::string from;	  // draw from a matrix saved with --json instead of asking the module
	std::string method;	  // share's method= ("" for the module's default)
};

// 0 on success; prints why on stderr otherwise.
int run_share_matrix(const MatrixOptions &o);

} // namespace rmapscope
