// SPDX-License-Identifier: GPL-2.0
// rmapscope tour: the reverse-map scenarios teachers draw by hand (a fork tree's anon_vmas and
// AVCs, COW, a middle process's exit, anon_vma reuse, a file's i_mmap, KSM, unmap of shmem, a
// THP split), built one step at a time on the running kernel and shown as pictures.
//
// - tour_record.cpp runs the steps: processes ("actors") that fork, write, map and exit on
//   command, and after each step the module's tree and walk of the page being followed, each
//   checked against the pagemap oracle. The result is one JSON bundle.
// - tour_page.cpp draws a bundle (graph.hpp), possibly on another machine: the SVGs and one
//   self-contained HTML page.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace rmapscope {

// Runs the tour here (root, rmapscope.ko loaded). The bundle's "failed" counts failed checks.
nlohmann::json tour_record();

// Writes DIR/index.html, DIR/stepNN-*.svg (and .dot) and DIR/tour.json from a bundle. 0 on
// success; prints why on stderr otherwise.
int tour_render(const nlohmann::json &bundle, const std::string &dir);

} // namespace rmapscope
