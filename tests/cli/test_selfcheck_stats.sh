#!/bin/sh
# scripts/selfcheck-stats.sh on the bundled host capture and a kvmharness-format run
# written here: the kernel's side summed over vCPUs and divided by halt_exits, hpsim's
# side the same replay's totals as `hpsim replay` prints them; bad inputs.
# Usage: test_selfcheck_stats.sh SOURCE_DIR HPSIM_DIR
set -eu
src=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/out.txt" ] && cat "$tmp/out.txt"; exit 1; }
cap=$src/traces/host-minivm.dat
# two vCPUs: halt_exits 100 + 300 = 400; attempted 50 + 150 = 200 (0.5000 per halt);
# successful 30 + 10 = 40 (0.1000); wakeup 70 + 290 = 360 (0.9000); success ns
# 2000000 + 0 over 400 halts = 5000 per halt
cat >"$tmp/run.json" <<'JSON'
{"harness": 1, "workload": "pit:5000", "ceiling_ns": 200000, "host_release": "6.18.0-test", "wall_ns": 400000000,
 "module": {"halt_poll_ns": 200000, "halt_poll_ns_grow": 2, "halt_poll_ns_grow_start": 10000, "halt_poll_ns_shrink": 2},
 "vcpus": [
  {"vcpu": 0, "host_cpu": 0, "cpu_ns": 1, "stats": {"halt_successful_poll": 30, "halt_attempted_poll": 50, "halt_poll_invalid": 0, "halt_wakeup": 70, "halt_poll_success_ns": 2000000, "halt_poll_fail_ns": 400, "halt_wait_ns": 1000, "halt_exits": 100}},
  {"vcpu": 1, "host_cpu": 1, "cpu_ns": 1, "stats": {"halt_successful_poll": 10, "halt_attempted_poll": 150, "halt_poll_invalid": 0, "halt_wakeup": 290, "halt_poll_success_ns": 0, "halt_poll_fail_ns": 0, "halt_wait_ns": 3000, "halt_exits": 300}}]}
JSON
sh "$src/scripts/selfcheck-stats.sh" --build "$bin" "$cap" "$tmp/run.json" >"$tmp/out.txt" ||
	fail "exit $?"
row() { grep "^$1 " "$tmp/out.txt" | awk '{ print $2, $3, $4, $5 }'; }
grep -q 'ceiling 200000 ns, 6.18.0-test' "$tmp/out.txt" || fail "run line"
grep -q 'max_halt_poll_ns=200000, kernel 6.18$' "$tmp/out.txt" || fail "capture line (kernel from host_release)"

# hpsim's side: the totals `hpsim replay` prints for the same replay
"$bin/hpsim" replay "$cap" --kernel 6.18 --set max_halt_poll_ns=200000 --no-cache >"$tmp/replay.txt"
set -- $(awk '$1 == "total" && $2 == "host" { print $3, $4, $5, $7; exit }' "$tmp/replay.txt")
[ $# -eq 4 ] || fail "no total row in hpsim replay's table"
halts=$1 att=$2 succ=$3 wake=$4
per() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
[ "$(grep '^halts (halt_exits) ' "$tmp/out.txt" | awk '{ print $3, $4 }')" = "400 $halts" ] ||
	fail "halts: expected 400 beside $halts"
[ "$(row halt_attempted_poll)" = "200 0.5000 $att $(per "$att" "$halts")" ] || fail "attempted"
[ "$(row halt_successful_poll)" = "40 0.1000 $succ $(per "$succ" "$halts")" ] || fail "successful"
[ "$(row halt_wakeup)" = "360 0.9000 $wake $(per "$wake" "$halts")" ] || fail "wakeup"
[ "$(row halt_poll_success_ns | cut -d' ' -f1-2)" = "2000000 5000" ] || fail "success ns"
# the difference: hpsim per halt against the kernel per halt
exp=$(awk -v s="$(per "$wake" "$halts")" 'BEGIN { printf "%+.1f%%", 100 * (s - 0.9) / 0.9 }')
[ "$(grep '^halt_wakeup ' "$tmp/out.txt" | awk '{ print $6 }')" = "$exp" ] || fail "wakeup diff"
grep -q '^halt_poll_invalid .* =$' "$tmp/out.txt" || fail "invalid: 0 on both sides is ="

# bad inputs: a clear message, a non-zero exit
bad() { # bad EXIT WORDS ARGS...
	want=$1 words=$2
	shift 2
	rc=0
	sh "$src/scripts/selfcheck-stats.sh" --build "$bin" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
	[ $rc -eq "$want" ] || fail "$*: exit $rc, expected $want"
	grep -q "$words" "$tmp/bad.err" || fail "$*: no '$words' in: $(cat "$tmp/bad.err")"
}
bad 2 "need CAPTURE.dat RUN.json" "$cap"
bad 2 "unknown option" --bogus "$cap" "$tmp/run.json"
bad 1 "cannot read $tmp/none.json" "$cap" "$tmp/none.json"
echo '{"harness": 1}' >"$tmp/nohr.json"
bad 1 'no "ceiling_ns"' "$cap" "$tmp/nohr.json"
sed 's/"halt_exits": [0-9]*//g' "$tmp/run.json" >"$tmp/nostats.json"
bad 1 'no KVM statistics' "$cap" "$tmp/nostats.json"
sed 's/"host_release": "[^"]*", //' "$tmp/run.json" >"$tmp/norel.json"
bad 1 'give --kernel' "$cap" "$tmp/norel.json"
echo "selfcheck-stats: ok"
