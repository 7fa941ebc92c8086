#!/bin/sh
# Foundation smoke test, run inside the VM by `make check` (scripts/vm loaded the module already).
# TAP output; each check compares against evidence from the guest itself (uname, /proc, dmesg).
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }

d=/sys/kernel/debug/rmapscope
v=$d/version

check "module is loaded" grep -q '^rmapscope ' /proc/modules
check "debugfs directory exists" test -d $d
check "version file is root read-only (0400)" test "$(stat -c %a $v)" = 400
check "version names the running kernel" grep -qx "kernel release=$(uname -r) arch=$(uname -m)" $v
check "version carries the module version and ABI" grep -q '^rmapscope version=[0-9.]* abi=2$' $v
for s in rmap_walk page_vma_mapped_walk folio_lock_anon_vma_read folio_referenced try_to_unmap; do
	check "required symbol $s resolved" grep -q "^symbol name=$s resolved=1 required=1 " $v
done
# The call path each symbol got must follow call_mode (and never be "refused" here: no CPU in the
# VM enforces IBT/BTI).
mode=$(cat /sys/module/rmapscope/parameters/call_mode)
check "cf line reports call_mode=$mode" grep -q "^cf kind=[a-z]* enforced=0 call_mode=$mode\$" $v
if [ "$mode" = trampoline ]; then
	check "call_mode=trampoline: every called function goes through the trampoline" \
		sh -c "! grep '^symbol' $v | grep -v 'name=folio_lock_anon_vma_read' | grep -v 'path=trampoline'"
else
	check "call_mode=$mode: direct calls where the CPU does not enforce landing pads" \
		sh -c "! grep '^symbol' $v | grep 'resolved=1' | grep -v 'path=direct'"
fi
# Features found in the kernel's headers at build time (module/kernel/probes/), checked against
# the running kernel where it tells: folio_walk_start() is in kallsyms exactly when it was found.
check "version reports the mapcount model" grep -Eq '^mm mapcount=(page|page\+mm_id|folio) per_vma_lock=[01]$' $v
if grep -q ' folio_walk_start$' /proc/kallsyms; then fw=1; else fw=0; fi
check "version's folio_walk feature ($fw) matches kallsyms" grep -qx "feature name=folio_walk detected=$fw" $v
check "anon_lock callback is called directly by the kernel" grep -q 'name=folio_lock_anon_vma_read resolved=1 required=1 entry=[a-z]* path=direct' $v
check "rmapscope version (CLI) agrees" sh -c "rmapscope version | grep -q \"kernel   $(uname -r)\""
check "load was logged" sh -c "dmesg | grep -q 'rmapscope: version .* loaded on $(uname -r)'"

# A second concurrent reader sees the same text (each open renders its own copy).
exec 3<$v
check "two readers see identical text" sh -c "cat $v | cmp -s - /proc/self/fd/3"
exec 3<&-

# Unload removes the directory; a reload brings it back.
rmmod rmapscope
check "rmmod removes debugfs directory" test ! -e $d
check "unload was logged" sh -c "dmesg | grep -q 'rmapscope: unloaded'"
insmod /lib/rs/rmapscope.ko $(cat /lib/rs/modparams)
check "reload recreates version" test -r $v
check "reload keeps call_mode=$mode" grep -q "call_mode=$mode" $v

echo "1..$n"
[ $failed -eq 0 ]
