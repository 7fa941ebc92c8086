#!/bin/sh
# The stress run in the guest (TAP): rmapscope-selftest stress for SECONDS, with rmapsnoop
# tracing the kernel's walks all along. (rmapsnoop is attached first: under TCG, with every CPU
# busy, attaching can take longer than a short run.)
#
# rmapsnoop is stopped once the walkers and mutators have stopped, not during the run. Detaching
# its fexit programs while reclaim ran folio_referenced() through them crashed the debug 7.3
# guest twice under TCG (docs/limitations.md, "rmapsnoop"): "Oops: int3" at the BPF trampoline's
# ip_after_call, the place bpf_tramp_image_put() rewrites with an int3-guarded text poke when a
# trampoline is torn down. That is the kernel's own detach path (rmapscope.ko was not in the
# stack), and this run is about rmapscope, not about it.
#   stress.sh SECONDS
secs=${1:-60}
snoop=skipped
if [ -x /root/rmapsnoop ]; then
	/root/rmapsnoop -s > /tmp/snoop.txt 2> /tmp/snoop.err &
	r=$!
	for i in $(seq 1 600); do grep -q "tracing with" /tmp/snoop.err && break; sleep 0.2; done
fi
rmapscope-selftest stress --seconds "$secs" > /tmp/stress.tap
rc=$?
if [ -n "${r:-}" ]; then
	kill -INT $r
	wait $r; snoop=$?
fi
n=$(grep -c '^\(not \)\?ok ' /tmp/stress.tap)
grep -v '^1\.\.' /tmp/stress.tap
n=$((n + 1))
walks=$(sed -n 's/^ *\([0-9]*\) walks$/\1/p' /tmp/snoop.txt 2>/dev/null)
if [ "$snoop" = skipped ]; then
	echo "ok $n - rmapsnoop during the run # SKIP no rmapsnoop in the guest"
elif [ "$snoop" = 0 ] && [ "${walks:-0}" -gt 0 ]; then
	echo "ok $n - rmapsnoop traced $walks walks during the run and ended cleanly once it was over"
else
	echo "not ok $n - rmapsnoop traced walks during the run and ended cleanly (exit $snoop, ${walks:-no} walks)"
	sed 's/^/# /' /tmp/snoop.err | tail -n 5
	rc=1
fi
sed -n '/REASON/,/^$/p' /tmp/snoop.txt 2>/dev/null | sed 's/^/# /'
echo "1..$n"
exit $rc
