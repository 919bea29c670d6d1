#!/bin/sh
# A sweep reads each capture as `hpsim replay` does at the same point: with
# the point's kernel release (host captures: delayed dequeue from 6.12) and
# with --recorded-with (the config keys or the sweep option). Each sweep row
# is compared, statistic by statistic, with `hpsim replay --format csv` at
# the row's setting; and the settings that change the reading are shown to
# change the figures, so that equality is not vacuous.
# usage: test_sweep_reads.sh HPSIM SOURCE_DIR
set -u
hpsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HPSIM_NO_CACHE=1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# field CSV KEYCOL KEY NAME: column NAME of the row whose column KEYCOL is KEY (quotes dropped)
field() {
	awk -F, -v kc="$2" -v key="$3" -v name="$4" '
		{ gsub(/"/, "") }
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col[kc] == key { print $col[name]; exit }' "$1"
}

# same_as_replay RESULTS POINT TRACE REPLAY-ARGS...: the sweep row of POINT equals the replay
same_as_replay() {
	res=$1 point=$2 trace=$3
	shift 3
	"$hpsim" replay "$trace" --format csv "$@" >"$tmp/r.csv" 2>"$tmp/r.err" || {
		bad "replay $trace $*: $(cat "$tmp/r.err")"
		return
	}
	att=$(($(field "$tmp/r.csv" cpu total host.halt_attempted_poll) +
		$(field "$tmp/r.csv" cpu total guest.halt_attempted_poll)))
	suc=$(($(field "$tmp/r.csv" cpu total host.halt_successful_poll) +
		$(field "$tmp/r.csv" cpu total guest.halt_successful_poll)))
	pns=$(($(field "$tmp/r.csv" cpu total host_poll_ns) +
		$(field "$tmp/r.csv" cpu total guest_poll_ns)))
	want="$(field "$tmp/r.csv" cpu total halts) $att $suc $pns"
	got="$(field "$res" point "$point" halts) $(field "$res" point "$point" halt_attempted_poll)"
	got="$got $(field "$res" point "$point" halt_successful_poll) $(field "$res" point "$point" poll_ns)"
	for s in p50 p90 p99 p999 max; do
		want="$want $(field "$tmp/r.csv" cpu total lat_${s}_ns)"
		got="$got $(field "$res" point "$point" lat_${s}_ns)"
	done
	if [ "$got" = "$want" ]; then
		ok
	else
		bad "point $point of $res: sweep '$got', replay $* '$want'"
	fi
}

# --- the kernel release of each point reads the host capture ----------------------------------
host="$src/traces/host-minivm.dat"
cat >"$tmp/k.json" <<EOF
{"traces": ["$host"], "kernel": ["6.11", "6.18"],
 "params": {"halt_poll_ns": [10000, 200000]}, "oracle": false}
EOF
"$hpsim" sweep "$tmp/k.json" -o "$tmp/k" -j2 --quiet >/dev/null 2>"$tmp/err" ||
	bad "sweep k.json: $(cat "$tmp/err")"
# points: 0, 1 at 6.11; 2, 3 at 6.18 (200000 is the default: no point appended)
same_as_replay "$tmp/k/results.csv" 0 "$host" --kernel 6.11 --set halt_poll_ns=10000
same_as_replay "$tmp/k/results.csv" 1 "$host" --kernel 6.11 --set halt_poll_ns=200000
same_as_replay "$tmp/k/results.csv" 2 "$host" --kernel 6.18 --set halt_poll_ns=10000
same_as_replay "$tmp/k/results.csv" 3 "$host" --kernel 6.18 --set halt_poll_ns=200000
# the capture's contention under delayed dequeue stops the polls that succeed at 6.11
s611=$(field "$tmp/k/results.csv" point 1 halt_successful_poll)
s618=$(field "$tmp/k/results.csv" point 3 halt_successful_poll)
if [ "$s611" -gt 0 ] && [ "$s618" -lt "$s611" ]; then ok; else
	bad "6.11 and 6.18 read alike: successful polls $s611 and $s618"; fi
# a sweep at 6.18 alone reads the same as the mixed one
sed 's/"6.11", //' "$tmp/k.json" >"$tmp/k18.json"
"$hpsim" sweep "$tmp/k18.json" -o "$tmp/k18" -j1 --quiet >/dev/null 2>"$tmp/err" ||
	bad "sweep k18.json: $(cat "$tmp/err")"
same_as_replay "$tmp/k18/results.csv" 1 "$host" --kernel 6.18 --set halt_poll_ns=200000

# hpsim check against the same capture reads it at the prediction's release too: every
# statistic observed equals the prediction (before, the 6.18 prediction met 6.11 figures)
"$hpsim" recommend "$tmp/k18" --format json -o "$tmp/p18.json" 2>"$tmp/err" ||
	bad "recommend k18: $(cat "$tmp/err")"
"$hpsim" check "$tmp/p18.json" "$host" >"$tmp/check.txt" 2>&1 && ok ||
	bad "check at 6.18: $(cat "$tmp/check.txt")"
[ "$(grep -c ' +0\.0 .* yes' "$tmp/check.txt")" -eq 7 ] && ok ||
	bad "check at 6.18 differs from its prediction: $(cat "$tmp/check.txt")"

# --- recorded_with: the config keys and the sweep option ---------------------------------------
guest="$src/traces/pingpong.dat"
cat >"$tmp/side.settings.json" <<'EOF'
{"hpsim_record": "test", "mode": "guest", "cpuidle": {"current_driver": "haltpoll"},
 "module_parameters": {"haltpoll": {"guest_halt_poll_ns": "200000",
  "guest_halt_poll_allow_shrink": "Y"}}}
EOF
cat >"$tmp/rw.json" <<EOF
{"traces": ["$guest", "$src/traces/timer-1ms.dat"],
 "recorded_with": {"halt_poll_ns": 200000},
 "recorded_with_trace": {"$src/traces/timer-1ms.dat": ["side.settings.json", "halt_poll_ns=0"]},
 "params": {"halt_poll_ns": [20000, 100000]}, "oracle": false}
EOF
"$hpsim" sweep "$tmp/rw.json" -o "$tmp/rw" -j2 --quiet >/dev/null 2>"$tmp/err" ||
	bad "sweep rw.json: $(cat "$tmp/err")"
# units: point x trace; the csv's point column repeats per trace, so one trace per file here
grep -v "timer-1ms" "$tmp/rw/results.csv" >"$tmp/rw-pp.csv"
(head -1 "$tmp/rw/results.csv"; grep "timer-1ms" "$tmp/rw/results.csv") >"$tmp/rw-tm.csv"
same_as_replay "$tmp/rw-pp.csv" 0 "$guest" --set halt_poll_ns=20000 --recorded-with halt_poll_ns=200000
same_as_replay "$tmp/rw-pp.csv" 1 "$guest" --set halt_poll_ns=100000 --recorded-with halt_poll_ns=200000
same_as_replay "$tmp/rw-tm.csv" 1 "$src/traces/timer-1ms.dat" --set halt_poll_ns=100000 \
	--recorded-with "$tmp/side.settings.json" --recorded-with halt_poll_ns=0
# the option: the same as the config key, and written into the directory's config (resumable)
cat >"$tmp/plain.json" <<EOF
{"traces": ["$guest"], "params": {"halt_poll_ns": [20000, 100000]}, "oracle": false}
EOF
"$hpsim" sweep "$tmp/plain.json" -o "$tmp/opt" -j2 --quiet --recorded-with halt_poll_ns=200000 \
	>/dev/null 2>"$tmp/err" || bad "sweep --recorded-with: $(cat "$tmp/err")"
same_as_replay "$tmp/opt/results.csv" 0 "$guest" --set halt_poll_ns=20000 --recorded-with halt_poll_ns=200000
grep -q '"recorded_with"' "$tmp/opt/config.json" && ok || bad "the option is not in config.json"
# without it the figures differ (the correction moved wake times)
"$hpsim" sweep "$tmp/plain.json" -o "$tmp/none" -j2 --quiet >/dev/null 2>&1
if [ "$(field "$tmp/none/results.csv" point 0 lat_max_ns)" != \
	"$(field "$tmp/opt/results.csv" point 0 lat_max_ns)" ] ||
	[ "$(field "$tmp/none/results.csv" point 0 poll_ns)" != \
	"$(field "$tmp/opt/results.csv" point 0 poll_ns)" ]; then ok; else
	bad "--recorded-with changed nothing"; fi

# --- errors: the same messages as replay's, with the JSON path ---------------------------------
expect1() {
	pat=$1
	shift
	"$@" >"$tmp/out" 2>&1
	st=$?
	if [ "$st" -ne 1 ] && [ "$st" -ne 2 ]; then bad "$* exited $st"; 
	elif grep -Eq -- "$pat" "$tmp/out"; then ok; else bad "$*: $(head -c 300 "$tmp/out")"; fi
}
sed 's/"halt_poll_ns": 200000}/"halt_poll_nz": 1}/' "$tmp/rw.json" >"$tmp/bad1.json"
expect1 '\$\.recorded_with\.halt_poll_nz: --recorded-with: unknown parameter .halt_poll_nz.' \
	"$hpsim" sweep "$tmp/bad1.json" -o "$tmp/b1" --quiet
[ ! -e "$tmp/b1" ] && ok || bad "a refused config left $tmp/b1"
sed 's/side.settings.json/missing.json/' "$tmp/rw.json" >"$tmp/bad2.json"
expect1 "recorded_with_trace.*missing.json' is neither a readable settings file nor NAME=VALUE" \
	"$hpsim" sweep "$tmp/bad2.json" -o "$tmp/b2" --quiet
cat >"$tmp/bad3.json" <<EOF
{"traces": ["$host"], "recorded_with": "halt_poll_ns=0", "oracle": false}
EOF
expect1 '\$\.traces\[0\]: \$\.recorded_with: --recorded-with applies to guest-only captures' \
	"$hpsim" sweep "$tmp/bad3.json" -o "$tmp/b3" --quiet
expect1 "unknown parameter 'foo'" "$hpsim" sweep "$tmp/plain.json" -o "$tmp/b4" --recorded-with foo=1
expect1 "takes no CONFIG, -o, --shard or --recorded-with" \
	"$hpsim" sweep --resume "$tmp/opt" --recorded-with halt_poll_ns=0

echo "test_sweep_reads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
