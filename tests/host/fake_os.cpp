// SPDX-License-Identifier: GPL-2.0
// The host's implementation of module/core/os.h, for the unit tests.
#include "fake_os.hpp"
#include "../../module/core/errno.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../../module/core/os.h"

namespace fake {
void record(const std::string &call);
State &state()
{
	static State s;
	return s;
}
void reset() { state() = State{}; }
std::string calls()
{
	std::string out;
	for (const auto &c : state().calls)
		out += (out.empty() ? "" : " ") + c;
	return out;
}
void record(const std::string &call) { state().calls.push_back(call); }
} // namespace fake

struct rs_folio {
	int dummy;
};
struct rs_walk {
	int dummy;
};

namespace {
rs_folio the_folio;
rs_walk the_walk;

int resolve(rs_folio **out, char *msg, size_t cap)
{
	auto &s = fake::state();
	if (s.target_err) {
		std::snprintf(msg, cap, "scripted failure");
		return s.target_err;
	}
	s.refs++;
	fake::record("get");
	*out = &the_folio;
	return 0;
}
} // namespace

extern "C" {
void *rs_os_alloc(size_t size) { return std::malloc(size); }
unsigned long rs_os_page_size() { return fake::state().page_size; }
void rs_os_free(void *ptr) { std::free(ptr); }
void rs_os_log(int error, const char *msg) { std::fprintf(stderr, "rmapscope%s: %s\n", error ? " error" : "", msg); }
void *rs_os_valloc(size_t size)
{
	auto &s = fake::state();
	fake::record("valloc+" + std::to_string(s.locks) + "+" + std::to_string(s.isolated));
	return std::malloc(size);
}
void rs_os_vfree(void *ptr) { std::free(ptr); }
void *rs_os_scratch(size_t size) { return rs_os_valloc(size); }
void rs_os_scratch_free(void *ptr) { std::free(ptr); }

int rs_os_target_pid_addr(int, unsigned long, rs_folio **out, char *msg, size_t cap) { return resolve(out, msg, cap); }
int rs_os_target_pfn(unsigned long, rs_folio **out, char *msg, size_t cap) { return resolve(out, msg, cap); }
void rs_os_folio_put(rs_folio *)
{
	fake::state().refs--;
	fake::record("put");
}
void rs_os_folio_describe(rs_folio *, rs_folio_info *info) { *info = fake::state().folio; }
int rs_os_folio_lock_killable(rs_folio *)
{
	auto &s = fake::state();
	s.lock_calls++;
	if (s.lock_err)
		return s.lock_err;
	s.locks++;
	fake::record("lock");
	return 0;
}
void rs_os_folio_unlock(rs_folio *)
{
	fake::state().locks--;
	fake::record("unlock");
}

rs_walk *rs_os_walk_new(unsigned int capacity, int all_owners)
{
	auto &s = fake::state();
	s.last_capacity = capacity;
	s.last_all_owners = all_owners;
	if (s.walk_alloc_fails)
		return nullptr;
	s.walks++;
	return &the_walk;
}
int rs_os_walk_run(rs_walk *, rs_folio *, char *msg, size_t cap)
{
	auto &s = fake::state();
	s.walk_runs++;
	fake::record("walk");
	// As module/kernel/walk.c: rmap needs the folio lock, and the kernel side refuses without it.
	if (s.locks != 1) {
		std::snprintf(msg, cap, "internal error: folio not locked");
		return -RS_EINVAL;
	}
	if (s.walk_err)
		std::snprintf(msg, cap, "scripted walk failure");
	return s.walk_err;
}
int rs_os_tree_run(rs_walk *w, rs_folio *f, int, char *msg, size_t cap) { return rs_os_walk_run(w, f, msg, cap); }
const rs_walk_result *rs_os_walk_result(const rs_walk *) { return &fake::state().result; }
void rs_os_walk_free(rs_walk *) { fake::state().walks--; }
}

