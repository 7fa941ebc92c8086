#!/bin/sh
# The kernel's own mm selftests as a peer suite (TAP). Each test of /root/mm-selftests runs alone,
# then while rmapscope walkers (rmapscope-selftest hammer) aim every verb of the parser at the
# pages of its processes. Both runs must give the same results: the same passes, skips and
# failures, and the same exit status. A test that fails alone too is a fact to record: its line
# says so, and the failures are printed. A test too short for the walkers to reach its pages is
# run again with them, up to 20 times (mkdirty runs for about a second: 8 tries once all missed
# it); one they never reach fails.
#
# A difference is accepted only where the kernel allows it, and only as known_difference()
# describes it line for line; its claim is then checked: once the walkers have stopped,
# rmapscope holds nothing (its version file's outstanding counts are all zero) and the test run
# alone again gives its first alone results. A difference after which the test alone does not
# give its first results either is inconclusive (the test is unstable in this boot, walkers or
# not): the pair of runs is done once more, and the second pair decides.
#   PEER_TESTS="cow ..." peer.sh
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }
results() { # TAP of a test -> its result lines without their numbers
	grep -E '^(ok|not ok) ' "$1" | sed -E 's/^(not ok|ok) [0-9]+ /\1 /'
}
totals() { # "pass:N fail:N skip:N"
	echo "pass:$(results "$1" | grep -v '# SKIP' | grep -c '^ok ') fail:$(results "$1" | grep -c '^not ok ') skip:$(results "$1" | grep -c '# SKIP')"
}
# A difference the kernel allows, described exactly: prints why, or nothing when the difference
# is anything else. $1 the test, $2 its results alone, $3 with walkers, $4 its log with walkers,
# $5 and $6 the exit statuses alone and with walkers.
known_difference() {
	case "$1" in
	split_huge_page_test)
		# The test splits through debugfs (split_huge_pages_pid), which skips a folio it cannot
		# trylock or that has a reference more than its mappings: here a walker's, as it would
		# be reclaim's, migration's or GUP's. The test does not retry. A THP left whole shows in
		# the test's own words in one of two ways:
		# - split_pte_mapped_thp() reports "not ok THP N not split" and goes on (exit unchanged);
		# - split_pmd_thp_to_order() bails out ("Unexpected THP split", with its folio orders,
		#   or "Still AnonHugePages not split"), so its later cases do not run (exit 1).
		# Accepted only as exactly that: no data check failed (no "corrupted"), every result
		# line with walkers is one of the alone run's or a "THP N not split", and a bail's folio
		# orders show a whole THP's worth fewer folios of the order asked for, with any surplus
		# only at larger orders (a THP left whole, never one split further than asked).
		grep -qE 'corrupted|File content changed|No THP is allocated' "$4" && return
		grep -v -x -F -f "$2" "$3" | grep -vxE 'not ok THP [0-9]+ not split' | grep -q . && return
		if [ "$5" = "$6" ]; then
			grep -v -x -F -f "$3" "$2" | grep -q . && return # it ran every case alone ran
			grep -qxE 'not ok THP [0-9]+ not split' "$3" || return
			echo "debugfs split_huge_pages skipped a PTE-mapped THP a walker held locked or referenced at that moment (it skips folios under reclaim or migration alike): \"$(grep -xE 'not ok THP [0-9]+ not split' "$3" | head -n 1 | cut -c8-)\""
			return
		fi
		[ "$5" = 0 ] && [ "$6" = 1 ] || return
		if grep -qx 'Bail out! Unexpected THP split' "$4"; then
			# The order asked for is short by a whole quarter of its folios (the test makes 4
			# THPs: one left whole is a quarter), and any surplus is at larger orders.
			awk '/^# order [0-9]+: expected: [0-9]+ got [0-9]+$/ {
				o = $3 + 0; want = $5 + 0; got = $7 + 0; n++
				if (got < want) { if (low == "" || o < low) { low = o; short = want - got; all = want } }
				else if (got > want) above[o] = 1
			} END {
				if (!n || low == "" || (short * 4) % all != 0) exit 1
				for (o in above) if (o + 0 <= low) exit 1
			}' "$4" || return
		elif ! grep -qx 'Bail out! Still AnonHugePages not split' "$4"; then
			return
		fi
		echo "debugfs split_huge_pages skipped a THP a walker held locked or referenced at that moment (it skips folios under reclaim or migration alike); the test bails out on it: \"$(grep '^Bail out!' "$4" | head -n 1)\"" ;;
	rmap)
		# migrate.* cases move a page with move_pages(), which fails while another task holds a
		# reference on it; the test retries 100 times in a tight loop, fast next to a walk under
		# TCG. Accepted only when every differing result line is a migrate case that passed
		# alone and failed with walkers, and the exit status is the same.
		[ "$5" = "$6" ] || return
		extra=$(diff "$2" "$3" | grep '^[-+][^-+]' | grep -vE '^-ok migrate\.[a-z_]+$|^\+not ok migrate\.[a-z_]+$')
		[ -z "$extra" ] || return
		echo "move_pages() could not migrate a page a walker held referenced at that moment, 100 times in a row (migration is best effort: the kernel's own comment in the test)" ;;
	esac
}
held() { grep '^outstanding' /sys/kernel/debug/rmapscope/version; }

