// SPDX-License-Identifier: GPL-2.0
// rmapscope-selftest verbs: every verb, every mode, once, through whatever call path the module
// was loaded with (make check runs it after reloading with call_mode=trampoline).
#include "verbs.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "ctl_client.hpp"
#include "oracle.hpp"
#include "procs.hpp"
#include "tap.hpp"
#include "verb_cases.hpp"

namespace rmapscope {

int run_verbs()
{
	Tap t;
	std::string mode = "?";
	std::ifstream("/sys/module/rmapscope/parameters/call_mode") >> mode;
	// A shared memfd page: every verb can act on it, unmap included (its data stays in the page
	// cache), and a helper maps it too, so the walks have two processes to find.
	constexpr size_t kPages = 16;
	int fd = memfd_create("rmapscope-verbs", 0);
	char *p = fd >= 0 && ftruncate(fd, kPages * kPage) == 0
			  ? static_cast<char *>(mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0))
			  : static_cast<char *>(MAP_FAILED);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED) {
		t.ok(false, "a memfd to aim the verbs at");
		t.plan();
		return 1;
	}
	touch_write(p, kPages * kPage, 0x76);
	Helper other([p] {
		touch_read(p, kPages * kPage);
		return uint64_t{0};
	});
	settle_lru();
	char *at = p + 2 * kPage;
	Target tg{getpid(), reinterpret_cast<uint64_t>(at), pm_pfn(pagemap_entry(getpid(), reinterpret_cast<uint64_t>(at))),
		  reinterpret_cast<uint64_t>(p), reinterpret_cast<uint64_t>(p + kPages * kPage)};
	std::string missing;
	std::vector<VerbCase> cases = verb_cases(tg, &missing);
	t.ok(missing.empty(), "every verb of the parser has a case" + (missing.empty() ? "" : ": none for " + missing));
	std::map<std::string, unsigned> answered;
	for (const VerbCase &c : cases) {
		CtlReply r = ctl_transact(c.command);
		bool good = r.err == 0 && !r.text.empty() && r.text.rfind("error ", 0) != 0;
		answered[c.verb] += good;
		t.ok(good, "call_mode=" + mode + ": " + c.name + " answers", c.command + "\n" + r.text.substr(0, 400));
	}
	// The page's data is intact after every verb (unmap among them).
	bool intact = true;
	for (size_t i = 0; i < kPages * kPage; i += kPage)
		intact = intact && static_cast<unsigned char>(p[i]) == 0x76;
	t.ok(intact, "call_mode=" + mode + ": the memfd's data reads back after every verb");
	munmap(p, kPages * kPage);
	t.plan();
	return t.failed();
}

} // namespace rmapscope
