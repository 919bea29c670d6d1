#!/bin/sh
# The whole validation (scripts/validate.sh --short) against a real KVM: Debian's
# kernel booted under QEMU's software emulation by scripts/emulated-kvm.sh, its
# kvm_amd running the harness guests. Exit 77 (skipped) with the reason when QEMU
# or the prepared kernel is missing (sh scripts/emulated-kvm.sh --install --prepare).
# It boots a machine under emulation (minutes of CPU on a loaded host), so it runs
# only when asked: HPSIM_TEST_EMULATED=1 (else exit 77, skipped, saying so).
# Usage: test_validate_emulated.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$(cd "$2" && pwd)
[ "${HPSIM_TEST_EMULATED:-0}" = 1 ] || {
	echo "SKIP: boots an emulated machine for minutes; run with HPSIM_TEST_EMULATED=1"
	exit 77
}
cache=${HPSIM_EMULATED_KVM_CACHE:-/var/cache/hpsim-emulated-kvm}
for t in qemu-system-x86_64 busybox; do
	command -v $t >/dev/null || {
		echo "SKIP: $t not installed (sh scripts/emulated-kvm.sh --install)"
		exit 77
	}
done
[ -f "$cache/kernel.ok" ] || {
	echo "SKIP: no kernel prepared in $cache (sh scripts/emulated-kvm.sh --prepare)"
	exit 77
}
[ -x "$build/kvmharness" ] || { echo "SKIP: kvmharness not built (not an x86 host)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out.txt"; exit 1; }
rc=0
sh "$src/scripts/emulated-kvm.sh" --cache "$cache" --share "$tmp" --timeout 900 \
	"sh '$src/scripts/validate.sh' --short --build '$build' --out '$tmp/v'" >"$tmp/out.txt" 2>&1 ||
	rc=$?
[ $rc -eq 0 ] || fail "emulated-kvm.sh exited $rc"
v=$tmp/v
for f in capture-0.dat capture-200000.dat run-0-1.json run-200000-1.json cost.json report.txt; do
	[ -s "$v/$f" ] || fail "validate.sh left no $f"
done

# it ran in the emulated machine: the runs name its kernel, not this host's
kver=$(ls "$cache/root/lib/modules")
grep -q "\"host_release\": \"$kver\"" "$v/run-0-1.json" || fail "run-0-1.json: not run on $kver"

# the real kernel's statistics: no polling at ceiling 0, polls tried at 200 us
stat() { # stat FILE NAME: the first vCPU's KVM statistic NAME
	sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p" "$1" | head -1
}
for f in run-0-1 run-200000-1; do
	for s in halt_attempted_poll halt_successful_poll halt_wakeup halt_exits; do
		[ -n "$(stat "$v/$f.json" $s)" ] || fail "$f.json: no $s"
	done
done
[ "$(stat "$v/run-0-1.json" halt_attempted_poll)" -eq 0 ] || fail "polls at ceiling 0"
[ "$(stat "$v/run-0-1.json" halt_wakeup)" -gt 0 ] || fail "no halts at ceiling 0"
[ "$(stat "$v/run-200000-1.json" halt_attempted_poll)" -gt 0 ] || fail "no polls at 200 us"

# the table's measured hit% at 200 us is the run's halt_successful_poll / halt_exits
exp=$(awk -v s="$(stat "$v/run-200000-1.json" halt_successful_poll)" \
	-v x="$(stat "$v/run-200000-1.json" halt_exits)" 'BEGIN { printf "%.2f", 100 * s / x }')
got=$(awk -F'|' '/^ *200000 +1 \|/ { split($3, a, " "); print a[2]; exit }' "$v/report.txt")
[ "$got" = "$exp" ] || fail "measured hit% at 200000: table $got, run $exp"
[ "$(grep -c '^ *0 *1 |  *0\.00  *0\.00 ' "$v/report.txt")" -eq 2 ] ||
	fail "ceiling 0 not 0.00 predicted and measured in both tables"

# the per-halt self-check adds up: its four counts make the total, and the share agrees
awk '/^agreement: / {
	n = $4; split($0, p, /(polled both |slept both |simulated slept |simulated polled )/)
	a = p[2] + 0; b = p[3] + 0; c = p[4] + 0; d = p[5] + 0
	if (a + b + c + d != n) { print "counts " a "+" b "+" c "+" d " != " n; exit 1 }
	pct = sprintf("%.2f%%", 100 * (a + b) / n)
	if (pct != $2) { print "agreement " $2 " != " pct; exit 1 }
	if (a + c == 0 || b + d == 0) { print "a capture with no polled or no slept halt"; exit 1 }
	found = 1 }
	END { if (!found) { print "no agreement line"; exit 1 } }' "$v/report.txt" >"$tmp/why" ||
	fail "self-check: $(cat "$tmp/why")"
grep -q "host capture: 1 vCPU thread" "$v/report.txt" || fail "calibrate saw no vCPU thread"
cat "$tmp/out.txt"
