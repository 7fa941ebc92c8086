#!/bin/sh
# In one boot: the 64 MiB range scan without and with rmapsnoop attached, alternating three
# times each (make bench; a ratio, never a timed test).
traced() {
	/root/rmapsnoop -s -d 600 > /tmp/summary.txt 2> /tmp/snoop.err &
	s=$!
	for i in $(seq 1 300); do grep -q "tracing with" /tmp/snoop.err && break; sleep 0.2; done
	rmapscope bench --scan | sed "s/kind=range_scan/kind=range_scan tracer=rmapsnoop round=$1/"
	kill -INT $s; wait $s
	grep -E "walks$" /tmp/summary.txt | sed 's/^/# rmapsnoop saw /'
}
rmapscope bench --scan > /dev/null	# warm-up
for r in 1 2 3; do
	rmapscope bench --scan | sed "s/kind=range_scan/kind=range_scan tracer=none round=$r/"
	traced $r
done
