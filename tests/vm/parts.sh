#!/bin/sh
# One boot, several tests in turn (make check boots each kernel as few times as it can). Each
# part's output lies between "RMAPSCOPE-PART-BEGIN NAME" and "RMAPSCOPE-PART-END NAME rc=N HELD",
# where HELD is the version file's outstanding line once the part is over; scripts/vm-parts cuts
# the console log into one log per part. A line in the kernel log marks each part's start, so a
# kernel report names the part it came in.
#
#   parts.sh PART...
#     suite             smoke, CLI, the walk selftest against pagemap, the hostile list (suite.sh)
#     trampoline        reloaded with call_mode=trampoline: smoke, every verb in each of its modes
#                       (rmapscope-selftest verbs), the hostile list; then reloaded as before
#     snoop             rmapsnoop (rmapsnoop.sh)
#     owners            naming owners with 4,400 more tasks around (rmapscope-selftest bench --owners)
#     stress:SECONDS    walkers against mutators (stress.sh)
#     rmmod             rmmod under load (rmmod.sh)
#     faults            the fault-injection sweep (rmapscope-selftest faults)
#     lockdown-runtime  lockdown raised after the load (lockdown.sh runtime): last, it cannot be undone
v=/sys/kernel/debug/rmapscope/version
rc_all=0

held() { # the outstanding line once nothing runs (a process still leaving the module gets 2 s)
	[ -r $v ] || { echo "outstanding module-not-loaded"; return; }
	for i in 1 2 3 4 5 6 7 8 9 10; do
		h=$(grep '^outstanding' $v)
		echo "$h" | grep -q '=[1-9]' || break
		sleep 0.2
	done
	echo "$h"
}

reload() { # reload PARAMS...: the module again, with these parameters (smoke.sh reloads with them too)
	echo "$*" > /lib/rs/modparams
	rmmod rmapscope && insmod /lib/rs/rmapscope.ko "$@"
}

trampoline() {
	saved=$(cat /lib/rs/modparams)
	reload call_mode=trampoline || { echo "not ok 1 - reload with call_mode=trampoline"; return 1; }
	r=0
	sh /root/smoke.sh || r=1
	rmapscope-selftest verbs || r=1
	rmapscope-selftest hostile /root/ctl-commands.txt || r=1
	# shellcheck disable=SC2086
	reload $saved || r=1
	return $r
}

for part in "$@"; do
	name=${part%%:*} arg=${part#*:}
	echo "RMAPSCOPE-PART-BEGIN $name"
	echo "rmapscope-part: $name begins" > /dev/kmsg
	case "$name" in
		suite) sh /root/suite.sh ;;
		trampoline) trampoline ;;
		snoop) sh /root/rmapsnoop.sh ;;
		owners) rmapscope-selftest bench --owners ;;
		stress) sh /root/stress.sh "$arg" ;;
		rmmod) sh /root/rmmod.sh ;;
		faults) rmapscope-selftest faults ;;
		lockdown-runtime) sh /root/lockdown.sh runtime ;;
		*) echo "not ok 1 - parts.sh: no part named $name"; false ;;
	esac
	rc=$?
	[ $rc = 0 ] || rc_all=1
	echo "RMAPSCOPE-PART-END $name rc=$rc $(held)"
done
exit $rc_all
