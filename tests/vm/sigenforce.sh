#!/bin/sh
# Module signature enforcement (module.sig_enforce=1) on the debug kernel, which trusts the
# project's test certificate (scripts/test-signing-key): TAP. scripts/sigtest puts three copies
# of rmapscope.ko in /root: signed with that key, unsigned, and signed then altered.
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }

[ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ]
ok $? "sig_enforce is on (module.sig_enforce=1)"

insmod /root/unsigned.ko 2> /tmp/unsigned.err
st=$?
cat /tmp/unsigned.err
[ $st != 0 ] && grep -q 'Key was rejected by service' /tmp/unsigned.err && dmesg | grep -q 'Loading of unsigned module is rejected'
ok $? "an unsigned module is refused: EKEYREJECTED, and the kernel logs 'Loading of unsigned module is rejected'"

insmod /root/tampered.ko 2> /tmp/tampered.err
st=$?
cat /tmp/tampered.err
[ $st != 0 ] && ! grep -q '^rmapscope ' /proc/modules && grep -q 'Key was rejected by service\|Bad message' /tmp/tampered.err
ok $? "a signed module altered after signing is refused ($(sed 's/.*: //' /tmp/tampered.err))"

insmod /root/signed.ko
ok $? "the module signed with the project's test key loads"
grep -q '^rmapscope ' /proc/modules && [ -e /sys/kernel/debug/rmapscope/version ]
ok $? "it runs: /proc/modules and its debugfs version file"
# Taint E (8192) marks an unsigned module: a verified one must not set it.
[ $(( $(cat /proc/sys/kernel/tainted) & 8192 )) = 0 ]
ok $? "no E taint (the signature was verified)"
rmmod rmapscope
ok $? "it unloads"
echo "1..$n"
[ "$failed" = 0 ]
