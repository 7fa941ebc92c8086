#!/bin/sh
# rmapsnoop in the guest (TAP): it must see rmapscope's own walk of a page shared by 16 processes
# with exactly 16 rmap_one calls, and reclaim walks (memory.reclaim of a memory cgroup) of pages
# shared by 4 processes with 4 rmap_one calls each.
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }

/root/rmapsnoop -v --json -d 120 > /tmp/snoop.json 2> /tmp/snoop.err &
snoop=$!
for i in $(seq 1 300); do grep -q "tracing with" /tmp/snoop.err && break; sleep 0.2; done
grep -q "tracing with" /tmp/snoop.err; ok $? "rmapsnoop attaches ($(grep -o 'tracing with [a-z/]*' /tmp/snoop.err))"

share=$(rmapscope-selftest fixture share --sharers 16)
reclaim=$(rmapscope-selftest fixture reclaim --sharers 4 --pages 16)
sleep 1
kill -INT $snoop; wait $snoop; rc=$?
ok $rc "rmapsnoop exits cleanly on SIGINT"
sed 's/^/# /' /tmp/snoop.err

pfn=$(($(echo "$share" | sed -n 's/.* pfn=\(0x[0-9a-f]*\).*/\1/p')))
line=$(grep "\"pfn\":$pfn," /tmp/snoop.json | grep '"reason":"rmapscope"' | head -n 1)
echo "$line" | grep -q '"rmap_one":16,'; ok $? "the walk of a page shared by 16 processes: reason rmapscope, 16 rmap_one calls"
[ -n "$line" ] || { echo "# $share"; grep '"reason":"rmapscope"' /tmp/snoop.json | head -n 3 | cut -c1-300 | sed 's/^/# /'; }

