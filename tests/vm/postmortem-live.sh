#!/bin/sh
# make postmortem's live half, in the guest: run by `rmapscope-selftest postmortem --then` once
# the host has dumped the guest, while the pages are still mapped as the module recorded them
# (/tmp/postmortem-module.txt). rmapscope-drgn reads this kernel through /proc/kcore, from the
# Debian 13 root on /dev/vdb (scripts/drgn-root: python3-drgn) with the kernel's vmlinux from
# /dev/vdc at /kernel/vmlinux, and tools/rmapscope-drgn/compare checks each page's walk and
# trees against the module's, as on the dump. TAP, every name prefixed "live: ".
r=/mnt/drgn
mkdir -p $r
if ! mount -o ro /dev/vdb $r; then
	echo "not ok 1 - live: the drgn root (/dev/vdb) mounts"
	exit 1
fi
if ! mount -o ro /dev/vdc $r/kernel; then
	echo "not ok 1 - live: the vmlinux's disk (/dev/vdc) mounts"
	umount $r
	exit 1
fi
for d in proc dev sys tmp root; do mount --bind /$d $r/$d; done
# Where a Secure Boot machine is (scripts/postmortem boots with lockdown=integrity): /proc/kcore is
# still readable there; only confidentiality refuses it.
mkdir -p /sys/kernel/security
mount -t securityfs none /sys/kernel/security 2>/dev/null
echo "# live: lockdown: $(cat /sys/kernel/security/lockdown 2>&1)"
# Pages that change while they are read: this shell forks without a pause, so the anon_vma
# family of its heap and the i_mmap of its binary gain and lose VMAs all the time. Each read of
# them must give an answer or say it changed while reading, never raise.
sh -c 'while :; do ( : ); done' &
c=$!
sleep 1
pfns=
for a in $(awk '$2 ~ /^r-xp/ || /\[heap\]/ { split($1, v, "-"); print "0x" v[1] }' /proc/$c/maps | head -n 2); do
	p=$(rmapscope walk --pid $c --addr "$a" 2>/dev/null | sed -n 's/^folio pfn \(0x[0-9a-f]*\).*/\1/p')
	[ -n "$p" ] && pfns="$pfns${pfns:+,}$p"
done
echo "# live: pages under churn: ${pfns:-none found} (the text and heap of pid $c)"
chroot $r python3 /root/compare --label live --guest /tmp/postmortem-module.txt --core /proc/kcore \
	--vmlinux /kernel/vmlinux --tool /root/rmapscope-drgn --churn "$pfns"
st=$?
kill $c
wait $c 2>/dev/null
[ -n "$pfns" ] || { echo "not ok - live: a page under churn was found to read"; st=1; }
for d in root tmp sys dev proc kernel; do umount $r/$d; done
umount $r
exit $st
