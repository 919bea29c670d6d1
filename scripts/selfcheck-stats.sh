#!/bin/sh
# selfcheck-stats.sh: KVM's own halt statistics for one harness run beside hpsim's
# for the capture recorded during that very run, replayed at the run's ceiling.
#
# scripts/validate.sh records capture-C.dat with capture-C.json (the harness's JSON
# of the same run) at the largest ceiling C. The kernel counted the run's halts in
# its binary statistics; hpsim replays the halts the capture holds. The two spans
# differ a little (the statistics cover the harness's measured window, the capture
# also the guest's setup), so each statistic is also given per halt: over the run's
# halt_exits on the kernel's side, over the replay's halts on hpsim's.
#
# usage: sh scripts/selfcheck-stats.sh [--build DIR] [--kernel V] [--cost FILE]
#          CAPTURE.dat RUN.json
#   --kernel V  the release hpsim simulates (default: the run's host_release)
#   --cost FILE a cost file (hpsim calibrate -o FILE --constant)
set -eu
build=build
kernel=""
cost=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--cost) cost=$2; shift ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	-*) echo "selfcheck-stats.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || { echo "selfcheck-stats.sh: need CAPTURE.dat RUN.json (see --help)" >&2; exit 2; }
capture=$1
run=$2
for f in "$capture" "$run"; do
	[ -r "$f" ] || { echo "selfcheck-stats.sh: cannot read $f" >&2; exit 1; }
done
[ -x "$build/hpsim" ] || { echo "selfcheck-stats.sh: $build/hpsim not built" >&2; exit 1; }
num() { # num FILE KEY: the first value of "KEY": N in FILE
	sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | head -1
}
ceiling=$(num "$run" ceiling_ns)
[ -n "$ceiling" ] || { echo "selfcheck-stats.sh: $run: no \"ceiling_ns\" (not a kvmharness run)" >&2; exit 1; }
grep -q '"halt_exits"' "$run" ||
	{ echo "selfcheck-stats.sh: $run: no KVM statistics (\"halt_exits\"): kernel before 5.14?" >&2; exit 1; }
if [ -z "$kernel" ]; then
	kernel=$(sed -n 's/.*"host_release": "\([0-9]*\.[0-9]*\).*/\1/p' "$run" | head -1)
	[ -n "$kernel" ] || { echo "selfcheck-stats.sh: $run: no \"host_release\"; give --kernel" >&2; exit 1; }
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
set -- --kernel "$kernel" --set max_halt_poll_ns="$ceiling" --format json --no-cache
[ -n "$cost" ] && set -- "$@" --cost "$cost"
"$build/hpsim" replay "$capture" "$@" >"$tmp"

echo "run:     $run (ceiling $ceiling ns, $(sed -n 's/.*"host_release": "\([^"]*\)".*/\1/p' "$run" | head -1))"
echo "capture: $capture replayed by hpsim at max_halt_poll_ns=$ceiling, kernel $kernel${cost:+, cost $cost}"
# the kernel's side: every vCPU's statistics summed; hpsim's: the replay's totals (the
# last block of its JSON, after the per-CPU ones)
awk -v run="$run" '
	function sum(file, key,   l, s, n) {
		s = 0
		while ((getline l < file) > 0)
			while (match(l, "\"" key "\": [0-9]+")) {
				s += substr(l, RSTART + length(key) + 4, RLENGTH - length(key) - 4) + 0
				l = substr(l, RSTART + RLENGTH)
			}
		close(file)
		return s
	}
	{ if (match($0, /"(halts|halt_[a-z_]+)": [0-9]+/)) {
		split(substr($0, RSTART, RLENGTH), kv, "\": ")
		last[substr(kv[1], 2)] = kv[2] + 0 } }
	END {
		nk = sum(run, "halt_exits"); ns = last["halts"]
		printf "%-22s %14s %10s %14s %10s %9s\n", "statistic", "kernel", "per halt",
			"hpsim", "per halt", "diff"
		printf "%-22s %14d %10s %14d %10s\n", "halts (halt_exits)", nk, "", ns, ""
		n = split("halt_attempted_poll halt_successful_poll halt_poll_invalid halt_wakeup " \
			"halt_poll_success_ns halt_poll_fail_ns halt_wait_ns", keys, " ")
		for (i = 1; i <= n; i++) {
			k = sum(run, keys[i]); s = last[keys[i]]
			pk = nk ? k / nk : 0; ps = ns ? s / ns : 0
			d = pk ? sprintf("%+.1f%%", 100 * (ps - pk) / pk) : (ps ? "new" : "=")
			if (keys[i] ~ /_ns$/)
				printf "%-22s %14d %10.0f %14d %10.0f %9s\n", keys[i], k, pk, s, ps, d
			else
				printf "%-22s %14d %10.4f %14d %10.4f %9s\n", keys[i], k, pk, s, ps, d
		}
		print "per halt: the statistic over the halts; diff: hpsim per halt against the kernel per halt"
	}' "$tmp"
