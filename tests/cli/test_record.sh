#!/bin/sh
# hpsim record: its refusals, the command lines of the modes this machine
# cannot run, and a real guest-mode capture (and a real two-instance
# trace.dat) replayed through hpsim. The real part skips (77) with the reason
# when tracefs or trace-cmd is unusable.
# usage: test_record.sh HPSIM
set -u
HPSIM=$1
export HPSIM_NO_CACHE=1
T=/sys/kernel/tracing
tmp=$(mktemp -d /tmp/hpsim-record-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect STATUS PATTERN CMD...: exit status and a message matching PATTERN on stderr
expect() {
	want=$1 pat=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ "$st" = "$want" ] || fail "$* exited $st, expected $want: $(cat "$tmp/err")"
	grep -q -- "$pat" "$tmp/err" || fail "$*: stderr lacks '$pat': $(cat "$tmp/err")"
}

# --- refusals ------------------------------------------------------------
expect 2 "--mode must be guest, host or host+guest" "$HPSIM" record -o "$tmp/x.dat" --duration 1
expect 2 "give a command after" "$HPSIM" record --mode guest -o "$tmp/x.dat"
expect 2 "not both" "$HPSIM" record --mode guest -o "$tmp/x.dat" --duration 1 -- true
expect 2 "is not a number of seconds" "$HPSIM" record --mode guest -o "$tmp/x.dat" --duration -3
HPSIM_TRACE_CMD=/nonexistent/trace-cmd expect 1 "trace-cmd not found" \
	"$HPSIM" record --mode guest -o "$tmp/x.dat" --duration 1
mkdir -p "$tmp/notracefs"
HPSIM_TRACE_CMD=/bin/true HPSIM_TRACEFS="$tmp/notracefs" expect 1 \
	"tracefs is not mounted at $tmp/notracefs" \
	"$HPSIM" record --mode guest -o "$tmp/x.dat" --duration 1
# a tracefs with only some events: each missing one is named
mkdir -p "$tmp/fake/instances" "$tmp/fake/events/power/cpu_idle" "$tmp/fake/events/kvm/kvm_exit"
touch "$tmp/fake/events/power/cpu_idle/enable" "$tmp/fake/events/kvm/kvm_exit/enable"
HPSIM_TRACE_CMD=/bin/true HPSIM_TRACEFS="$tmp/fake" expect 1 \
	"no sched:sched_switch, sched:sched_wakeup, irq:irq_handler_entry, ipi:ipi_send_cpu, timer:hrtimer_expire_entry event(s)" \
	"$HPSIM" record --mode guest -o "$tmp/x.dat" --duration 1
HPSIM_TRACE_CMD=/bin/true HPSIM_TRACEFS="$tmp/fake" expect 1 "no kvm:kvm_entry, kvm:kvm_vcpu_wakeup" \
	"$HPSIM" record --mode host -o "$tmp/x.dat" --duration 1
[ ! -e "$tmp/x.dat" ] && [ ! -e "$tmp/x.dat.settings.json" ] || fail "a refused record wrote files"

