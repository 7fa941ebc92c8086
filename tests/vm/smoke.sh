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
check "version carries the module version and ABI" grep -q '^rmapscope version=[0-9.]* abi=1$' $v
for s in rmap_walk page_vma_mapped_walk folio_lock_anon_vma_read folio_referenced try_to_unmap; do
	check "required symbol $s resolved" grep -qx "symbol name=$s resolved=1 required=1" $v
done
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
insmod /lib/rs/rmapscope.ko
check "reload recreates version" test -r $v

echo "1..$n"
[ $failed -eq 0 ]
