#!/bin/sh
# Every libFuzzer harness for a short fixed time on its seed corpus: builds
# fuzz/ with clang (-DHPSIM_FUZZ=ON) in BUILD/fuzz-smoke, makes the seeds
# (fuzz/make-corpus.sh) and runs each harness for SECONDS. Skips (77) when
# clang or its libFuzzer runtime is missing. Long runs: docs/fuzzing.md.
# usage: fuzz_smoke.sh SOURCE_DIR BUILD_DIR HPSIM [SECONDS]
set -u
SRC=$1
B=$2/fuzz-smoke
H=$3
SECS=${4:-10}
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: clang is not installed (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$2/fuzz-probe.c"
if ! clang -fsanitize=fuzzer "$2/fuzz-probe.c" -o "$2/fuzz-probe" 2>/dev/null; then
	echo "SKIP: clang cannot link libFuzzer (apt-get install libclang-rt-14-dev)"
	exit 77
fi
set -e
CC=clang cmake -S "$SRC" -B "$B" -DHPSIM_FUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j2 --target fuzzers >/dev/null
rm -rf "$B/seed" "$B/work"
sh "$SRC/fuzz/make-corpus.sh" "$H" "$B/seed"
set +e
status=0
for f in csv report_text sweep_config cost cache salvage_v7 trace tracedat; do
	mkdir -p "$B/work/$f"
	# in process, libtracecmd leaks its handle on some failed opens (docs/fuzzing.md)
	extra= leaks=1
	[ $f = tracedat ] && extra="-detect_leaks=0 -max_len=8000000" leaks=0
	[ $f = salvage_v7 ] && extra="-max_len=2000000"
	ASAN_OPTIONS=detect_leaks=$leaks "$B/fuzz/fuzz_$f" -max_total_time="$SECS" -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$B/work/$f-" $extra \
		"$B/work/$f" "$B/seed/$f" >"$B/work/$f.log" 2>&1
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$B/work/$f.log" | grep -o '[0-9]*$')
	echo "fuzz_$f: exit $rc, ${runs:-?} executions in ${SECS} s"
	if [ $rc -ne 0 ]; then
		tail -n 30 "$B/work/$f.log"
		status=1
	fi
done
exit $status