# --- command lines (dry run) -----------------------------------------------
if [ -d "$T/events/kvm/kvm_vcpu_wakeup" ] && command -v trace-cmd >/dev/null; then
	"$HPSIM" record --mode host -o "$tmp/h.dat" --dry-run --duration 2 >"$tmp/host.txt" ||
		fail "host dry run"
	for e in kvm/kvm_exit kvm/kvm_entry kvm/kvm_vcpu_wakeup kvm/kvm_halt_poll_ns \
		sched/sched_switch sched/sched_wakeup; do
		grep -q "^echo 1 > $T/instances/hpsim-[0-9]*/events/$e/enable\$" "$tmp/host.txt" ||
			fail "host dry run does not enable $e: $(cat "$tmp/host.txt")"
	done
	grep -q "^sleep 2\$" "$tmp/host.txt" || fail "host dry run: no sleep 2"
	grep -q "trace-cmd extract -B hpsim-[0-9]* -o $tmp/h.dat.hpsim-tmp\$" "$tmp/host.txt" ||
		fail "host dry run: no extract line: $(cat "$tmp/host.txt")"
	"$HPSIM" record --mode host+guest --guest vm1@3:823 -o "$tmp/hg.dat" --dry-run \
		-- sleep 5 >"$tmp/hg.txt" || fail "host+guest dry run"
	# host events before -A, the guest's after it, then the command
	grep -q "trace-cmd record -b 16384 -o $tmp/hg.dat -e kvm:kvm_exit .*-e kvm:kvm_vcpu_wakeup .*-e sched:sched_wakeup -A vm1@3:823 -e power:cpu_idle .*-e timer:hrtimer_expire_entry sleep 5\$" \
		"$tmp/hg.txt" || fail "host+guest command line: $(cat "$tmp/hg.txt")"
	expect 2 "--guest is for --mode host+guest" \
		"$HPSIM" record --mode host --guest vm1@3 -o "$tmp/x.dat" --duration 1
	expect 1 "host+guest needs --guest" \
		"$HPSIM" record --mode host+guest -o "$tmp/x.dat" --duration 1
	if ! (exec 3<>/dev/kvm) 2>/dev/null; then
		expect 1 "host+guest needs a KVM host" \
			"$HPSIM" record --mode host+guest --guest vm1@3 -o "$tmp/x.dat" --duration 1
	fi
fi

# --- a real guest-mode capture ---------------------------------------------
if ! command -v trace-cmd >/dev/null; then
	echo "SKIP: trace-cmd is not installed; no real capture"
	exit 77
fi
if [ ! -d "$T/events/power/cpu_idle" ] || ! mkdir "$T/instances/hpsim-probe-$$" 2>/dev/null; then
	echo "SKIP: tracefs at $T is not mounted or not writable; no real capture"
	exit 77
fi
rmdir "$T/instances/hpsim-probe-$$"

# pairs: cpu_idle enters followed by an exit on the same CPU, counted from `trace-cmd report`
pairs() {
	trace-cmd report "$1" 2>/dev/null | awk '
		/cpu_idle:/ { cpu = $0; sub(/.*\[/, "", cpu); sub(/\].*/, "", cpu)
			if ($0 ~ /state=4294967295/) { if (open[cpu]) n++; open[cpu] = 0 }
			else open[cpu] = 1 }
		END { print n + 0 }'
}
# halts: the total (the last "halts" of) hpsim info --format json
halts() {
	"$HPSIM" info --format json "$1" | awk '/"halts":/ { gsub(/[^0-9]/, ""); n = $0 } END { print n + 0 }'
}

out="$tmp/guest.dat"
# in the background for its pid: the instance it makes is hpsim-PID (another
# recording on this machine may have its own instance at the same time)
"$HPSIM" record --mode guest -o "$out" --buffer-kb 4096 -- \
	sh -c 'i=0; while [ $i -lt 400 ]; do sleep 0.002; i=$((i + 1)); done' 2>"$tmp/rec.err" &
rec=$!
wait $rec || fail "record: $(cat "$tmp/rec.err")"
[ -s "$out" ] || fail "no capture written"
[ -e "$T/instances/hpsim-$rec" ] && fail "record left its tracefs instance hpsim-$rec behind"
side="$out.settings.json"
[ -s "$side" ] || fail "no settings sidecar"
grep -q "\"kernel_release\": \"$(uname -r)\"" "$side" || fail "sidecar: kernel release"
grep -q '"mode": "guest"' "$side" || fail "sidecar: mode"
grep -q '"power:cpu_idle"' "$side" || fail "sidecar: events"
if [ -r /sys/module/kvm/parameters/halt_poll_ns ]; then
	hpn=$(cat /sys/module/kvm/parameters/halt_poll_ns)
	grep -q "\"halt_poll_ns\": \"$hpn\"" "$side" || fail "sidecar: kvm halt_poll_ns $hpn"
fi
want=$(pairs "$out")
if [ "$want" -eq 0 ]; then
	echo "SKIP: the machine never went idle while recording (0 cpu_idle pairs); nothing to replay"
	exit 77
