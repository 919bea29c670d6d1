#!/bin/sh
# Seed corpora for the harnesses, from the bundled captures and configs:
# trace.dat in file versions 6 and 7, uncompressed, zlib and zstd (trace-cmd
# convert), their `trace-cmd report` text and episode CSV, the sweep configs
# and every architecture's cost file.
# usage: fuzz/make-corpus.sh HPSIM OUTDIR
set -eu
H=$1
OUT=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT/trace" "$OUT/tracedat" "$OUT/report_text" "$OUT/csv" "$OUT/cache" \
	"$OUT/sweep_config" "$OUT/cost" "$OUT/salvage_v7"
# two small captures (guest and host) in every version and compression
for t in idle-5s host-minivm; do
	for v in 6 7; do
		for c in none zlib zstd; do
			[ $v = 6 ] && [ $c != none ] && continue # version 6 has no compression
			f=$OUT/tracedat/$t-v$v-$c.dat
			trace-cmd convert -i "$SRC/traces/$t.dat" -o "$f" --file-version $v \
				--compression $c >/dev/null 2>&1 || rm -f "$f"
		done
	done
	trace-cmd report "$SRC/traces/$t.dat" 2>/dev/null | head -c 65536 >"$OUT/report_text/$t.txt"
	HPSIM_NO_CACHE=1 "$H" convert "$SRC/traces/$t.dat" -o - 2>/dev/null | head -c 16384 \
		>"$OUT/csv/$t.csv"
done
cp "$OUT"/tracedat/* "$OUT"/report_text/* "$OUT"/csv/* "$OUT/trace/"
# the v7 repair: compressed version-7 files whole and cut in their CPU data
for f in "$OUT"/tracedat/*-v7-z*.dat; do
	[ -e "$f" ] || continue
	b=$(basename "$f" .dat)
	s=$(wc -c <"$f")
	cp "$f" "$OUT/salvage_v7/"
	head -c $((s - 40000)) "$f" >"$OUT/salvage_v7/$b-cut1.dat"
	head -c $((s - 400000)) "$f" >"$OUT/salvage_v7/$b-cut2.dat"
done
cp "$SRC"/configs/*.json "$OUT/sweep_config/"
for a in x86 arm64 s390 ppc; do
	"$H" cost --arch $a >"$OUT/cost/$a.json"
done
printf '\002\000\000\000\000\000\000\000' >"$OUT/cache/two-episodes"
