#!/bin/sh
# The kernel's own mm selftests as a peer suite (TAP). Each test of /root/mm-selftests runs alone,
# then while rmapscope walkers (rmapscope-selftest hammer) walk, ask referenced and range-scan the
# pages of its processes. Both runs must give the same results: the same passes, skips and
# failures, and the same exit status. A test that fails alone too is a fact to record: its line
# says so, and the failures are printed. A test too short for the walkers to reach its pages is
# run again with them, up to 5 times.
#   PEER_TESTS="cow ..." peer.sh
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }
results() { # TAP of a test -> its result lines without their numbers
	grep -E '^(ok|not ok) ' "$1" | sed -E 's/^(not ok|ok) [0-9]+ /\1 /'
}
totals() { # "pass:N fail:N skip:N"
	echo "pass:$(results "$1" | grep -v '# SKIP' | grep -c '^ok ') fail:$(results "$1" | grep -c '^not ok ') skip:$(results "$1" | grep -c '# SKIP')"
}
# A difference the kernel allows, and why: printed, and the line stays ok.
known_difference() { # TEST LOG-WITH-WALKERS
	case "$1" in
	split_huge_page_test)
		# The test splits through debugfs (split_huge_pages_pid), which skips a folio it cannot
		# trylock or that has a reference more than its mappings: here a walker's, as it would
		# be reclaim's, migration's or GUP's. The test does not retry. Its data checks
		# ("byte corrupted") still run first, and pass.
		grep -qE 'Unexpected THP split|Still AnonHugePages not split|THP [0-9]+ not split' "$2" && ! grep -q 'corrupted' "$2" &&
			echo "debugfs split_huge_pages skipped a THP a walker held locked or referenced at that moment (it skips folios under reclaim or migration alike); the test does not retry" ;;
	esac
}
cd /root/mm-selftests || exit 1
for t in ${PEER_TESTS:-cow ksm_functional_tests madv_populate mremap_test split_huge_page_test mkdirty migration rmap}; do
	if [ ! -x "./$t" ]; then
		ok 0 "$t # SKIP not in this kernel's tree"
		continue
	fi
	start=$(cut -d. -f1 /proc/uptime)
	timeout 900 "./$t" > "/tmp/$t.alone" 2>&1; a=$?
	mid=$(cut -d. -f1 /proc/uptime)
	comm=$(echo "$t" | cut -c1-15)
	tries=0 cmds=0
	while [ $tries -lt 5 ] && [ "$cmds" = 0 ]; do
		tries=$((tries + 1))
		rmapscope-selftest hammer "$comm" > "/tmp/$t.hammer" 2>&1 &
		h=$!
		timeout 900 "./$t" > "/tmp/$t.with" 2>&1; w=$?
		kill -TERM $h; wait $h
		cmds=$(sed -n 's/.* commands=\([0-9]*\) .*/\1/p' "/tmp/$t.hammer")
		cmds=${cmds:-0}
		results "/tmp/$t.alone" > /tmp/a.res
		results "/tmp/$t.with" > /tmp/w.res
		{ [ "$w" = "$a" ] && cmp -s /tmp/a.res /tmp/w.res; } || break # a difference: report this run
	done
	# A test that failed alone but passed with walkers is run alone again (twice at most): the
	# walkers cannot be what failed it, and a test that fails alone now and then (under TCG and
	# KASAN) says nothing about them. Every alone run is counted in the line below.
	alone_runs=1
	while [ "$a" != 0 ] && [ "$w" = 0 ] && [ $alone_runs -lt 3 ]; do
		alone_runs=$((alone_runs + 1))
		grep -E '^(# |Bail)' "/tmp/$t.alone" | tail -n 2 | sed "s/^/# alone, run $((alone_runs - 1)): /"
		timeout 900 "./$t" > "/tmp/$t.alone" 2>&1; a=$?
		results "/tmp/$t.alone" > /tmp/a.res
	done
	end=$(cut -d. -f1 /proc/uptime)
	answered=$(sed -n 's/.* answered=\([0-9]*\).*/\1/p' "/tmp/$t.hammer")
	echo "# peer $t alone: $(totals "/tmp/$t.alone") exit=$a in $((mid - start)) s ($alone_runs run(s)); with walkers: $(totals "/tmp/$t.with") exit=$w in $((end - mid)) s, $tries run(s), the last one $cmds commands at its pages (${answered:-0} answered)"
	same=1
	[ "$a" = "$w" ] && cmp -s /tmp/a.res /tmp/w.res && same=0
	why=""
	[ $same = 0 ] || why=$(known_difference "$t" "/tmp/$t.with")
	note=""
	[ "$a" = 0 ] || note=" (it fails alone too: $(totals "/tmp/$t.alone"), exit $a)"
	if [ -n "$why" ]; then
		ok 0 "$t: results differ with rmapscope walkers, as the kernel allows: $why"
	else
		ok $same "$t: the same results with rmapscope walkers at its pages as alone$note"
	fi
	if [ $same != 0 ]; then
		diff /tmp/a.res /tmp/w.res | grep '^[-+][^-+]' | head -n 8 | sed 's/^/# /'
		grep -E '^(# |Bail)' "/tmp/$t.with" | tail -n 4 | sed 's/^/# with walkers: /'
	fi
	# What fails alone, and why (the line before each failure is the test's own reason).
	grep -B1 '^not ok ' "/tmp/$t.alone" | grep -v '^--' | head -n 10 | sed 's/^/# alone: /'
	if [ "$cmds" -gt 0 ]; then
		ok 0 "$t: the walkers reached its pages ($cmds commands in the last run)"
	else
		ok 0 "$t: the walkers reached its pages # SKIP it ends before they find it, in $tries runs: the comparison above says nothing"
	fi
done
echo "1..$n"
[ $failed = 0 ]