fi
got=$(halts "$out")
[ "$got" = "$want" ] || fail "hpsim read $got halts, trace-cmd report shows $want cpu_idle pairs"
"$HPSIM" replay "$out" --guest haltpoll --host kvm >"$tmp/replay.txt" || fail "replay"
grep -q "^wakeups:  guest capture" "$tmp/replay.txt" || fail "replay: no wakeups line"
# the sidecar as --recorded-with, with the recording host's halt_poll_ns (not visible in a guest)
"$HPSIM" replay "$out" --recorded-with "$side" --recorded-with halt_poll_ns=0 >"$tmp/rw.txt" ||
	fail "replay --recorded-with"
# with no host polling every halt slept there, except one whose wakeup the host's last
# look before sleeping saw (it arrived during the HLT exit): each halt is one or the other
line=$(grep "^wakeups:  guest capture, recorded-with: " "$tmp/rw.txt")
slept=$(echo "$line" | sed -n 's/.* removed from \([0-9]*\) halts that slept there, \([0-9]*\) kept.*/\1/p')
kept=$(echo "$line" | sed -n 's/.* removed from \([0-9]*\) halts that slept there, \([0-9]*\) kept.*/\2/p')
[ -n "$slept" ] && [ -n "$kept" ] && [ $((slept + kept)) -eq "$got" ] && [ "$kept" -le $((got / 10)) ] ||
	fail "replay --recorded-with: $line"
echo "real guest capture: $got halts replayed"

# --- a real two-instance trace.dat: idle in one buffer, wake sources in another ------
a=hpsim-test-a-$$ b=hpsim-test-b-$$
mkdir "$T/instances/$a" "$T/instances/$b" || fail "cannot create instances"
echo 1 >"$T/instances/$a/events/power/cpu_idle/enable"
for e in irq/irq_handler_entry ipi/ipi_send_cpu timer/hrtimer_expire_entry sched/sched_switch; do
	echo 1 >"$T/instances/$b/events/$e/enable"
done
echo 1 >"$T/instances/$a/tracing_on"
echo 1 >"$T/instances/$b/tracing_on"
i=0
while [ $i -lt 400 ]; do
	sleep 0.002
	i=$((i + 1))
done
echo 0 >"$T/instances/$a/tracing_on"
echo 0 >"$T/instances/$b/tracing_on"
fe=$(mktemp)
echo 1 >"$fe"
unshare -m sh -c "mount --bind $fe /proc/sys/kernel/ftrace_enabled 2>/dev/null; \
	trace-cmd extract -B $a -B $b -o $tmp/multi.dat" >/dev/null 2>&1
rm -f "$fe"
rmdir "$T/instances/$a" "$T/instances/$b" 2>/dev/null
[ -s "$tmp/multi.dat" ] || fail "trace-cmd extract -B -B wrote nothing"
trace-cmd report "$tmp/multi.dat" 2>/dev/null | grep -q "^ *$b: .*hrtimer_expire_entry" ||
	fail "the second instance's events are not in the file"
want=$(pairs "$tmp/multi.dat")
[ "$want" -gt 0 ] || {
	echo "SKIP: no idle periods in the two-instance capture"
	exit 77
}
got=$(halts "$tmp/multi.dat")
[ "$got" = "$want" ] || fail "two instances: hpsim read $got halts, report shows $want"
# the trace.dat reader and the report-text reader agree on halts and wake sources (the
# file's own per-CPU event statistics are a trace.dat's alone)
trace-cmd report -t "$tmp/multi.dat" >"$tmp/multi.txt" 2>/dev/null
"$HPSIM" info --format json "$tmp/multi.dat" | grep -v '"path"\|"format"\|"recorded_events"' >"$tmp/i1"
"$HPSIM" info --format json "$tmp/multi.txt" | grep -v '"path"\|"format"\|"recorded_events"' >"$tmp/i2"
grep -q '"timer": [1-9]\|"irq": [1-9]\|"ipi": [1-9]' "$tmp/i1" ||
	fail "two instances: no wake source taken from the second buffer"
diff "$tmp/i1" "$tmp/i2" >/dev/null || fail "trace.dat and report text differ: $(diff "$tmp/i1" "$tmp/i2" | head)"
echo "two-instance capture: $got halts, sources from the second buffer"
exit 0
