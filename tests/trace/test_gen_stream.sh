#!/bin/sh
# hpsim gen writes, in constant memory, the same bytes as the in-memory generator
# did (generate every CPU into one array, sort, write). The checksums below were
# made by that generator (the release before the streamed one) for each command.
# Usage: test_gen_stream.sh HPSIM
set -eu
hpsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

n=0
while IFS='|' read -r want args; do
	# shellcheck disable=SC2086 # the arguments are words
	"$hpsim" gen $args -o "$tmp/g.csv" || fail "hpsim gen $args failed"
	got=$(cksum <"$tmp/g.csv" | cut -d' ' -f1,2)
	[ "$got" = "$want" ] || fail "hpsim gen $args: cksum $got, expected $want"
	n=$((n + 1))
done <<'LIST'
30379506 191387|periodic --cpus 3 --count 2000 --jitter-us 300 --seed 5
2951261603 25052|periodic --cpus 2 --duration 2s --busy-us 5000 --period-us 100 --seed 9
34668585 453987|poisson --cpus 5 --count 3000 --seed 2
2801186476 33756|poisson --cpus 2 --count 1000 --busy-us 0 --rate 1e9 --seed 6
660530651 459452|bimodal --cpus 8 --count 2000 --seed 11
3638826768 82035|bimodal --cpus 4 --duration 300ms --busy-us 0 --seed 3
2558465750 93137|bursty --cpus 3 --duration 5s --seed 4
4239742448 329403|pingpong --cpus 6 --count 2000 --jitter-us 3 --seed 8
2606707230 277817|pingpong --cpus 2 --duration 100ms --busy-us 0 --seed 1
LIST
[ "$n" -eq 9 ] || fail "ran $n of 9 generator commands"

# standard output gives the same bytes as a file
"$hpsim" gen pingpong --cpus 4 --count 500 --seed 3 -o "$tmp/a.csv"
"$hpsim" gen pingpong --cpus 4 --count 500 --seed 3 -o - >"$tmp/b.csv"
cmp "$tmp/a.csv" "$tmp/b.csv" || fail "-o - differs from -o FILE"

# a refused request writes nothing and says why
if "$hpsim" gen pingpong --cpus 3 -o "$tmp/c.csv" 2>"$tmp/err"; then fail "odd pingpong CPUs accepted"; fi
grep -q "must be even" "$tmp/err" || fail "no reason given: $(cat "$tmp/err")"
[ ! -e "$tmp/c.csv" ] || fail "a refused gen left a file"
