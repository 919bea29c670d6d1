#!/bin/sh
# The whole validation on a short schedule (two ceilings, one run each) when this
# machine has a usable /dev/kvm; exit 77 (skipped) with the reason when it does not.
# Usage: test_validate_kvm.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set +e
"$build/kvmharness" --workload lapic:5000 --seconds 0.05 --ceiling 0 >/dev/null 2>"$tmp/why"
rc=$?
set -e
if [ $rc -eq 77 ]; then
	echo "SKIP: $(cat "$tmp/why")"
	exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: harness: $(cat "$tmp/why")"; exit 1; }
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: /dev/kvm works, but recording a host capture needs root (trace-cmd)"
	exit 77
fi
sh "$src/scripts/validate.sh" --short --build "$build" --out "$tmp/v" >"$tmp/out.txt"
fail() { echo "FAIL: $*"; cat "$tmp/out.txt"; exit 1; }
for f in capture-0.dat capture-200000.dat run-0-1.json run-200000-1.json cost.json report.txt; do
	[ -s "$tmp/v/$f" ] || fail "validate.sh left no $f"
done
grep -q '"halt_successful_poll"' "$tmp/v/run-200000-1.json" || fail "run without KVM statistics"
[ "$(grep -c '^ *200000 *1 |' "$tmp/out.txt")" -eq 2 ] || fail "no 200000 row in both tables"
grep -q '^agreement: ' "$tmp/out.txt" || fail "no self-consistency line"
grep -q '^targets met: ' "$tmp/out.txt" || fail "no targets line"
cat "$tmp/out.txt"
