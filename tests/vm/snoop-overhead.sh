#!/bin/sh
# In one boot: the 64 MiB range scan alone, with rmapsnoop attached, and with rmapsnoop
# --unwind-every-walk, alternating five rounds (make bench; a ratio, never a timed test). The scan
# runs on CPU 1 and the tracer's reader on CPU 0, so that the reader never shares the scan's CPU.
traced() { # tracer-name [rmapsnoop options]
	name=$1; shift
	taskset -c 0 /root/rmapsnoop -s -d 600 "$@" > /tmp/summary.txt 2> /tmp/snoop.err &
	s=$!
	for i in $(seq 1 300); do grep -q "tracing with" /tmp/snoop.err && break; sleep 0.2; done
	taskset -c 1 rmapscope-selftest bench --scan | sed "s/kind=range_scan/kind=range_scan tracer=$name round=$R/"
	kill -INT $s; wait $s
	grep -E "walks$|^stacks:" /tmp/summary.txt | sed "s/^/# $name round $R: /"
}
taskset -c 1 rmapscope-selftest bench --scan > /dev/null	# warm-up
for R in 1 2 3 4 5; do
	taskset -c 1 rmapscope-selftest bench --scan | sed "s/kind=range_scan/kind=range_scan tracer=none round=$R/"
	traced rmapsnoop
	traced unwind-every-walk --unwind-every-walk
done
