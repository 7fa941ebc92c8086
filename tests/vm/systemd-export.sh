#!/bin/sh
# The export's timer on a Debian 12 machine whose PID 1 is systemd (scripts/deb-test): run by the
# unit rmapscope-vm-check.service of the root that scripts/vm --systemd-root boots. That root has
# the packages as a user installs them (rmapscope-dkms built the module, rmapscope, Debian's
# prometheus-node-exporter), and rmapscope-export.timer enabled as rmapscope(8) says, with a
# drop-in (`systemctl edit`) that fires it 5 s after boot and every 20 s after that, without the
# random delay. /init did not load the module: only the service's `modprobe rmapscope` can have.
# TAP between scripts/vm's markers, the file itself on PROM lines for the host's promtool and
# node_exporter (scripts/prometheus-check), then the same end as every test VM (vm-report).
exec > /dev/console 2>&1
echo
echo "RMAPSCOPE-VM-BEGIN"
(
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
dir=/var/lib/prometheus/node-exporter
prom=$dir/rmapscope.prom
svc=rmapscope-export.service

check "PID 1 is systemd ($(systemctl --version | head -n 1))" test "$(cat /proc/1/comm)" = systemd
check "rmapscope-export.timer is enabled" test "$(systemctl is-enabled rmapscope-export.timer)" = enabled
check "the textfile directory is Debian's prometheus-node-exporter's" test "$(dpkg -S "$dir" 2>/dev/null | cut -d: -f1)" = prometheus-node-exporter

# The first run: OnBootSec (5 s) after boot, which under TCG can be long after the unit started.
i=0
while [ ! -s "$prom" ] && [ $i -lt 240 ]; do sleep 1; i=$((i + 1)); done
check "the timer's first run wrote $prom (waited ${i} s)" test -s "$prom"
first=$(stat -c %y "$prom" 2>/dev/null)
check "the module was loaded by the service's modprobe, from DKMS's tree" \
	sh -c 'grep -q "^rmapscope " /proc/modules && modinfo -n rmapscope | grep -q /updates/dkms/'
i=0
while [ "$(stat -c %y "$prom" 2>/dev/null)" = "$first" ] && [ $i -lt 180 ]; do sleep 1; i=$((i + 1)); done
check "the timer ran it again (OnUnitActiveSec), and the file was replaced (waited ${i} s)" \
	test "$(stat -c %y "$prom" 2>/dev/null)" != "$first"
# The timer stopped, and the run that wrote the file left to end by itself, before anything is
# read: no run replaces the file or holds the module meanwhile.
systemctl stop rmapscope-export.timer
i=0
while [ "$(systemctl show -p ActiveState --value "$svc")" != inactive ] && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
# Each run is a "Starting" and, once it exited 0, a "Finished" in the journal.
runs=$(journalctl -q -b -u "$svc" -o cat | grep -c "^Starting $svc")
done_ok=$(journalctl -q -b -u "$svc" -o cat | grep -c "^Finished $svc")
check "the timer started the service $runs times, and every run finished ($done_ok) with status 0 (last: $(systemctl show -p Result --value "$svc"), $(systemctl show -p ExecMainStatus --value "$svc"))" \
	test "$runs" -ge 2 -a "$done_ok" = "$runs" -a "$(systemctl show -p Result --value "$svc")/$(systemctl show -p ExecMainStatus --value "$svc")" = success/0
check "systemd (pid 1) has its pss in the file" grep -Eq '^rmapscope_process_pss_bytes\{pid="1",comm="systemd"\} [1-9][0-9]*$' "$prom"
check "no temporary file of the export's is left in the directory" sh -c "! ls -A $dir | grep -v '^rmapscope.prom\$' | grep -q rmapscope"
check "the file belongs to root and others may read it (node_exporter runs as prometheus)" \
	test "$(stat -c %U:%a "$prom")" = root:644
# Debian's node_exporter, started by systemd, serves it (scraped with bash's /dev/tcp: no curl).
# It sorts the labels: comm before pid.
served() {
	bash -c 'exec 3<>/dev/tcp/127.0.0.1/9100 && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' 2>/dev/null |
		grep -Eq '^rmapscope_process_pss_bytes\{comm="systemd",pid="1"\} [0-9.e+]+'
}
i=0
while ! served && [ $i -lt 90 ]; do sleep 1; i=$((i + 1)); done
check "prometheus-node-exporter.service (pid $(systemctl show -p MainPID --value prometheus-node-exporter.service)) serves systemd's pss on :9100 (waited ${i} s)" served
sed 's/^/PROM /' "$prom"
if [ "$failed" != 0 ]; then
	systemctl status --no-pager "$svc" rmapscope-export.timer prometheus-node-exporter.service 2>&1 | sed 's/^/# /'
	journalctl -q -b --no-pager -u "$svc" 2>&1 | tail -n 30 | sed 's/^/# /'
fi
echo "1..$n"
[ "$failed" = 0 ]
)
echo "RMAPSCOPE-VM-END rc=$?"
. /root/vm-report
