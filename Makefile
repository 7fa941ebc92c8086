# SPDX-License-Identifier: GPL-2.0
# rmapscope: see README.md. The module's own build lives in Kbuild; this file drives everything.
#
#   make                  rmapscope.ko for KDIR (default: the running kernel) and the tools
#   make KDIR=<tree> [ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-]
#   make install          the module (modules_install, depmod), tools, man pages (DESTDIR, PREFIX)
#   make check            the whole test suite (ends with "N passed, N failed")
#   make kunit [SUITE=g]  the KUnit suites on the debug kernel, parsed by kunit.py
#   make demo             the main job, in a QEMU VM running Debian 6.1
#   make tour [KERNEL=]   the reverse map step by step, drawn from a VM run (docs/tour.md)

ifneq ($(KERNELRELEASE),)
# Invoked by Kbuild: the Kbuild file next to this one says what to build.
include $(src)/Kbuild
else

TOP := $(CURDIR)
HOST_ARCH := $(patsubst aarch64,arm64,$(shell uname -m))
ARCH ?= $(HOST_ARCH)
KDIR ?= /lib/modules/$(shell uname -r)/build
B := $(TOP)/build

.PHONY: all module tools tool-deps rmapsnoop host-test fuzz check check-quick kunit demo bench bench-docs postmortem stress peer tour install uninstall sign deb clean
# The module needs only build-essential and the kernel's headers; the tools also need CLI11 and
# nlohmann-json: without them, `make` builds the module and says which packages the tools need.
all: module
	@if scripts/tool-deps --quiet; then $(MAKE) --no-print-directory tools; \
	else scripts/tool-deps; echo "rmapscope: built rmapscope.ko only (make tools once the packages are in)" >&2; fi

tool-deps:
	@scripts/tool-deps

module:
	@scripts/build-module --kdir "$(KDIR)" --arch "$(ARCH)"

