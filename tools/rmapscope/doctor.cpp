// SPDX-License-Identifier: GPL-2.0
#include "doctor.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ctl_client.hpp"
#include "record.hpp"
#include "../../include/rmapscope/abi.h"

namespace rmapscope {
namespace {

constexpr long kDebugfsMagic = 0x64626720;	// DEBUGFS_MAGIC
constexpr const char *kSecureBoot = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e098032b8c7c";

std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream ss;
	ss << f.rdbuf();
	std::string s = ss.str();
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	return s;
}

bool exists(const std::string &path)
{
	return access(path.c_str(), F_OK) == 0;
}

bool has_sys_admin()
{
	__user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2] = {};
	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	return data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32) & 1;
}

// The lockdown level in brackets of /sys/kernel/security/lockdown, or "" when unreadable.
std::string lockdown_level()
{
	std::string modes = slurp("/sys/kernel/security/lockdown");
	size_t a = modes.find('['), b = modes.find(']');
	return a == std::string::npos || b == std::string::npos ? "" : modes.substr(a + 1, b - a - 1);
}

Check check_root()
{
	Check c{"privileges", Check::kOk, "", ""};
	c.evidence = "euid " + std::to_string(geteuid()) + ", CAP_SYS_ADMIN " + (has_sys_admin() ? "held" : "not held");
	if (!has_sys_admin()) {
		c.status = Check::kFail;
		c.fix = "run as root: every rmapscope command needs CAP_SYS_ADMIN";
	}
	return c;
}

Check check_module()
{
	Check c{"module loaded", Check::kOk, "", ""};
	if (!exists("/sys/module/rmapscope")) {
		c.status = Check::kFail;
		c.evidence = "no /sys/module/rmapscope";
		c.fix = "modprobe rmapscope (after make install, DKMS or the package), or insmod rmapscope.ko; if that fails, "
			"dmesg says why (see docs/troubleshooting.md)";
		return c;
	}
	std::string taint = slurp("/sys/module/rmapscope/taint");
	c.evidence = "version " + slurp("/sys/module/rmapscope/version") + ", taint '" + taint + "' (" +
		     (taint.find('E') == std::string::npos ? "signed by a key the kernel trusts" : "unsigned") + ")";
	return c;
}

Check check_debugfs()
{
	Check c{"debugfs", Check::kOk, "", ""};
	struct statfs fs {};
	bool mounted = statfs("/sys/kernel/debug", &fs) == 0 && static_cast<long>(fs.f_type) == kDebugfsMagic;
	c.evidence = mounted ? "mounted at /sys/kernel/debug" : "/sys/kernel/debug is not a debugfs (statfs magic)";
	if (!mounted && exists(std::string("/dev/") + RMAPSCOPE_DEVICE_NAME)) {
		c.status = Check::kInfo; // the commands are served by the device: debugfs is only for version
		c.fix = "mount -t debugfs none /sys/kernel/debug to read the module's version file";
	} else if (!mounted) {
		c.status = Check::kFail;
		c.fix = "mount -t debugfs none /sys/kernel/debug";
	}
	return c;
}

Check check_lockdown()
{
	Check c{"lockdown", Check::kOk, "", ""};
	std::string level = lockdown_level();
	if (level.empty()) {
		c.status = Check::kInfo;
		c.evidence = "unknown: /sys/kernel/security/lockdown unreadable (securityfs not mounted, or no lockdown LSM)";
		return c;
	}
	c.evidence = level == "none" ? "none" : "the kernel is locked down, " + level;
	if (level == "confidentiality") {
		c.status = Check::kFail;
		c.fix = "confidentiality lockdown keeps kernel memory from root, and rmapscope serves nothing under it: boot "
			"without it (integrity, what Secure Boot sets, is enough for rmapscope's /dev/rmapscope)";
	} else if (level == "integrity" && !exists(std::string("/dev/") + RMAPSCOPE_DEVICE_NAME) &&
		   exists("/sys/module/rmapscope")) {
		c.status = Check::kFail;
		c.fix = "lockdown was raised after the module loaded, so it serves neither ctl nor /dev/rmapscope: reload it "
			"(rmmod rmapscope; modprobe rmapscope)";
	}
	return c;
}

Check check_secure_boot()
{
	Check c{"Secure Boot", Check::kInfo, "", ""};
	std::ifstream f(kSecureBoot, std::ios::binary);
	std::string v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	if (!exists("/sys/firmware/efi"))
		c.evidence = "off (not booted through EFI)";
	else if (v.size() < 5)
		c.evidence = "unknown (no SecureBoot EFI variable)";
	else
		c.evidence = v[4] ? "on: the kernel loads only modules signed by a key it trusts (README, \"Secure Boot\")"
				  : "off";
	return c;
}

