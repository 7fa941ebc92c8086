#!/bin/sh
# The user's CLI (tools/rmapscope), as a user meets it: TAP. Run inside the VM by suite.sh.
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }

# A page of this shell's own text (shared with every busybox process), and one of its heap.
text=$(grep -m1 ' r-xp ' /proc/$$/maps | cut -d' ' -f1)
addr=0x${text%-*}

rmapscope walk --pid $$ --addr $addr > /tmp/walk.out 2> /tmp/walk.err
ok $? "walk prints a table"
grep -q '^folio pfn 0x' /tmp/walk.out && grep -q 'mapping(s) in' /tmp/walk.out
ok $? "walk's table has the folio and the summary line"

rmapscope tree --json --pid $$ --addr $addr > /tmp/tree.json 2> /tmp/tree.err
ok $? "tree --json is accepted"
rmapscope-selftest json /tmp/tree.json
ok $? "tree --json prints one strict JSON text"

# Pictures: the DOT is written here; there is no Graphviz in the guest, so --svg must say so.
rmapscope tree --pid $$ --addr $addr --dot /tmp/tree.dot > /tmp/tree-dot.json 2> /tmp/tree-dot.err &&
  rmapscope-selftest json /tmp/tree-dot.json && grep -q '^digraph rmap' /tmp/tree.dot
ok $? "tree --dot writes a Graphviz picture and prints the JSON it drew"
maps=$(grep -o '"maps":[0-9]*' /tmp/tree-dot.json | tail -n 1 | cut -d: -f2)
[ -n "$maps" ] && [ "$maps" -gt 0 ] && [ "$(grep -c 'class="mapped"' /tmp/tree.dot)" = "$maps" ]
ok $? "tree --dot marks as many VMAs mapped as the tree's maps= ($maps)"
rmapscope walk --pid $$ --addr $addr --dot /tmp/walk.dot > /tmp/walk-dot.json 2> /tmp/walk-dot.err &&
  [ "$(grep -c '^    "map[0-9]*" ' /tmp/walk.dot)" = "$(grep -o '"maps":[0-9]*' /tmp/walk-dot.json | tail -n 1 | cut -d: -f2)" ]
ok $? "walk --dot draws one node per mapping of the walk"
rmapscope walk --pid $$ --addr $addr --svg /tmp/walk.svg > /dev/null 2> /tmp/walk-svg.err
[ $? = 1 ] && grep -q 'cannot run dot (Graphviz)' /tmp/walk-svg.err && [ ! -e /tmp/walk.svg.dot.tmp ]
ok $? "walk --svg without Graphviz fails, says why, and leaves nothing behind"

