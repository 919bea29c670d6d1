#!/bin/sh
# Records the small trace.dat seeds in fuzz/seeds/ on this machine: a real
# capture of a few milliseconds of the guest-side events hpsim reads, written
# by trace-cmd, holding only what a reader of those events needs.
#
# The bundled captures under traces/ are a megabyte each, nearly all of it the
# recording machine's kallsyms and the formats of a hundred event systems; a
# fuzzer mutating them spends its time copying. Here the events are enabled
# through tracefs, recorded for DURATION seconds, and `trace-cmd extract` writes
# the file inside a private mount namespace in which /proc/kallsyms and
# printk_formats read as empty, saved_cmdlines holds only the tasks the
# recording names, and events/ holds only the formats of the recorded events.
# (`trace-cmd record` itself cannot run where the kernel refuses writes to
# /proc/sys/kernel/ftrace_enabled and the function tracer's files, as it does
# in some guests; extract touches neither.)
#
# Needs root, tracefs at /sys/kernel/tracing, unshare(1) and trace-cmd.
# usage: fuzz/record-seeds.sh OUT.dat [DURATION]
set -eu
OUT=$1
DUR=${2:-0.03}
T=/sys/kernel/tracing
EVENTS="power/cpu_idle sched/sched_switch sched/sched_wakeup irq/irq_handler_entry
timer/hrtimer_expire_entry ipi/ipi_send_cpu ipi/ipi_send_cpumask"
W=$(mktemp -d)
trap 'echo 0 >$T/tracing_on; for e in $EVENTS; do [ -e $T/events/$e/enable ] && echo 0 >$T/events/$e/enable; done; rm -rf "$W"' EXIT
echo 0 >$T/tracing_on
echo >$T/trace
on=
for e in $EVENTS; do
	[ -e $T/events/$e/enable ] || continue # ipi events are new in 6.6
	echo 1 >$T/events/$e/enable
	on="$on $e"
done
# some idle wakeups: timers expiring on an otherwise quiet machine
echo 1 >$T/tracing_on
i=0
while [ $i -lt 4 ]; do
	sleep "$DUR"
	i=$((i + 1))
done
echo 0 >$T/tracing_on
# the formats and names the extracted file will carry
mkdir -p "$W/events/ftrace"
cp $T/events/header_page $T/events/header_event "$W/events/"
for d in $T/events/ftrace/*/; do
	mkdir -p "$W/events/ftrace/$(basename "$d")"
	cp "$d/format" "$W/events/ftrace/$(basename "$d")/"
done
for e in $on; do
	mkdir -p "$W/events/$e"
	cp $T/events/$e/format "$W/events/$e/"
done
sed -n 's/^ *[^ ]*-\([0-9][0-9]*\) .*/\1/p' $T/trace | sort -u >"$W/pids"
awk 'NR == FNR { want[$1] = 1; next } want[$1]' "$W/pids" $T/saved_cmdlines >"$W/cmdlines"
: >"$W/empty"
unshare -m sh -c "
	mount --bind '$W/empty' /proc/kallsyms &&
	mount --bind '$W/empty' $T/printk_formats &&
	mount --bind '$W/cmdlines' $T/saved_cmdlines &&
	mount --bind '$W/events' $T/events &&
	trace-cmd extract -o '$OUT' >/dev/null"
