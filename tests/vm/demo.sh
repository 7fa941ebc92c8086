#!/bin/sh
# What `make demo` shows inside the VM: the module live, then the walk of a page shared by a
# small fork tree, next to the brute-force pagemap answer.
set -e
echo "### $(uname -sr) on $(uname -m): rmapscope.ko loaded"
rmapscope version | head -2
echo
rmapscope demo
