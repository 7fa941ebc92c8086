#!/bin/sh
# Kernel lockdown (TAP). One argument says how this boot met it:
#   boot [LEVEL]  booted with lockdown=LEVEL (integrity, or confidentiality), the module signed
#            with the key the kernel trusts (scripts/vm --sign, the debug kernel). rmapscope must
#            not create ctl, must serve version read-only with "lockdown mode=LEVEL", say so once
#            in the log, and change nothing else: every required symbol resolved. Under integrity
#            it serves ctl's commands at /dev/rmapscope (0600), and the CLI works through it;
#            under confidentiality it serves no command at all, and the CLI says why.
#   runtime  the module loaded, then lockdown raised (/sys/kernel/security/lockdown). debugfs
#            itself then refuses to open ctl (EPERM); version still reads, and the CLI says why.
#   unsigned booted with lockdown=integrity on a kernel that checks module signatures (Debian's):
#            the unsigned module is refused by the kernel, with its own message.
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }
d=/sys/kernel/debug/rmapscope
mkdir -p /sys/kernel/security
mount -t securityfs none /sys/kernel/security 2>/dev/null
text=$(grep -m1 ' r-xp ' /proc/$$/maps | cut -d' ' -f1)
walk() { rmapscope walk --pid $$ --addr "0x${text%-*}" 2>&1; }
refused() { [ "$1" != 0 ] && echo "$2" | grep -q "$3"; } # refused STATUS OUTPUT PATTERN

case "$1" in
boot)
	level=${2:-integrity}
	grep -q "\[$level\]" /sys/kernel/security/lockdown; ok $? "the kernel is locked down: $(cat /sys/kernel/security/lockdown)"
	grep -q '^rmapscope ' /proc/modules; ok $? "the module, signed, loaded"
	[ ! -e $d/ctl ]; ok $? "ctl is not created"
	v=$(cat $d/version 2>&1); ok $? "version reads"
	echo "$v" | grep -qx "lockdown mode=$level"; ok $? "version says: lockdown mode=$level"
	[ "$(stat -c %a $d/version)" = 400 ]; ok $? "version is read-only (mode $(stat -c %a $d/version))"
	missing=$(echo "$v" | grep '^symbol ' | grep 'required=1' | grep -c 'resolved=0')
	ok $([ "$(echo "$v" | grep -c '^symbol ')" -gt 0 ] && [ "$missing" = 0 ] && echo 0 || echo 1) "nothing else changes: every required symbol resolved ($missing missing)"
	[ "$(dmesg | grep -c "rmapscope: kernel lockdown ($level) blocks writable debugfs files")" = 1 ]
	ok $? "one log line says why"
	if [ "$level" = integrity ]; then
		[ -c /dev/rmapscope ] && [ "$(stat -c %a /dev/rmapscope)" = 600 ]
		ok $? "/dev/rmapscope is a character device, mode 600 ($(ls -l /dev/rmapscope 2>&1 | cut -c1-60))"
		dmesg | grep -q 'rmapscope: serving ctl.s commands at /dev/rmapscope (integrity lockdown)'; ok $? "the log says where"
		out=$(walk); ok $? "the CLI walks through the device: $(echo "$out" | head -n 1 | cut -c1-80)"
		# rmapscope-drgn's live source (docs/postmortem.md; make postmortem reads it here too).
		head -c 64 /proc/kcore > /dev/null 2>&1; ok $? "/proc/kcore opens and reads (LOCKDOWN_KCORE is a confidentiality reason)"
	else
		[ ! -e /dev/rmapscope ]; ok $? "no /dev/rmapscope: confidentiality serves no command"
		out=$(walk); rc=$?
		refused $rc "$out" 'locked down'; ok $? "the CLI refuses and says why: $out"
		err=$(head -c 64 /proc/kcore 2>&1 > /dev/null); rc=$?
		refused $rc "$err" 'not permitted'; ok $? "/proc/kcore is refused, so rmapscope-drgn cannot read this kernel live: $err"
	fi
	;;
runtime)
	grep -q '^rmapscope ' /proc/modules && [ -e $d/ctl ]; ok $? "the module loaded, with ctl"
	out=$(walk); ok $? "a walk works before lockdown"
	echo integrity > /sys/kernel/security/lockdown
	grep -q '\[integrity\]' /sys/kernel/security/lockdown; ok $? "lockdown raised: $(cat /sys/kernel/security/lockdown)"
	err=$( (exec 3<> $d/ctl) 2>&1 ); rc=$?
	refused $rc "$err" 'Operation not permitted'; ok $? "debugfs refuses to open ctl: $err"
	grep -qx 'lockdown mode=none' $d/version; ok $? "version still reads (its lockdown line is the load-time level: none)"
	out=$(walk); rc=$?
	refused $rc "$out" 'locked down, integrity'; ok $? "the CLI refuses and says why: $out"
	;;
unsigned)
	grep -q '\[integrity\]' /sys/kernel/security/lockdown; ok $? "the kernel is locked down: $(cat /sys/kernel/security/lockdown)"
	err=$(insmod /lib/rs/rmapscope.ko 2>&1); rc=$?
	ok $([ $rc != 0 ] && ! grep -q '^rmapscope ' /proc/modules && echo 0 || echo 1) "the unsigned module is refused: $err"
	dmesg | grep -q 'Lockdown: insmod: unsigned module loading is restricted'; ok $? "by the kernel, which says why: $(dmesg | grep -m1 'Lockdown: insmod' | cut -c1-120)"
	;;
*) echo "usage: lockdown.sh boot [integrity|confidentiality] | runtime | unsigned" >&2; exit 2 ;;
esac
echo "1..$n"
[ $failed = 0 ]