# Per PFN, the walks up to and including the try_to_unmap that unmapped it: after that the page
# is swapped out and freed, and its PFN may come back as someone else's page.
dec=
for p in $(echo "$reclaim" | sed -n 's/.* pfns=\([0-9a-fx,]*\).*/\1/p' | tr ',' ' '); do dec="$dec$((p)),"; done
set -- $(awk -v pfns="$dec" '
  BEGIN { n = split(pfns, p, ","); for (i = 1; i <= n; i++) if (p[i] != "") want[p[i]] = 1 }
  /"reason":"reclaim"/ {
    match($0, /"pfn":[0-9]+/); pfn = substr($0, RSTART + 6, RLENGTH - 6)
    if (!(pfn in want) || (pfn in done)) next
    match($0, /"rmap_one":[0-9]+/); vmas = substr($0, RSTART + 11, RLENGTH - 11)
    walks++; if (vmas == 4) right++
    if ($0 ~ /"function":"try_to_unmap"/ && $0 ~ /"unmapped":true/) done[pfn] = 1
  }
  END { print walks + 0, right + 0 }' /tmp/snoop.json)
walks=$1 right=$2
[ "$walks" -gt 0 ]; ok $? "reclaim walks of the 4-way shared pages were traced ($walks)"
[ "$walks" -gt 0 ] && [ "$right" = "$walks" ]; ok $? "every one of them visited 4 VMAs ($right of $walks)"
[ "$walks" -gt 0 ] && [ "$right" = "$walks" ] || { echo "# $reclaim"; grep '"reason":"reclaim"' /tmp/snoop.json | head -n 3 | cut -c1-300 | sed 's/^/# /'; }

# page_vma_mapped_walk() runs inside an rmap_one callback: a walk with pvmw calls and no rmap_one
# call means rmapsnoop does not know that kernel's callback (rmap_ones.h), whatever the reason.
odd=$(sed -n 's/.*"pvmw":\([0-9]*\),.*"rmap_one":\([0-9]*\),.*/\1 \2/p' /tmp/snoop.json | awk '$1 > 0 && $2 == 0' | wc -l)
[ "$odd" = 0 ]; ok $? "no walk calls page_vma_mapped_walk without an rmap_one callback rmapsnoop counts ($odd do)"
[ "$odd" = 0 ] || grep '"rmap_one":0,' /tmp/snoop.json | grep -v '"pvmw":0,' | head -n 2 | cut -c1-300 | sed 's/^/# /'

# Every stack starts at the traced function: never at the tracer's own frames (BPF program,
# trampoline), which have no symbol and would borrow the nearest one's name.
total=$(grep -c '"stack":\["' /tmp/snoop.json)
bad=$(sed -n 's/.*"function":"\([^"]*\)".*"stack":\["\([^"]*\)".*/\1 \2/p' /tmp/snoop.json | awk '$1 != $2' | wc -l)
[ "$total" -gt 0 ] && [ "$bad" = 0 ]; ok $? "every walk's stack starts at the traced function ($bad of $total do not)"
[ "$bad" = 0 ] || grep '"stack":' /tmp/snoop.json | head -n 2 | cut -c1-400 | sed 's/^/# /'

/root/rmapsnoop -s -d 60 > /tmp/summary.txt 2> /tmp/summary.err &
s=$!
for i in $(seq 1 300); do grep -q "tracing with" /tmp/summary.err && break; sleep 0.2; done
rmapscope-selftest fixture share --sharers 4 > /dev/null
kill -INT $s; wait $s
grep -q '^rmapscope ' /tmp/summary.txt && grep -q 'VMAs visited per walk' /tmp/summary.txt
ok $? "-s prints walks per reason and the histograms"
sed 's/^/# /' /tmp/summary.txt | head -n 30

# arm64: the struct page array is measured from two pages rmapsnoop has the kernel page out
# (tools/rmapsnoop/pfn.hpp); the PFNs above were checked against it. Without swap it measures
# with file pages on a disk, and with neither it refuses instead of printing a wrong PFN.
if [ "$(uname -m)" = aarch64 ]; then
	base=$(/root/rmapsnoop -v -d 0.5 2>&1 >/dev/null | sed -n 's/.*struct page array at \(0x[0-9a-f]*\) (measured).*/\1/p')
	swapoff /dev/zram0
	file_base=$(cd /mnt/ext4 && /root/rmapsnoop -v -d 0.5 2>&1 >/dev/null | sed -n 's/.*struct page array at \(0x[0-9a-f]*\) (measured).*/\1/p')
	(cd /root && /root/rmapsnoop -v -d 2 > /tmp/refuse.out 2> /tmp/refuse.err); rc=$?
	swapon /dev/zram0
	[ -n "$base" ] && [ "$file_base" = "$base" ]
	ok $? "arm64: the struct page array measured with anon pages ($base) and, without swap, with ext4 file pages ($file_base) agree"
	# Without swap, 7.x walks none of the anonymous pages (MADV_PAGEOUT ignores references) and
	# rmapsnoop must refuse; 6.1 still asks folio_referenced() of them, which measures right.
	no_swap_base=$(sed -n 's/.*struct page array at \(0x[0-9a-f]*\) (measured).*/\1/p' /tmp/refuse.err)
	{ [ "$rc" != 0 ] && grep -q 'refusing to run rather than print wrong PFNs' /tmp/refuse.err && ! grep -q . /tmp/refuse.out; } ||
		{ [ "$rc" = 0 ] && [ "$no_swap_base" = "$base" ]; }
	ok $? "arm64: with no swap and no disk directory, rmapsnoop refuses or measures the same array (${no_swap_base:-refused})"
	grep -v '^rmapsnoop: tracing ' /tmp/refuse.err | sed 's/^/# /' | head -n 5
fi

# A walk whose exit probe never ran (a kretprobe out of instances under heavy reclaim) must not
# make every later walk of the thread count as nested: with no exit probe attached at all, each
# walk this shell makes closes the one before, reported as exit_lost.
/root/rmapsnoop --json -d 60 --test-no-exit-probes > /tmp/lost.json 2> /tmp/lost.err &
l=$!
for i in $(seq 1 300); do grep -q "tracing with" /tmp/lost.err && break; sleep 0.2; done
text=$(grep -m1 ' r-xp ' /proc/$$/maps | cut -d' ' -f1)
for i in 1 2 3 4; do
	exec 3<> /sys/kernel/debug/rmapscope/ctl
	printf 'walk pid=%d addr=0x%s' $$ "${text%-*}" >&3
	exec 3<&-
done
sleep 1
kill -INT $l; wait $l
lost=$(grep "\"tgid\":$$}" /tmp/lost.json | grep -c '"exit_lost":true')
[ "$lost" -ge 3 ]; ok $? "4 walks by one thread whose exits are all missed: $lost reported as exit_lost, none swallowed as nested"
[ "$lost" -ge 3 ] || { grep "\"tgid\":$$}" /tmp/lost.json | cut -c1-250 | sed 's/^/# /'; sed 's/^/# /' /tmp/lost.err | tail -3; }

# The CLI's walk is one ctl transaction, so one walk in the kernel (it once sent the command twice).
/root/rmapsnoop --json -d 60 > /tmp/cli.json 2> /tmp/cli.err &
c=$!
for i in $(seq 1 300); do grep -q "tracing with" /tmp/cli.err && break; sleep 0.2; done
rmapscope walk --pid $$ --addr "0x${text%-*}" > /dev/null
sleep 1
kill -INT $c; wait $c
cli_walks=$(grep '"comm":"rmapscope"' /tmp/cli.json | grep -c '"function":"rmap_walk"')
[ "$cli_walks" = 1 ]; ok $? "rmapscope walk (the CLI) makes one rmap walk ($cli_walks)"

# The kprobe fallback sees the same walk.
/root/rmapsnoop --kprobes --json -d 60 > /tmp/kp.json 2> /tmp/kp.err &
k=$!
for i in $(seq 1 300); do grep -q "tracing with" /tmp/kp.err && break; sleep 0.2; done
share=$(rmapscope-selftest fixture share --sharers 16)
kill -INT $k; wait $k
pfn=$(($(echo "$share" | sed -n 's/.* pfn=\(0x[0-9a-f]*\).*/\1/p')))
grep "\"pfn\":$pfn," /tmp/kp.json | grep '"reason":"rmapscope"' | grep -q '"rmap_one":16,'
ok $? "--kprobes: the same walk, reason rmapscope, 16 rmap_one calls ($(grep -o 'tracing with [a-z/]*' /tmp/kp.err))"

# A reused stack must be the stack an unwind gives. Two tracers watch the same walks, one reusing
# stacks and one unwinding every walk; per thread, both must list the same walks with the same
# stacks. The walks come from several call chains: rmapscope's walk, its range scan of this
# shell's own text (shared with every busybox process), and reclaim.
walk_list() { # JSON lines -> "tid pfn function stack", in order within each thread
	# Only the workload's walks: DAMON (on by default in Debian 7.x: DAMON_STAT) walks from its
	# kdamond all the time, and which of those fall inside each tracer's window is chance; and
	# on arm64 each rmapsnoop pages out two pages of its own to measure the struct page array,
	# which the other tracer sees.
	grep -v -e '"reason":"damon"' -e '"comm":"rmapsnoop"' "$1" | sed -n 's/.*"function":"\([^"]*\)".*"pfn":\([0-9]*\),"pid":\([0-9]*\),.*"stack":\(.*\),"stack_reused".*/\3 \2 \1 \4/p' |
		sort -s -n -k1,1
}
same_stacks() { # mode-flag...
	# The unwinding one first: under kprobes, a kretprobe attached after the reusing tracer's
	# kprobe would replace the return address it checks, and then nothing is reused (by design).
	/root/rmapsnoop --json -d 120 --unwind-every-walk "$@" > /tmp/every.json 2> /tmp/every.err &
	b=$!
	for i in $(seq 1 300); do grep -q "tracing with" /tmp/every.err && break; sleep 0.2; done
	/root/rmapsnoop --json -d 120 "$@" > /tmp/reuse.json 2> /tmp/reuse.err &
	a=$!
	for i in $(seq 1 300); do grep -q "tracing with" /tmp/reuse.err && break; sleep 0.2; done
	rmapscope-selftest fixture share --sharers 3 > /dev/null
	# This shell itself, one thread, asks folio_referenced() from two call chains in turn (the
	# range scan's and the single page's): a stack reused across them would show here.
	text=$(grep -m1 ' r-xp ' /proc/$$/maps | cut -d' ' -f1)
	for i in 1 2 3; do
		exec 3<> /sys/kernel/debug/rmapscope/ctl
		printf 'referenced pid=%d start=0x%s end=0x%s' $$ "${text%-*}" "${text#*-}" >&3
		exec 3<&-
		exec 3<> /sys/kernel/debug/rmapscope/ctl
		printf 'referenced pid=%d addr=0x%s' $$ "${text%-*}" >&3
		exec 3<&-
	done
	rmapscope-selftest fixture reclaim --sharers 2 --pages 8 > /dev/null
	sleep 1
	kill -INT $a $b; wait $a; wait $b
	walk_list /tmp/reuse.json > /tmp/reuse.list
	walk_list /tmp/every.json > /tmp/every.list
	reused=$(grep -v '"reason":"damon"' /tmp/reuse.json | grep -c '"stack_reused":true')
	never=$(grep -c '"stack_reused":true' /tmp/every.json)
	walks=$(wc -l < /tmp/every.list)
	# Under kprobes, whether any stack is reused depends on the order the kernel runs the two
	# tracers' probes in (see above): only fentry must reuse, and only on x86-64 (an arm64 call
	# keeps its return address in LR, not at a stack slot the cache can check: nothing is reused).
	must_reuse=0
	[ "$1" != --kprobes ] && [ "$(uname -m)" = x86_64 ] && must_reuse=1
	[ "$walks" -gt 0 ] && { [ "$reused" -gt 0 ] || [ $must_reuse = 0 ]; } && [ "$never" = 0 ] &&
		cmp -s /tmp/reuse.list /tmp/every.list
	ok $? "${*:-fentry}: $reused of $walks walks reused a stack, and every walk's stack equals an unwind's"
	cmp -s /tmp/reuse.list /tmp/every.list || diff /tmp/every.list /tmp/reuse.list | head -n 6 | cut -c1-300 | sed 's/^/# /'
}
same_stacks
same_stacks --kprobes

echo "1..$n"
[ "$failed" = 0 ]