# share: this shell's memory, and the busybox processes that share its text.
rmapscope share --pid $$ > /tmp/share.out 2> /tmp/share.err
ok $? "share prints a table"
rss=$(sed -n 's/^pid [0-9]*: rss \([0-9]*\) KiB.*/\1/p' /tmp/share.out)
smaps=$(sed -n 's/^Rss: *\([0-9]*\) kB/\1/p' /proc/$$/smaps_rollup)
[ -n "$rss" ] && [ "$rss" -gt 0 ] && [ "$rss" -le "$smaps" ] && grep -q '^PID  *COMM  *SHARED' /tmp/share.out
ok $? "share's table has this shell's rss ($rss KiB, smaps_rollup $smaps KiB with the vdso) and the peer header"
[ "$(grep -c ' busybox\| sh ' /tmp/share.out)" -gt 0 ]
ok $? "share's table lists another busybox process as a peer"
rmapscope share --json --pid $$ --start $addr --end 0x${text#*-} > /tmp/share.json 2> /tmp/share.err && rmapscope-selftest json /tmp/share.json
ok $? "share --json over a range prints one strict JSON text"

# phys: whose is the machine's memory; share --all: the process x process matrix.
rmapscope phys > /tmp/phys.out 2> /tmp/phys.err
ok $? "phys prints a table"
grep -q '^1  *init ' /tmp/phys.out && grep -q '^pfn 0x0-0x' /tmp/phys.out
ok $? "phys's table attributes memory to init (pid 1) over all RAM"
rmapscope phys --json --referenced --start-pfn 0x1000 --end-pfn 0x2000 > /tmp/phys.json 2> /tmp/phys.err && rmapscope-selftest json /tmp/phys.json
ok $? "phys --json --referenced over a PFN range prints one strict JSON text"
# --no-young: the same owners, YOUNG shown as unknown (-), never as a count.
rmapscope phys --no-young > /tmp/phys0.out 2> /tmp/phys.err && grep -q '^1  *init  *[0-9][0-9]*  *[0-9][0-9]*  *- ' /tmp/phys0.out
ok $? "phys --no-young attributes memory to init and shows its YOUNG as -"
rmapscope phys --no-young --referenced > /dev/null 2> /tmp/phys.err; [ $? = 2 ]
ok $? "phys --no-young --referenced is refused as a usage error (exit 2)"
rmapscope share --all --top 4 --dot /tmp/share.dot > /tmp/matrix.out 2> /tmp/matrix.err
ok $? "share --all prints the matrix and writes a graph"
[ "$(head -c 14 /tmp/share.dot)" = "graph sharing " ] && grep -q -- ' -- ' /tmp/share.dot && grep -q "^1  *init" /tmp/matrix.out
ok $? "share --all's matrix has init, and its graph has an edge"
# export: the same one-pass census as node_exporter's textfile format and as JSON. The file is
# printed ("# prom: ") for the host's promtool and node_exporter (scripts/prometheus-check).
# Ten sleepers more than --top, so that the rest are summed as "other".
sleepers=
for i in 1 2 3 4 5 6 7 8 9 10; do sleep 600 & sleepers="$sleepers $!"; done
rmapscope export --prometheus /tmp/rmapscope.prom --json /tmp/export.json --top 8 --pairs 8 > /tmp/exp.out 2> /tmp/exp.err
ok $? "export writes a .prom file and its JSON"
kill $sleepers; wait $sleepers 2> /dev/null
grep -q '^rmapscope_process_pss_bytes{pid="1",comm="init"} [1-9]' /tmp/rmapscope.prom &&
  grep -q '^rmapscope_process_pss_bytes{pid="other",comm="other"} ' /tmp/rmapscope.prom &&
  [ "$(grep -c '^rmapscope_process_rss_bytes{' /tmp/rmapscope.prom)" = 9 ] &&
  grep -q '^rmapscope_pair_shared_bytes{pid_a=' /tmp/rmapscope.prom && grep -q '^rmapscope_scan_seconds 0\.' /tmp/rmapscope.prom &&
  rmapscope-selftest json /tmp/export.json && ! ls /tmp/rmapscope.prom.tmp.* > /dev/null 2>&1
ok $? "export: init's pss, 8 processes and other, the top pairs and the scan's time; strict JSON; no temporary file left"
sed 's/^/# prom: /' /tmp/rmapscope.prom
rmapscope phys --sets > /dev/null 2> /tmp/sets.err; [ $? = 2 ] && grep -q 'needs --json' /tmp/sets.err
ok $? "phys --sets without --json is refused as a usage error (exit 2)"
rmapscope phys --sets --no-young --json > /tmp/census.json && rmapscope export --from /tmp/census.json --json /tmp/from.json &&
  rmapscope-selftest json /tmp/from.json && grep -q '"sharing_sets"' /tmp/from.json
ok $? "export --from reads a census saved with phys --sets --no-young --json"

# A refusal reads the same from every verb: "rmapscope: error ENAME message".
rmapscope unmap --pid 1 --addr 0x0 > /tmp/u.out 2> /tmp/u.err
rc=$?
[ $rc != 0 ] && grep -q '^rmapscope: error E[A-Z]* ' /tmp/u.err && ! grep -q . /tmp/u.out
ok $? "unmap's refusal goes to stderr as 'rmapscope: error ...' ($(head -c 80 /tmp/u.err))"
rmapscope walk --pid 1 --addr 0x0 > /tmp/w.out 2> /tmp/w.err
[ $? != 0 ] && grep -q '^rmapscope: error E[A-Z]* ' /tmp/w.err
ok $? "walk's refusal reads the same"

# Without the module: say why, and what to do, on one line with its newline.
rmmod rmapscope
rmapscope walk --pid $$ --addr $addr > /dev/null 2> /tmp/nomod.err
rc=$?
insmod /lib/rs/rmapscope.ko $(cat /lib/rs/modparams)
[ $rc != 0 ] && grep -q 'module loaded: no /sys/module/rmapscope; modprobe rmapscope' /tmp/nomod.err && [ "$(wc -l < /tmp/nomod.err)" = 1 ]
ok $? "with the module unloaded, walk says it is not loaded and how to load it"
sed 's/^/# /' /tmp/nomod.err

# rmapscope doctor: every check with its evidence; exit 0 only when every verb can work.
rmapscope doctor > /tmp/doc.out 2>&1; rc=$?
[ $rc = 0 ] && grep -q '^ok    module loaded' /tmp/doc.out && grep -q '^ok    commands' /tmp/doc.out && grep -q 'every verb can work here' /tmp/doc.out
ok $? "doctor with the module loaded: every verb can work (exit $rc)"
sed 's/^/# /' /tmp/doc.out
rmapscope doctor --json > /tmp/doc.json && rmapscope-selftest json /tmp/doc.json
ok $? "doctor --json is one strict JSON text"
rmmod rmapscope
rmapscope doctor > /tmp/doc.out 2>&1; rc=$?
[ $rc = 1 ] && grep -q '^FAIL  module loaded .*no /sys/module/rmapscope' /tmp/doc.out
ok $? "doctor with the module unloaded: FAIL module loaded (exit $rc)"
insmod /lib/rs/rmapscope.ko $(cat /lib/rs/modparams)
umount /sys/kernel/debug
rmapscope walk --pid $$ --addr $addr > /dev/null 2> /tmp/nodbg.err; rc=$?
rmapscope doctor > /tmp/doc.out 2>&1; drc=$?
mount -t debugfs debugfs /sys/kernel/debug
if [ -c /dev/rmapscope ]; then
	# Integrity lockdown: the commands go through the device, which needs no debugfs.
	[ $rc = 0 ] && [ $drc = 0 ] && grep -q '^info  debugfs' /tmp/doc.out
	ok $? "with debugfs unmounted, walk still works through /dev/rmapscope and doctor says debugfs only serves version (walk exit $rc, doctor exit $drc)"
else
	[ $rc != 0 ] && grep -q 'debugfs: /sys/kernel/debug is not a debugfs (statfs magic); mount -t debugfs' /tmp/nodbg.err &&
		[ $drc = 1 ] && grep -q '^FAIL  debugfs' /tmp/doc.out
	ok $? "with debugfs unmounted, walk and doctor name it, not the module: $(head -c 160 /tmp/nodbg.err)"
fi
uname_r=$(uname -r)
grep -q "^info  kernel headers .*/lib/modules/$uname_r/build: absent" /tmp/doc.out
ok $? "doctor says this guest has no kernel headers to build with"
rmapscope --version > /tmp/ver.out; rc=$?
[ $rc = 0 ] && grep -q "^rmapscope $(grep -o 'version=[0-9.]*' /sys/kernel/debug/rmapscope/version | cut -d= -f2) (abi 2)" /tmp/ver.out
ok $? "rmapscope --version: $(cat /tmp/ver.out)"

echo "1..$n"
[ $failed -eq 0 ]