answered_all=""
cd /root/mm-selftests || exit 1
for t in ${PEER_TESTS:-cow ksm_functional_tests madv_populate mremap_test split_huge_page_test mkdirty migration rmap}; do
	if [ ! -x "./$t" ]; then
		ok 1 "$t: built for this kernel (scripts/mm-selftests)"
		continue
	fi
	pair=1 bailed_alone=
	while :; do
		start=$(cut -d. -f1 /proc/uptime)
		timeout 900 "./$t" > "/tmp/$t.alone" 2>&1; a=$?
		mid=$(cut -d. -f1 /proc/uptime)
		comm=$(echo "$t" | cut -c1-15)
		tries=0 cmds=0
		while [ $tries -lt 20 ] && [ "$cmds" = 0 ]; do
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
		cat "/tmp/$t.hammer" >> /tmp/hammer.all
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
		[ $same = 0 ] || why=$(known_difference "$t" /tmp/a.res /tmp/w.res "/tmp/$t.with" "$a" "$w")
		note=""
		[ "$a" = 0 ] || note=" (it fails alone too: $(totals "/tmp/$t.alone"), exit $a)"
		# A difference means something only if the test alone is reproducible: it is run alone once
		# more. When that run does not give the first alone results either, the pair was
		# inconclusive (the test is unstable in this boot, walkers or not) and is run once more.
		reproduced=0 now="" again=""
		if [ $same != 0 ]; then
			now=$(held)
			timeout 900 "./$t" > "/tmp/$t.again" 2>&1; again=$?
			results "/tmp/$t.again" > /tmp/g.res
			{ [ "$again" = "$a" ] && cmp -s /tmp/a.res /tmp/g.res; } || reproduced=1
			if [ $reproduced != 0 ] && [ $pair = 1 ]; then
				# How the test bailed out alone in this pair (its first run or the one after the
				# walkers), if it did: see the second pair below.
				grep -h '^Bail out!' "/tmp/$t.alone" "/tmp/$t.again" | sort -u > "/tmp/$t.bailed"
				bailed_alone=$(tr '\n' ';' < "/tmp/$t.bailed" | sed 's/;$//')
				echo "# $t: pair 1 inconclusive: it differed with walkers ($(grep -E '^(Bail out!|# order |not ok )' "/tmp/$t.with" | tail -n 2 | tr '\n' ';' | sed 's/;$//'); exit $w), then alone it did not give its first results either ($(grep -E '^(Bail out!|# order |not ok )' "/tmp/$t.again" | tail -n 2 | tr '\n' ';' | sed 's/;$//'); exit $again): the pair is run again"
				pair=2
				continue
			fi
			# Both pairs inconclusive: alone, the test gave other results than its first twice, so
			# no comparison with walkers can say anything in this boot. That is a skip, never a
			# pass, and only while rmapscope holds nothing once the walkers have stopped (else
			# the instability could be ours: it fails below).
			if [ $reproduced != 0 ] && ! echo "$now" | grep -q '=[1-9]'; then
				n=$((n + 1))
				echo "ok $n - $t: the same results with rmapscope walkers at its pages as alone # SKIP the test is unstable alone in this boot: twice, run alone again after a difference with walkers, it did not give its first results (the last time: $(grep -E '^(Bail out!|# order |not ok )' "/tmp/$t.again" | tail -n 2 | tr '\n' ';' | sed 's/;$//'); exit $again, first $a), and rmapscope held nothing ($now)"
				break
			fi
		fi
		# The second pair's difference, when the test bailed out in these very words alone in the
		# first pair (in either alone run: in this boot it does so without rmapscope), cannot be
		# told from the test's own instability either: a skip with both runs' words, never a
		# pass, and only while rmapscope holds nothing once the walkers have stopped.
		if [ $same != 0 ] && [ -z "$why" ] && [ $pair = 2 ] && [ -n "$bailed_alone" ] &&
		   grep -qxF -f "/tmp/$t.bailed" "/tmp/$t.with" && ! echo "$now" | grep -q '=[1-9]'; then
			n=$((n + 1))
			echo "ok $n - $t: the same results with rmapscope walkers at its pages as alone # SKIP the test is unstable alone in this boot: with walkers in the second pair it bailed out ($(grep -E '^(Bail out!|# order |not ok )' "/tmp/$t.with" | tail -n 3 | tr '\n' ';' | sed 's/;$//'); exit $w) in the words it had used alone in the first pair (\"$bailed_alone\"), and rmapscope held nothing ($now)"
			break
		fi
		if [ -n "$why" ]; then
			# The claim behind it: the walkers' references were momentary. Once they have stopped,
			# rmapscope holds nothing, and the test alone gives its first results again.
			proof=1
			echo "$now" | grep -q '=[1-9]' || [ $reproduced != 0 ] || proof=0
			ok $proof "$t: results differ with rmapscope walkers, as the kernel allows: $why; after they stopped rmapscope held nothing ($now) and the test alone gave its first results again (exit $again)$([ $pair = 2 ] && echo ', in the second pair')"
		else
			# A difference not accepted: its failure line carries the test's last words with walkers,
			# so a summary that keeps only failure lines still says what happened.
			said=""
			[ $same = 0 ] || said=" (with walkers: $(grep -E '^(Bail out!|# order |not ok )' "/tmp/$t.with" | tail -n 3 | tr '\n' ';' | sed 's/;$//'); exit $w$([ $reproduced != 0 ] && echo "; alone again, exit $again, not its first results either"))"
			ok $same "$t: the same results with rmapscope walkers at its pages as alone$note$said$([ $pair = 2 ] && echo ' (the second pair: the first was inconclusive)')"
		fi
		break
	done
	if [ $same != 0 ]; then
		diff /tmp/a.res /tmp/w.res | grep '^[-+][^-+]' | head -n 8 | sed 's/^/# /'
		grep -E '^(# |Bail)' "/tmp/$t.with" | tail -n 4 | sed 's/^/# with walkers: /'
		# Each failure new with walkers, with the test's own lines before it (its reason), and
		# the kernel's last words: what the next person needs to tell the kernel's hand from ours.
		diff -u /tmp/a.res /tmp/w.res | sed -n 's/^+not ok //p' | head -n 4 | while IFS= read -r r; do
			grep -B6 -F -e "$r" "/tmp/$t.with"
		done | head -n 30 | sed 's/^/# with walkers, before the failure: /'
		dmesg | tail -n 8 | sed 's/^/# kernel log: /'
	fi
	# What fails alone, and why (the line before each failure is the test's own reason).
	grep -B1 '^not ok ' "/tmp/$t.alone" | grep -v '^--' | head -n 10 | sed 's/^/# alone: /'
	ok $([ "$cmds" -gt 0 ] && echo 0 || echo 1) "$t: the walkers reached its pages ($cmds commands in the last of $tries run(s), ${answered:-0} answered)"
done
# Every verb of the parser was answered at least once over the whole suite.
verbs=$(sed -n 's/.* verbs=\([^ ]*\).*/\1/p' /tmp/hammer.all | tr ',' '\n' | awk -F'[:/]' '{ok[$1] += $2} END {for (v in ok) printf "%s=%d ", v, ok[v]}')
missing=$(echo "$verbs" | tr ' ' '\n' | grep '=0$')
ok $([ -n "$verbs" ] && [ -z "$missing" ] && echo 0 || echo 1) "the walkers' every verb was answered at pages of the tests: $verbs"
echo "1..$n"
[ $failed = 0 ]
