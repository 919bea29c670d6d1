#!/bin/sh
# hpsim info says what the recorder lost and which CPUs idled unrecorded, in its
# table and its JSON; the figures are recounted here from trace-cmd report's text.
# Usage: test_info_warnings.sh SOURCE_DIR HPSIM
set -eu
src=$1
hpsim=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. dropped events: the sum of the "[N EVENTS DROPPED]" markers, and the number of markers
cap="$src/traces/drops-pingpong.dat"
trace-cmd report "$cap" 2>/dev/null >"$tmp/drops.txt"
want_ev=$(awk '/EVENTS DROPPED\]/ { if (match($0, /\[[0-9]+ EVENTS/)) s += substr($0, RSTART + 1, RLENGTH - 8) } END { print s + 0 }' "$tmp/drops.txt")
want_gaps=$(grep -c 'EVENTS DROPPED\]' "$tmp/drops.txt")
[ "$want_ev" -gt 0 ] || fail "the drops capture shows no dropped events"
"$hpsim" info "$cap" --no-cache >"$tmp/info.txt"
grep -q "^dropped:  $want_ev events lost by the recorder in $want_gaps gaps" "$tmp/info.txt" ||
	fail "info table lacks 'dropped: $want_ev ... $want_gaps gaps': $(grep dropped "$tmp/info.txt")"
grep -q "^warning:  the recorder lost events" "$tmp/info.txt" || fail "no lost-events warning"
"$hpsim" info "$cap" --no-cache --format json >"$tmp/info.json"
grep -q "\"dropped_events\": $want_ev," "$tmp/info.json" || fail "JSON dropped_events != $want_ev"
grep -q "\"drop_gaps\": $want_gaps," "$tmp/info.json" || fail "JSON drop_gaps != $want_gaps"

# 2. a CPU that switches to swapper often with no cpu_idle event is named in a warning
cap="$src/traces/pingpong.dat"
trace-cmd report "$cap" 2>/dev/null >"$tmp/pp.txt"
# per CPU: switches to the idle task (next pid 0) and cpu_idle events
awk '{ if (!match($0, /\[[0-9]+\]/)) next; c = substr($0, RSTART + 1, RLENGTH - 2) + 0 }
     / cpu_idle: / { idle[c]++ }
     / sched_switch: / && /==> swapper\/[0-9]+:0 / { sw[c]++ }
     END { n = 0; s = 0; for (c in sw) if (sw[c] >= 100 && !(c in idle)) { n++; s += sw[c] }
           print n, s }' "$tmp/pp.txt" >"$tmp/want"
read want_cpus want_sw <"$tmp/want"
[ "$want_cpus" -ge 1 ] || fail "expected the ping-pong partner CPU to idle unrecorded"
"$hpsim" info "$cap" --no-cache >"$tmp/pp-info.txt"
grep -q "^warning:  $want_cpus CPU.* switched to the idle task $want_sw times with no power:cpu_idle event" "$tmp/pp-info.txt" ||
	fail "no idle warning for $want_cpus CPUs, $want_sw switches: $(grep warning "$tmp/pp-info.txt")"
grep -q "^dropped:  0 events" "$tmp/pp-info.txt" || fail "pingpong.dat: dropped line"
"$hpsim" info "$cap" --no-cache --format json >"$tmp/pp.json"
grep -q "\"idle_unseen_cpus\": $want_cpus," "$tmp/pp.json" || fail "JSON idle_unseen_cpus"
grep -q "\"idle_unseen_switches\": $want_sw" "$tmp/pp.json" || fail "JSON idle_unseen_switches"

# 3. a host capture gets no idle warning (its cpu_idle are the host's own)
"$hpsim" info "$src/traces/host-minivm.dat" --no-cache >"$tmp/host.txt"
if grep -q "idle task" "$tmp/host.txt"; then fail "host capture warned of unseen idle"; fi
echo "ok: $want_ev dropped events in $want_gaps gaps; $want_cpus CPU(s), $want_sw idle switches unseen"