# --- userspace tools (static, so they run in the busybox guest too) ----------------------------
# ccache, where installed (make check installs it): a source that did not change since any
# earlier build, in any clone, compiles at once. CCACHE= turns it off.
CCACHE ?= $(shell command -v ccache 2>/dev/null)
TOOLS_CXX := $(CCACHE) $(if $(filter arm64,$(ARCH)),$(if $(filter arm64,$(HOST_ARCH)),g++,aarch64-linux-gnu-g++),g++)
# -Wno-missing-field-initializers: g++ 12 warns about designated initializers that leave a member
# to its default member initializer, which is what they are for (tests/selftest/verdict.hpp).
TOOLS_CXXFLAGS := -std=c++20 -O2 -Wall -Wextra -Werror -Wno-missing-field-initializers -pthread $(TOOLS_EXTRA_CXXFLAGS)
# Static by default (the busybox guest has no libraries); the Debian package links dynamically
# with dpkg-buildflags' hardening (debian/rules: TOOLS_LINK= TOOLS_EXTRA_CXXFLAGS=... TOOLS_LDFLAGS=...).
TOOLS_LINK ?= -static
# rmapscope: the user's CLI. Its sources other than main.cpp (the ctl client, the reply parser,
# the pagemap oracle, helper processes) are shared with rmapscope-selftest, the test harness.
# One object per source, so the two binaries share them and make -j builds them in parallel.
TOOLS_OBJ := $(B)/obj/$(ARCH)
RMAPSCOPE_LIB := $(filter-out tools/rmapscope/main.cpp,$(wildcard tools/rmapscope/*.cpp))
RMAPSCOPE_HDRS := $(wildcard tools/rmapscope/*.hpp) include/rmapscope/abi.h
SELFTEST_SRCS := $(wildcard tests/selftest/*.cpp)
SELFTEST_HDRS := $(wildcard tests/selftest/*.hpp)
tool_objs = $(patsubst %.cpp,$(TOOLS_OBJ)/%.o,$(1))

tools: tool-deps
	@$(MAKE) --no-print-directory $(B)/tools/$(ARCH)/rmapscope $(B)/tools/$(ARCH)/rmapscope-selftest

$(TOOLS_OBJ)/tools/%.o: tools/%.cpp $(RMAPSCOPE_HDRS)
	@mkdir -p $(@D)
	$(TOOLS_CXX) $(TOOLS_CXXFLAGS) -c -o $@ $<

$(TOOLS_OBJ)/tests/%.o: tests/%.cpp $(SELFTEST_HDRS) $(RMAPSCOPE_HDRS)
	@mkdir -p $(@D)
	$(TOOLS_CXX) $(TOOLS_CXXFLAGS) -Itools/rmapscope -c -o $@ $<

$(B)/tools/$(ARCH)/rmapscope: $(call tool_objs,tools/rmapscope/main.cpp $(RMAPSCOPE_LIB))
	@mkdir -p $(@D)
	$(TOOLS_CXX) $(TOOLS_CXXFLAGS) $(TOOLS_LINK) $(TOOLS_LDFLAGS) -o $@ $^

$(B)/tools/$(ARCH)/rmapscope-selftest: $(call tool_objs,$(SELFTEST_SRCS) $(RMAPSCOPE_LIB))
	@mkdir -p $(@D)
	$(TOOLS_CXX) $(TOOLS_CXXFLAGS) -static -o $@ $^

# --- rmapsnoop: a libbpf CO-RE tracer, for x86-64 and arm64 ---------------------------------
# arm64 built on an x86-64 host links static libbpf/libelf/zlib unpacked from Debian's arm64 -dev
# packages (scripts/arm64-sysroot: downloaded, never installed); a native arm64 build (make deb
# on an arm64 machine) links the host's own.
SNOOP := $(B)/rmapsnoop/$(ARCH)
SNOOP_SRCS := $(wildcard tools/rmapsnoop/*.cpp)
SNOOP_HDRS := $(wildcard tools/rmapsnoop/*.hpp tools/rmapsnoop/*.h) tools/rmapscope/completion.hpp
SNOOP_BPF_ARCH := $(if $(filter arm64,$(ARCH)),arm64,x86)
SNOOP_LIBDIR = $(if $(and $(filter arm64,$(ARCH)),$(filter-out arm64,$(HOST_ARCH))),-L$(shell scripts/arm64-sysroot)/usr/lib/aarch64-linux-gnu)

rmapsnoop: $(SNOOP)/rmapsnoop

$(SNOOP)/rmapsnoop.bpf.o: tools/rmapsnoop/rmapsnoop.bpf.c $(wildcard tools/rmapsnoop/*.h)
	@mkdir -p $(@D)
	clang -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(SNOOP_BPF_ARCH) -c -o $@ $<

$(SNOOP)/rmapsnoop.skel.h: $(SNOOP)/rmapsnoop.bpf.o
	bpftool gen skeleton $< name rmapsnoop_bpf > $@

$(SNOOP)/rmapsnoop: $(SNOOP_SRCS) $(SNOOP_HDRS) $(SNOOP)/rmapsnoop.skel.h
	$(TOOLS_CXX) -std=c++20 -O2 -Wall -Wextra -Werror $(TOOLS_EXTRA_CXXFLAGS) $(TOOLS_LINK) $(TOOLS_LDFLAGS) -I$(SNOOP) \
		-Itools/rmapsnoop -o $@ $(SNOOP_SRCS) $(SNOOP_LIBDIR) -lbpf -lelf -lz

# --- host unit tests of the C++ core (the same sources the module builds, minus runtime.cpp) ---
CORE_HOST_SRCS := $(filter-out module/core/runtime.cpp,$(wildcard module/core/*.cpp))
HOST_TEST_SRCS := $(wildcard tests/host/*.cpp) tools/rmapscope/record.cpp tools/rmapscope/census.cpp tools/rmapscope/export.cpp
HOST_CXXFLAGS := -std=c++20 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all

# One object per source (make -j compiles them side by side), each with its header dependencies.
HOST_OBJS := $(patsubst %.cpp,$(B)/host/obj/%.o,$(CORE_HOST_SRCS) $(HOST_TEST_SRCS))
$(B)/host/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CCACHE) g++ $(HOST_CXXFLAGS) -MMD -MP -c -o $@ $<
-include $(HOST_OBJS:.o=.d)

$(B)/host/core_tests: $(HOST_OBJS)
	@mkdir -p $(@D)
	g++ $(HOST_CXXFLAGS) -o $@ $(HOST_OBJS) -lgtest -lgtest_main -pthread

host-test: $(B)/host/core_tests
	$(B)/host/core_tests

# --- libFuzzer over the command parser (the module's own source) ---------------------------
FUZZ_SECONDS ?= 30
$(B)/fuzz/command_fuzz: tests/fuzz/command_fuzz.cpp module/core/command.cpp module/core/text_writer.cpp $(wildcard module/core/*.h module/core/*.hpp)
	@mkdir -p $(@D)
	clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ \
		tests/fuzz/command_fuzz.cpp module/core/command.cpp module/core/text_writer.cpp

fuzz: $(B)/fuzz/command_fuzz
	@mkdir -p $(B)/fuzz/corpus
	$(B)/fuzz/command_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=600 $(B)/fuzz/corpus tests/fuzz/corpus

check:
	@scripts/check

# The edit-compile-test loop: host tests, fuzz, and one kernel's suite (QUICK_KERNEL=, default debian-7.3).
check-quick:
	@scripts/check --quick

# KUnit suites in QEMU on the debug kernel; SUITE=<glob> runs matching suites only.
kunit:
	@scripts/kunit $(if $(SUITE),--filter '$(SUITE)')

demo:
	@scripts/demo

bench:
	@scripts/bench

# tools/rmapscope-drgn against the module, on a dump of the debug kernel (docs/postmortem.md).
postmortem:
	@scripts/postmortem

# Keep the last make bench's records (docs/bench/bench.txt) and write docs/performance.md and its
# plot from them: the only way figures get into the docs.
bench-docs:
	@test -s build/bench/bench.txt || { echo "bench-docs: run make bench first"; exit 1; }
	@mkdir -p docs/bench && cp build/bench/bench.txt docs/bench/bench.txt
	@scripts/perf-doc --data docs/bench/bench.txt --out docs/performance.md --png docs/performance-walk-scaling.png

# Install for KDIR (default: the running kernel): the module via modules_install + depmod, the
# tools, man pages, bash completions and docs (README "Install"). DESTDIR, PREFIX and
# INSTALL_MOD_DIR (default updates) are honoured.
PREFIX ?= /usr/local
install uninstall:
	@KDIR="$(KDIR)" ARCH="$(ARCH)" DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" INSTALL_MOD_DIR="$(INSTALL_MOD_DIR)" \
		scripts/install $(if $(filter uninstall,$@),--uninstall)

# Sign rmapscope.ko for KDIR (or KERNEL=, a kernel of the matrix) with KEY and CERT (README
# "Signed modules"); KO= signs a module built elsewhere.
sign:
	@KEY="$(KEY)" CERT="$(CERT)" KDIR="$(if $(KERNEL),,$(KDIR))" KERNEL="$(KERNEL)" KO="$(KO)" ARCH="$(ARCH)" scripts/sign

# Debian packages (debhelper, dh-dkms), checked with lintian: build/deb/
deb:
	@scripts/deb

# The guided tour (docs/tour.md): make tour [KERNEL=name] [ARCH=...] [OUT=dir]
tour:
	@scripts/tour --kernel $(or $(KERNEL),debian-7.3) --arch $(ARCH) $(if $(OUT),--out '$(OUT)')

# Walkers against mutators in one boot (docs/testing.md): make stress [SECONDS=N] [KERNEL=name] [ARCH=...]
stress:
	@scripts/stress --kernel $(or $(KERNEL),debug-7.3) --arch $(ARCH) --seconds $(or $(SECONDS),60)

# The kernel's own mm selftests, alone and with rmapscope walkers at their pages (docs/testing.md)
peer:
	@scripts/peer --kernel $(or $(KERNEL),debug-7.3) $(if $(TESTS),--tests '$(TESTS)')

clean:
	rm -rf $(B)

endif
