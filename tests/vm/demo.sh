#!/bin/sh
# What `make demo` shows inside the VM. Until the walk lands: the module live, its debugfs
# directory and what it resolved in the running kernel.
set -e
echo "### $(uname -sr) on $(uname -m)"
echo "### lsmod"
grep '^rmapscope ' /proc/modules
echo "### ls -l /sys/kernel/debug/rmapscope/"
ls -l /sys/kernel/debug/rmapscope/
echo "### rmapscope version"
rmapscope version
echo "### kernel log"
dmesg | grep 'rmapscope:'
