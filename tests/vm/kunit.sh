#!/bin/sh
# In the debug kernel's guest: load the KUnit suites (they run while the module loads), then print
# the kernel log between markers for the host's kunit.py parse. rmapscope.ko is already loaded.
dmesg -c > /dev/null
insmod /root/rmapscope_kunit.ko || { echo "insmod rmapscope_kunit.ko failed"; exit 1; }
echo "RMAPSCOPE-KTAP-BEGIN"
dmesg
echo "RMAPSCOPE-KTAP-END"
rmmod rmapscope_kunit || exit 1