Check check_ctl()
{
	Check c{"commands", Check::kOk, "", ""};
	std::string path = ctl_path();
	int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		c.evidence = path + " opens";
		return c;
	}
	c.status = Check::kFail;
	c.evidence = path + ": " + std::strerror(errno);
	c.fix = "see the checks above";
	return c;
}

// The module's version file, parsed ("" kinds when unreadable).
std::vector<Record> version_records()
{
	std::string text = slurp(debugfs_path(RMAPSCOPE_FILE_VERSION));
	auto recs = parse_report(text + "\n");
	return recs ? *recs : std::vector<Record>{};
}

Check check_abi(const std::vector<Record> &v)
{
	Check c{"ABI", Check::kOk, "", ""};
	for (const auto &r : v)
		if (r.kind == "rmapscope") {
			std::string abi = r.get("abi").value_or("?"), mod = r.get("version").value_or("?");
			c.evidence = "module " + mod + " abi " + abi + ", this CLI " RMAPSCOPE_VERSION " abi " +
				     std::to_string(RMAPSCOPE_ABI_VERSION);
			if (abi != std::to_string(RMAPSCOPE_ABI_VERSION)) {
				c.status = Check::kFail;
				c.fix = "install the CLI and the module from the same rmapscope (make install, or both packages)";
			}
			return c;
		}
	c.status = Check::kInfo;
	c.evidence = "the module's version file cannot be read";
	return c;
}

Check check_symbols(const std::vector<Record> &v)
{
	Check c{"kernel functions", Check::kOk, "", ""};
	std::string missing, refused, mode;
	unsigned n = 0;
	for (const auto &r : v) {
		if (r.kind == "cf")
			mode = r.get("call_mode").value_or("?") + (r.get("enforced") == "1" ? ", landing pads enforced" : "");
		if (r.kind != "symbol")
			continue;
		++n;
		std::string name = r.get("name").value_or("?");
		if (r.get("resolved") != "1" && r.get("required") == "1")
			missing += " " + name;
		else if (r.get("resolved") == "1" && r.get("path") == "refused")
			refused += " " + name;
	}
	if (!n) {
		c.status = Check::kInfo;
		c.evidence = "the module's version file cannot be read";
		return c;
	}
	c.evidence = std::to_string(n) + " looked up, call_mode " + mode +
		     (refused.empty() ? "" : "; cannot be called safely here:" + refused);
	if (!missing.empty() || !refused.empty()) {
		c.status = Check::kFail;
		c.evidence += missing.empty() ? "" : "; missing:" + missing;
		c.fix = "the verbs that need them answer EOPNOTSUPP; `rmapscope version` lists each function and its path";
	}
	return c;
}

Check check_headers()
{
	Check c{"kernel headers", Check::kInfo, "", ""};
	utsname u{};
	uname(&u);
	std::string build = std::string("/lib/modules/") + u.release + "/build";
	c.evidence = exists(build + "/Makefile") ? build + ": present (make and DKMS can build for this kernel)"
						 : build + ": absent (apt install linux-headers-" + u.release +
							   " to build the module for this kernel; not needed to run it)";
	return c;
}

const char *status_name(Check::Status s)
{
	return s == Check::kOk ? "ok" : s == Check::kInfo ? "info" : "FAIL";
}

} // namespace

std::vector<Check> diagnose()
{
	std::vector<Check> out = {check_root(), check_module(), check_debugfs(), check_lockdown(), check_secure_boot()};
	std::vector<Record> v = version_records();
	out.push_back(check_ctl());
	out.push_back(check_abi(v));
	out.push_back(check_symbols(v));
	out.push_back(check_headers());
	// The device serves commands without debugfs: then debugfs is only for version.
	for (auto &c : out)
		if (c.name == "debugfs" && c.status == Check::kFail && exists(std::string("/dev/") + RMAPSCOPE_DEVICE_NAME))
			c.status = Check::kInfo;
	return out;
}

std::string first_failure()
{
	for (const Check &c : diagnose())
		if (c.status == Check::kFail && c.name != "commands")
			return c.name + ": " + c.evidence + "; " + c.fix;
	return "";
}

int run_doctor(bool json)
{
	std::vector<Check> checks = diagnose();
	bool fail = false;
	nlohmann::json j = nlohmann::json::array();
	for (const Check &c : checks) {
		fail = fail || c.status == Check::kFail;
		if (json) {
			j.push_back({{"check", c.name}, {"status", status_name(c.status)}, {"evidence", c.evidence}, {"fix", c.fix}});
			continue;
		}
		std::printf("%-4s  %-17s %s\n", status_name(c.status), c.name.c_str(), c.evidence.c_str());
		if (!c.fix.empty() && c.status == Check::kFail)
			std::printf("      %-17s -> %s\n", "", c.fix.c_str());
	}
	if (json)
		std::cout << j.dump(2) << "\n";
	else
		std::printf("%s\n", fail ? "rmapscope cannot work here yet: fix the first FAIL above." : "every verb can work here.");
	return fail ? 1 : 0;
}

} // namespace rmapscope
