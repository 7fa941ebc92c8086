#!/bin/sh
# Everything `make check` runs inside one VM boot: the foundation smoke test, the CLI, the walk selftest
# against the pagemap oracle, and the hostile command list. TAP from each; exit non-zero on any
# failure.
rc=0
sh /root/smoke.sh || rc=1
sh /root/cli.sh || rc=1
rmapscope-selftest selftest || rc=1
rmapscope-selftest hostile /root/ctl-commands.txt || rc=1
exit $rc