// referenced, unmap and the range scan: scripted like the walk.
extern "C" {
int rs_os_folio_isolate(rs_folio *, char *msg, size_t cap)
{
	auto &s = fake::state();
	if (s.isolate_err) {
		std::snprintf(msg, cap, "scripted isolation failure");
		return s.isolate_err;
	}
	s.isolated++;
	fake::record("isolate");
	return 0;
}
void rs_os_folio_putback(rs_folio *)
{
	fake::state().isolated--;
	fake::record("putback");
}
int rs_os_folio_referenced(rs_folio *, rs_action_result *act, char *msg, size_t cap)
{
	auto &s = fake::state();
	if (s.action_err) {
		std::snprintf(msg, cap, "scripted referenced failure");
		return s.action_err;
	}
	*act = s.action;
	act->kind = RS_ACTION_REFERENCED;
	s.action_calls++;
	fake::record("referenced");
	return 0;
}
int rs_os_folio_unmap(rs_folio *, rs_action_result *act, char *msg, size_t cap)
{
	auto &s = fake::state();
	if (s.action_err) {
		std::snprintf(msg, cap, "scripted unmap failure");
		return s.action_err;
	}
	*act = s.action;
	act->kind = RS_ACTION_UNMAP;
	s.action_calls++;
	fake::record("unmap");
	return 0;
}
int rs_os_range_referenced(int, unsigned long, unsigned long, rs_range_result *res, char *msg, size_t cap)
{
	auto &s = fake::state();
	if (s.range_err) {
		std::snprintf(msg, cap, "scripted range failure");
		return s.range_err;
	}
	rs_range_page *detail = res->detail;
	unsigned long detail_cap = res->detail_cap;
	*res = s.range;
	res->detail = detail;
	res->detail_cap = detail_cap;
	for (unsigned long i = 0; i < s.range_pages.size() && i < detail_cap; ++i)
		detail[res->nr_detail++] = s.range_pages[i];
	return 0;
}

int rs_os_share(int pid, unsigned long start, unsigned long end, int all_owners, int method, rs_share_result *res,
		char *msg, size_t cap)
{
	auto &s = fake::state();
	s.last_method = method;
	s.last_share_pid = pid;
	s.last_share_start = start;
	s.last_share_end = end;
	s.last_all_owners = all_owners;
	if (s.share_err) {
		std::snprintf(msg, cap, "scripted share failure");
		return s.share_err;
	}
	rs_share_peer *peers = res->peers;
	unsigned peers_cap = res->peers_cap;
	*res = s.share;
	res->peers = peers;
	res->peers_cap = peers_cap;
	res->nr_peers = 0;
	for (const auto &p : s.share_peers)
		if (res->nr_peers < peers_cap)
			peers[res->nr_peers++] = p;
	return 0;
}

int rs_os_phys(unsigned long start_pfn, unsigned long end_pfn, int referenced, int, int method, rs_phys_result *res,
	       char *msg, size_t cap)
{
	auto &s = fake::state();
	s.last_method = method;
	s.last_phys = {start_pfn, end_pfn, static_cast<unsigned long>(referenced), static_cast<unsigned long>(res->no_young)};
	if (s.phys_err) {
		std::snprintf(msg, cap, "scripted phys failure");
		return s.phys_err;
	}
	rs_share_peer *owners = res->owners;
	rs_phys_file *files = res->files;
	unsigned owners_cap = res->owners_cap, files_cap = res->files_cap;
	int no_young = res->no_young;
	*res = s.phys;
	res->no_young = no_young;
	res->owners = owners;
	res->owners_cap = owners_cap;
	res->files = files;
	res->files_cap = files_cap;
	res->nr_owners = res->nr_files = 0;
	for (const auto &o : s.share_peers)
		if (res->nr_owners < owners_cap)
			owners[res->nr_owners++] = o;
	for (const auto &f : s.phys_files)
		if (res->nr_files < files_cap)
			files[res->nr_files++] = f;
	return 0;
}
}
