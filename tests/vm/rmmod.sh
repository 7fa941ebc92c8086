#!/bin/sh
# rmmod under load (TAP). Walkers run commands through ctl without pause, one of them through a
# descriptor it keeps open, while this script unloads and reloads the module. The walkers' commands
# are every verb of the parser in each of its modes (rmapscope-selftest commands), each walker
# starting at another place in the list. While ctl is open
# the module is in use: rmmod must fail at once, never wait and never free code in use. Once the
# holder closes, rmmod may succeed between two commands; the walkers' next opens then fail
# (the file is gone) until the reload, and their commands work again after it. The kernel log
# (KASAN and lockdep on the debug kernel) is checked by scripts/vm.
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi; }
ctl=/sys/kernel/debug/rmapscope/ctl
[ -e $ctl ] || ctl=/dev/rmapscope # integrity lockdown
text=$(grep -m1 ' r-xp ' /proc/$$/maps | cut -d' ' -f1)
# The holder's command: answered whatever the walkers do to the page meanwhile (one of them
# unmaps it now and then, as reclaim may: a walk of it then says ENOENT).
cmd="share pid=$$ start=0x${text%-*} end=0x${text#*-}"
rm -f /tmp/stop /tmp/walker.* /tmp/answered.* /tmp/release /tmp/holding /tmp/holder
rmapscope-selftest commands --pid $$ --addr "0x${text%-*}" > /tmp/commands 2>/tmp/commands.err
ok $? "every verb of the parser has a case ($(wc -l < /tmp/commands) commands; $(cat /tmp/commands.err))"

walker() { # walker ID: the commands in turn, from line ID; counts answers and failed opens
	good=0 gone=0 bad=0 i=$1 total=$(wc -l < /tmp/commands)
	while [ ! -e /tmp/stop ]; do
		c=$(sed -n "$((i % total + 1))p" /tmp/commands)
		i=$((i + 1))
		if command exec 3<> $ctl 2>/dev/null; then # (a failed plain exec would end the shell)
			# A write that is refused (-errno) is an answer too: its read gives the error line.
			printf '%s' "$c" >&3 2>/dev/null
			if head -c 65536 <&3 > /tmp/reply.$1 2>/dev/null && [ -s /tmp/reply.$1 ]; then
				good=$((good + 1)); echo "${c%% *}" >> /tmp/answered.$1
			else
				bad=$((bad + 1))
			fi
			exec 3<&-
		else
			gone=$((gone + 1))
		fi
		usleep 5000 # a gap in which no walker holds ctl, so rmmod gets its chances
	done
	echo "$good $gone $bad" > /tmp/walker.$1
}
holder() { # keeps ctl open and sends command after command through it, until /tmp/release
	exec 4<> $ctl || { echo "0 1" > /tmp/holder; return; }
	sent=0 failed_cmds=0
	while [ ! -e /tmp/release ]; do
		if printf '%s' "$cmd" >&4 2>/dev/null; then sent=$((sent + 1)); else failed_cmds=$((failed_cmds + 1)); fi
		[ $sent = 1 ] && touch /tmp/holding
	done
	exec 4<&-
	echo "$sent $failed_cmds" > /tmp/holder
}

walker 1 & walker 2 & walker 3 &
holder &
sleep 2
# The holder's first command answered, so that the refusals below are its (a debug kernel under
# TCG once took longer than these 2 s to open ctl and send it, amid the walkers: the holder then
# found /tmp/release already there and sent nothing). Up to 60 s.
wait_holding=0
while [ ! -e /tmp/holding ] && [ ! -e /tmp/holder ] && [ $wait_holding -lt 600 ]; do sleep 0.1; wait_holding=$((wait_holding + 1)); done

# 1. Held open: rmmod fails at once, ten times, and the commands go on.
refused=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	if rmmod rmapscope 2>/tmp/rmmod.err; then break; fi
	grep -q 'in use\|Resource temporarily unavailable\|busy' /tmp/rmmod.err && refused=$((refused + 1))
done
ok $([ $refused = 10 ] && echo 0 || echo 1) "rmmod while ctl is held open fails cleanly ($refused of 10: $(head -c 80 /tmp/rmmod.err))"
grep -q '^rmapscope ' /proc/modules; ok $? "the module is still loaded"

# 2. The holder lets go: unload and reload, again and again, with the walkers running.
# (Its last command may take seconds on a debug kernel under TCG on a busy host: up to 60 s.)
touch /tmp/release; wait_holder=0
while [ ! -e /tmp/holder ] && [ $wait_holder -lt 600 ]; do sleep 0.1; wait_holder=$((wait_holder + 1)); done
read sent held_failed < /tmp/holder 2>/dev/null || sent=0 held_failed="none: the holder never finished"
ok $([ "$sent" -gt 0 ] && [ "$held_failed" = 0 ] && echo 0 || echo 1) "the holder's $sent commands all worked while rmmod was refused"
unloaded=0 reloaded=0 tries=0
while [ $unloaded -lt 10 ] && [ $tries -lt 2000 ]; do
	tries=$((tries + 1))
	rmmod rmapscope 2>/dev/null || continue
	unloaded=$((unloaded + 1))
	sleep 0.2
	insmod /lib/rs/rmapscope.ko $(cat /lib/rs/modparams) && reloaded=$((reloaded + 1))
	sleep 0.3
done
ok $([ $unloaded = 10 ] && [ $reloaded = 10 ] && echo 0 || echo 1) "unloaded and reloaded 10 times under load ($unloaded unloads, $reloaded reloads, $tries rmmod tries)"

touch /tmp/stop; wait
total_good=0 total_gone=0 total_bad=0
for w in 1 2 3; do
	read good gone bad < /tmp/walker.$w
	total_good=$((total_good + good)) total_gone=$((total_gone + gone)) total_bad=$((total_bad + bad))
done
echo "# walkers: $total_good commands answered, $total_gone opens found no ctl (unloaded), $total_bad failed after opening"
ok $([ $total_good -gt 0 ] && [ $total_gone -gt 0 ] && [ $total_bad = 0 ] && echo 0 || echo 1) \
	"the walkers were answered, found ctl gone while unloaded, and every command that opened ctl was answered"
verbs_seen=$(cat /tmp/answered.* | sort -u | tr '\n' ' ')
verbs_want=$(cut -d' ' -f1 /tmp/commands | sort -u | tr '\n' ' ')
ok $([ "$verbs_seen" = "$verbs_want" ] && echo 0 || echo 1) "every verb was answered under load: $verbs_seen(of $verbs_want)"
# A command that raced an unload may fail (its module was going); none may hang or oops.
out=$(rmapscope walk --pid $$ --addr "0x${text%-*}" 2>&1); rc=$?
ok $rc "after it all, a walk works: $(echo "$out" | head -n 1 | cut -c1-100)"
echo "1..$n"
[ $failed = 0 ]
