#!/bin/sh
# Seed corpora for the harnesses, from the bundled captures and configs:
# trace.dat in file versions 6 and 7, uncompressed, zlib and zstd, made small
# (fuzz_seed_min: no kallsyms, printk or unused event formats, a few pages of
# data per CPU; then trace-cmd convert), a few lines of their `trace-cmd
# report` text and episode CSV, the sweep configs and every architecture's
# cost file.
# usage: fuzz/make-corpus.sh HPSIM OUTDIR SEED_MIN
#   SEED_MIN: the fuzz build's fuzz/fuzz_seed_min
set -eu
H=$1
OUT=$2
MIN=$3
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT/trace" "$OUT/tracedat" "$OUT/report_text" "$OUT/csv" "$OUT/cache" \
	"$OUT/sweep_config" "$OUT/cost" "$OUT/salvage_v7"
# a guest capture whole (its 769 events), the host's and a busy guest's first
# two pages per CPU
for tp in idle-5s:64 host-minivm:2 pingpong:2; do
	t=${tp%:*}
	big=$OUT/tracedat/$t-big.dat
	f=$OUT/tracedat/$t-v6-none.dat
	trace-cmd convert -i "$SRC/traces/$t.dat" -o "$big" --file-version 6 \
		--compression none >/dev/null 2>&1
	"$MIN" "$big" "$f" "${tp#*:}"
	rm -f "$big"
	for c in none zlib zstd; do
		trace-cmd convert -i "$f" -o "$OUT/tracedat/$t-v7-$c.dat" --file-version 7 \
			--compression $c >/dev/null 2>&1 || rm -f "$OUT/tracedat/$t-v7-$c.dat"
	done
	trace-cmd report "$f" 2>/dev/null | head -n 40 >"$OUT/report_text/$t.txt"
	HPSIM_NO_CACHE=1 "$H" convert "$f" -o - 2>/dev/null | head -n 20 >"$OUT/csv/$t.csv"
done
cp "$OUT"/tracedat/* "$OUT"/report_text/* "$OUT"/csv/* "$OUT/trace/"
# the v7 repair: compressed version-7 files whole and cut in their CPU data
for f in "$OUT"/tracedat/*-v7-z*.dat; do
	[ -e "$f" ] || continue
	b=$(basename "$f" .dat)
	s=$(wc -c <"$f")
	cp "$f" "$OUT/salvage_v7/"
	head -c $((s - 1000)) "$f" >"$OUT/salvage_v7/$b-cut1.dat"
	head -c $((s - 3000)) "$f" >"$OUT/salvage_v7/$b-cut2.dat"
done
cp "$SRC"/configs/*.json "$OUT/sweep_config/"
for a in x86 arm64 s390 ppc; do
	"$H" cost --arch $a >"$OUT/cost/$a.json"
done
printf '\002\000\000\000\000\000\000\000' >"$OUT/cache/two-episodes"
