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
sh "$SRC/fuzz/make-corpus.sh" "$H" "$B/seed" "$B/fuzz/fuzz_seed_min"
set +e
status=0
for f in csv report_text sweep_config cost cache salvage_v7 trace tracedat; do
	mkdir -p "$B/work/$f"
	extra="-max_len=65536" asan=detect_leaks=1
	case $f in trace | tracedat)
		# libtracecmd and libtraceevent crash on some inputs (in the reader's
		# child for fuzz_trace, in process for fuzz_tracedat): go on past them
		# and check below that hpsim survives each (docs/fuzzing.md)
		extra="$extra -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1"
		;;
	esac
	# in process, libtracecmd leaks its handle on some failed opens, and asks
	# malloc for sizes read from the file (NULL in hpsim, an abort under ASan)
	[ $f = tracedat ] && extra="$extra -detect_leaks=0" asan=detect_leaks=0:allocator_may_return_null=1
	ASAN_OPTIONS=$asan "$B/fuzz/fuzz_$f" -max_total_time="$SECS" -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$B/work/$f-" $extra \
		"$B/work/$f" "$B/seed/$f" >"$B/work/$f.log" 2>&1
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$B/work/$f.log" | tail -n 1 |
		grep -o '[0-9]*$')
	[ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$B/work/$f.log" | tail -n 1)
	echo "fuzz_$f: exit $rc, ${runs:-?} executions in ${SECS} s"
	# -fork=1 exits 1 after a crash it went past: the artifacts are checked below
	case $f in trace | tracedat) rc=0 ;; esac
	if [ $rc -ne 0 ]; then
		tail -n 30 "$B/work/$f.log"
		status=1
	fi
	# what the libraries crashed on: hpsim itself must end with 0 or 1
	for a in "$B/work/$f"-crash-* "$B/work/$f"-oom-* "$B/work/$f"-timeout-*; do
		[ -e "$a" ] || continue
		HPSIM_NO_CACHE=1 timeout 120 "$H" info "$a" >/dev/null 2>&1
		rc=$?
		echo "  hpsim info $(basename "$a"): exit $rc"
		if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
			status=1
		fi
	done
done
exit $status
