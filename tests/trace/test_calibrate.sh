#!/bin/sh
# hpsim calibrate on the bundled host capture: the figures recounted here from
# trace-cmd report's text, the cost file's two forms, and bad inputs.
# Usage: test_calibrate.sh SOURCE_DIR HPSIM
set -eu
src=$1
hpsim=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cap="$src/traces/host-minivm.dat"

# host_wakeup_ns, recounted: per vCPU thread ("CPU n/KVM:PID"), the first sched_wakeup
# after it switched out not runnable; at its "kvm_vcpu_wakeup: wait time NS" the sample is
# the event's time minus that wakeup, if the wakeup came after the halt began (time - NS).
trace-cmd report -t "$cap" 2>/dev/null >"$tmp/r.txt"
awk '
function ts(   t) { match($0, /\] +[0-9]+\.[0-9]+:/); t = substr($0, RSTART + 1, RLENGTH - 2)
	gsub(/ /, "", t); split(t, p, "."); return p[1] * 1000000000 + p[2] }
function me(   s) { s = $0; sub(/^ +/, "", s); match(s, /-[0-9]+ +\[/); return substr(s, RSTART + 1, RLENGTH - 1) + 0 }
/ sched_switch: +CPU [0-9]+\/KVM:[0-9]+ \[[0-9]+\] [^R]/ {
	match($0, /sched_switch: +CPU [0-9]+\/KVM:[0-9]+/); s = substr($0, RSTART, RLENGTH)
	sub(/.*:/, "", s); asleep[s + 0] = 1; woken[s + 0] = 0 }
/ sched_wakeup: +CPU [0-9]+\/KVM:[0-9]+ / {
	match($0, /sched_wakeup: +CPU [0-9]+\/KVM:[0-9]+/); s = substr($0, RSTART, RLENGTH)
	sub(/.*:/, "", s); s += 0; if (asleep[s] && !woken[s]) { woken[s] = 1; wt[s] = ts() } }
/ kvm_vcpu_wakeup: +wait time / {
	pid = me(); t = ts(); match($0, /wait time [0-9]+/); ns = substr($0, RSTART + 10, RLENGTH - 10) + 0
	if (woken[pid] && wt[pid] >= t - ns) print t - wt[pid]
	asleep[pid] = 0; woken[pid] = 0 }
/ kvm_vcpu_wakeup: +poll time / { pid = me(); asleep[pid] = 0; woken[pid] = 0 }
' "$tmp/r.txt" | sort -n >"$tmp/hw"
n=$(wc -l <"$tmp/hw")
[ "$n" -gt 1000 ] || fail "recount found only $n host wakeups"
# the median by linear interpolation at (n-1)/2
med=$(awk -v n="$n" '{ v[NR - 1] = $1 } END { pos = (n - 1) / 2; lo = int(pos); f = pos - lo
	x = v[lo] + f * (v[lo + 1] - v[lo]); printf "%d\n", x + 0.5 }' "$tmp/hw")
p90=$(awk -v n="$n" '{ v[NR - 1] = $1 } END { pos = (n - 1) * 0.9; lo = int(pos); f = pos - lo
	x = v[lo] + f * (v[lo + 1] - v[lo]); printf "%d\n", x + 0.5 }' "$tmp/hw")

"$hpsim" calibrate "$cap" -o "$tmp/cost.json" >"$tmp/table.txt"
line=$(grep '^host_wakeup_ns ' "$tmp/table.txt") || fail "no host_wakeup_ns row"
set -- $line
[ "$2" = "$n" ] || fail "host_wakeup_ns n=$2, recount $n"
[ "$4" = "$med" ] || fail "host_wakeup_ns p50=$4, recount $med"
[ "$5" = "$p90" ] || fail "host_wakeup_ns p90=$5, recount $p90"
# the scheduler's part and the thread's part are each shorter than the whole (medians)
wr=$(grep '^sched_wake_to_run_ns' "$tmp/table.txt" | awk '{print $5}')
rr=$(grep '^run_to_resume_ns' "$tmp/table.txt" | awk '{print $5}')
[ "$wr" -lt "$med" ] && [ "$rr" -lt "$med" ] || fail "parts $wr, $rr not below the whole $med"
# this capture has no kvm_exit/kvm_entry: those are named as not measured, with why
grep -q '^hlt_exit_ns .*not measured: no kvm:kvm_exit' "$tmp/table.txt" || fail "hlt_exit_ns why"
grep -q '^vm_entry_ns .*not measured: no kvm:kvm_entry' "$tmp/table.txt" || fail "vm_entry_ns why"
grep -q '^poll_detect_ns .*not measured' "$tmp/table.txt" || fail "poll_detect_ns why"

# the quantiles form: P 0 .. 1 strictly increasing, NS non-decreasing, samples = n,
# the 0.5 entry is the median; only measured cost fields are written
tr -d ' \n' <"$tmp/cost.json" >"$tmp/cost.flat"
grep -q "^{\"host_wakeup_ns\":{\"quantiles\":\[\[0.0,[0-9]*\],\[0.01," "$tmp/cost.flat" || fail "quantiles form: $(cat "$tmp/cost.flat")"
grep -q "\[0.5,$med\]" "$tmp/cost.flat" || fail "quantile 0.5 is not $med"
grep -q "\[1.0,[0-9]*\]\],\"samples\":$n}}$" "$tmp/cost.flat" || fail "samples != $n"
sed 's/.*"quantiles":\[\[//; s/\]\],"samples".*//; s/\],\[/\n/g' "$tmp/cost.flat" |
	awk -F, 'NR > 1 && ($1 <= p || $2 < v) { bad = 1 } { p = $1; v = $2; k++ }
	         END { exit !(k == 12 && !bad) }' || fail "quantiles not 12 increasing pairs"

# --constant: integers, loadable by today's --cost, and used by the replay
"$hpsim" calibrate "$cap" --constant -o "$tmp/const.json" >/dev/null
grep -q "\"host_wakeup_ns\": $med$" "$tmp/const.json" || fail "constant file: $(cat "$tmp/const.json")"
"$hpsim" replay "$cap" --no-cache --cost "$tmp/const.json" --format json >"$tmp/rep.json"
grep -q "\"host_wakeup_ns\": $med," "$tmp/rep.json" || fail "replay --cost did not take host_wakeup_ns=$med"

# a capture with kvm_exit and kvm_entry (report text written here): three halts of one
# vCPU thread; by hand: HLT exit -> halt start 1000, 1500, 800 ns; polled halt's end ->
# kvm_entry 700 and 500 ns; the slept halt: sched_wakeup -> resume 5500 (2000 until it is
# switched in, 3500 after), its entry 900 ns
cat >"$tmp/exits.txt" <<'TXT'
       CPU 0/KVM-4000  [002] 200.000100000: kvm_exit: vcpu 0 reason HLT rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
       CPU 0/KVM-4000  [002] 200.000106000: kvm_vcpu_wakeup: poll time 5000 ns, polling valid
       CPU 0/KVM-4000  [002] 200.000106700: kvm_entry: vcpu 0, rip 0xffffffff81a0b2c5 intr_info 0x00000000 error_code 0x00000000
       CPU 0/KVM-4000  [002] 200.000200000: kvm_exit: vcpu 0 reason HLT rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
       CPU 0/KVM-4000  [002] 200.000202000: sched_switch: CPU 0/KVM:4000 [120] S ==> swapper/2:0 [120]
          <idle>-0     [002] 200.000300000: sched_wakeup: CPU 0/KVM:4000 [120] CPU:002
          <idle>-0     [002] 200.000302000: sched_switch: swapper/2:0 [120] R ==> CPU 0/KVM:4000 [120]
       CPU 0/KVM-4000  [002] 200.000305500: kvm_vcpu_wakeup: wait time 104000 ns, polling valid
       CPU 0/KVM-4000  [002] 200.000306400: kvm_entry: vcpu 0, rip 0xffffffff81a0b2c5 intr_info 0x00000000 error_code 0x00000000
       CPU 0/KVM-4000  [002] 200.000400000: kvm_exit: vcpu 0 reason HLT rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
       CPU 0/KVM-4000  [002] 200.000403800: kvm_vcpu_wakeup: poll time 3000 ns, polling valid
       CPU 0/KVM-4000  [002] 200.000404300: kvm_entry: vcpu 0, rip 0xffffffff81a0b2c5 intr_info 0x00000000 error_code 0x00000000
TXT
"$hpsim" calibrate "$tmp/exits.txt" -o "$tmp/exits.json" >"$tmp/exits.out"
row() { grep "^$1 " "$tmp/exits.out" | awk '{ print $2, $3, $4, $5, $6 }'; }
# n p10 p50 p90 p99, interpolating between ranks: p10 of {800, 1000, 1500} is 800 + 0.2 * 200
[ "$(row hlt_exit_ns)" = "3 840 1000 1400 1490" ] || fail "hlt_exit_ns: $(row hlt_exit_ns)"
[ "$(row vm_entry_ns)" = "2 520 600 680 698" ] || fail "vm_entry_ns: $(row vm_entry_ns)"
[ "$(row host_wakeup_ns)" = "1 5500 5500 5500 5500" ] || fail "host_wakeup_ns: $(row host_wakeup_ns)"
grep '^sched_wake_to_run_ns' "$tmp/exits.out" | grep -q ' 1 *2000 *2000' || fail "sched part"
grep '^run_to_resume_ns' "$tmp/exits.out" | grep -q ' 1 *3500 *3500' || fail "thread part"
grep '^entry_after_sleep_ns' "$tmp/exits.out" | grep -q ' 1 *900 *900' || fail "entry after sleep"
tr -d ' \n' <"$tmp/exits.json" >"$tmp/exits.flat"
grep -q '"hlt_exit_ns":{"quantiles":\[\[0.0,800\],' "$tmp/exits.flat" || fail "hlt_exit_ns quantiles"
grep -q '"vm_entry_ns":{"quantiles":\[\[0.0,500\],.*\[1.0,700\]\],"samples":2}' "$tmp/exits.flat" ||
	fail "vm_entry_ns quantiles: $(cat "$tmp/exits.flat")"

# bad inputs: a guest capture, an episode CSV, a missing file: clear errors, no output file
for bad in "$src/traces/pingpong.dat" "$tmp/eps.csv" "$tmp/missing.dat"; do
	[ "$bad" = "$tmp/eps.csv" ] && printf 'cpu,halt_start_ns,wake_ns\n0,100,200\n' >"$bad"
	if "$hpsim" calibrate "$bad" -o "$tmp/out.json" >/dev/null 2>"$tmp/err"; then
		fail "calibrate accepted $bad"
	fi
	[ ! -e "$tmp/out.json" ] || fail "an output file was written for $bad"
	grep -q "$(basename "$bad")" "$tmp/err" || fail "error does not name $bad: $(cat "$tmp/err")"
done
grep -q "not a host capture" "$tmp/err" 2>/dev/null || true
"$hpsim" calibrate "$src/traces/pingpong.dat" 2>&1 >/dev/null | grep -q "not a host capture" ||
	fail "guest capture error does not say it is not a host capture"
echo "ok: host_wakeup_ns n=$n p50=$med p90=$p90"
