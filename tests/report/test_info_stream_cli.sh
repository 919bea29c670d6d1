#!/bin/sh
# hpsim info reads from the episode cache in a stream (percentiles by selection);
# without the cache it reads the capture into an array and sorts. Both print the
# same bytes, table and JSON, on every bundled capture (first read and cache hit),
# its report text, and generated CSVs of every kind.
# Usage: test_info_stream_cli.sh SOURCE_DIR HPSIM
set -eu
src=$1
hpsim=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$hpsim" gen periodic --cpus 3 --count 5000 --jitter-us 30 -o "$tmp/periodic.csv" >/dev/null
"$hpsim" gen poisson --cpus 8 --count 20000 --seed 5 -o "$tmp/poisson.csv" >/dev/null
"$hpsim" gen bimodal --cpus 4 --count 30000 -o "$tmp/bimodal.csv" >/dev/null
"$hpsim" gen bursty --cpus 2 --count 10000 -o "$tmp/bursty.csv" >/dev/null
"$hpsim" gen pingpong --cpus 4 --count 10000 -o "$tmp/pingpong.csv" >/dev/null
set -- "$tmp"/*.csv "$src"/traces/*.dat
if command -v trace-cmd >/dev/null 2>&1; then
	trace-cmd report "$src/traces/host-minivm.dat" >"$tmp/host-minivm.txt" 2>/dev/null
	set -- "$@" "$tmp/host-minivm.txt"
fi
n=0
for cap in "$@"; do
	for fmt in table json; do
		"$hpsim" info "$cap" --format $fmt --no-cache >"$tmp/array" || fail "$cap: --no-cache"
		for round in first hit; do
			"$hpsim" info "$cap" --format $fmt --cache-dir "$tmp/cache" >"$tmp/stream" ||
				fail "$cap: $round read"
			cmp -s "$tmp/array" "$tmp/stream" ||
				fail "$cap $fmt ($round read): $(diff "$tmp/array" "$tmp/stream" | head -5)"
			n=$((n + 1))
		done
	done
	grep -q 'p99' "$tmp/array" || fail "$cap: no percentiles in the output"
done
[ $n -ge 40 ] || fail "only $n comparisons"
echo "ok: $n outputs identical"
