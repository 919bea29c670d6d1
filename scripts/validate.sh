#!/bin/sh
# validate.sh: hpsim's predictions held against this host's real KVM, in one command.
#
#  1. records a host capture of the harness guest at ceiling 0 (no polling: clean
#     arrivals) and one at the largest ceiling (for the per-halt self-check);
#  2. runs the guest (scripts/kvmharness.c) RUNS times at every ceiling, untraced but
#     for kvm:kvm_halt_poll_ns (the grow/shrink counts);
#  3. calibrates the cost model from the ceiling-0 capture (hpsim calibrate);
#  4. prints hpsim validate's tables: predicted beside measured at every ceiling with
#     the default cost model and with the calibrated one, and the per-halt agreement
#     of the largest-ceiling capture replayed at its own setting.
#
# Needs /dev/kvm, root (trace-cmd), and a build (cmake --build build). Exit 77 when
# there is no usable KVM (the reason is printed).
#
# usage: sh scripts/validate.sh [--workload W] [--ceilings "0 50000 ..."] [--runs N]
#          [--seconds S] [--vcpu-cpus C[,C]] [--helper-cpu C] [--kernel V] [--out DIR]
#          [--build DIR] [--short]
set -eu
set -f # the event names (sched:*) are not file patterns
workload=lapic:5000
ceilings="0 25000 50000 100000 200000 400000"
runs=3
seconds=2
vcpu_cpus=""
helper_cpu=""
kernel=""
out=out/validate
build=build
while [ $# -gt 0 ]; do
	case $1 in
	--workload) workload=$2; shift ;;
	--ceilings) ceilings=$2; shift ;;
	--runs) runs=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--vcpu-cpus) vcpu_cpus=$2; shift ;;
	--helper-cpu) helper_cpu=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--out) out=$2; shift ;;
	--build) build=$2; shift ;;
	--short) ceilings="0 200000"; runs=1; seconds=0.3 ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "validate.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
hpsim=$build/hpsim
harness=$build/kvmharness
for f in "$hpsim" "$harness"; do
	[ -x "$f" ] || { echo "validate.sh: $f not built (cmake --build $build)" >&2; exit 1; }
done
pins=""
[ -n "$vcpu_cpus" ] && pins="$pins --vcpu-cpus $vcpu_cpus"
[ -n "$helper_cpu" ] && pins="$pins --helper-cpu $helper_cpu"

# a usable KVM, or exit 77 with the harness's reason
set +e
"$harness" --workload "$workload" --seconds 0.05 --ceiling 0 $pins >/dev/null 2>"$out.probe"
rc=$?
set -e
if [ $rc -ne 0 ]; then
	cat "$out.probe" >&2
	rm -f "$out.probe"
	[ $rc -eq 77 ] && exit 77
	exit 1
fi
rm -f "$out.probe"
command -v trace-cmd >/dev/null || { echo "validate.sh: trace-cmd not installed" >&2; exit 1; }
mkdir -p "$out"
[ -n "$kernel" ] || kernel=$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
events="-e kvm:kvm_exit -e kvm:kvm_entry -e kvm:kvm_vcpu_wakeup -e kvm:kvm_halt_poll_ns -e sched:*"

# add each vCPU's grow/shrink counts (from kvm_halt_poll_ns in REPORT) to the run's JSON
add_adjustments() { # add_adjustments RUN.json REPORT.txt
	awk -v report="$2" '
	BEGIN { while ((getline l < report) > 0) if (l ~ /kvm_halt_poll_ns:/) {
			match(l, /vcpu [0-9]+:/); v = substr(l, RSTART + 5, RLENGTH - 6) + 0
			if (l ~ /\(grow /) g[v]++; else if (l ~ /\(shrink /) s[v]++ } }
	{ while (match($0, /"vcpu": [0-9]+, /)) {
			v = substr($0, RSTART + 8, RLENGTH - 10) + 0
			printf "%s\"vcpu\": %d, \"grows\": %d, \"shrinks\": %d, ", substr($0, 1, RSTART - 1), v, g[v], s[v]
			$0 = substr($0, RSTART + RLENGTH) }
	  print }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# run the harness at CEILING into JSON under trace-cmd record with EVENTS into DAT; the
# harness writes its own file, so nothing trace-cmd prints can mix into the JSON
traced() { # traced CEILING JSON DAT EVENTS...
	c=$1 dat=$3
	JSON=$2
	export JSON
	shift 3
	trace-cmd record -q "$@" -o "$dat" -- sh -c 'exec "$0" "$@" >"$JSON"' \
		"$harness" --workload "$workload" --seconds "$seconds" --ceiling "$c" $pins
}
record() { # record CEILING NAME: a traced run -> NAME.dat, NAME.json
	traced "$1" "$out/$2.json" "$out/$2.dat" $events
}
last=0
for c in $ceilings; do last=$c; done
echo "recording $out/capture-0.dat and $out/capture-$last.dat ($workload, $seconds s)"
record 0 capture-0
record "$last" "capture-$last"

measured=""
for c in $ceilings; do
	i=1
	while [ $i -le "$runs" ]; do
		f="$out/run-$c-$i.json"
		traced "$c" "$f" "$out/adj.dat" -e kvm:kvm_halt_poll_ns
		trace-cmd report "$out/adj.dat" >"$out/adj.txt" 2>/dev/null
		add_adjustments "$f" "$out/adj.txt"
		measured="$measured --measured $f"
		i=$((i + 1))
	done
done
rm -f "$out/adj.dat" "$out/adj.txt"

{
	echo "== hpsim calibrate $out/capture-0.dat"
	"$hpsim" calibrate "$out/capture-0.dat" -o "$out/cost.json" --constant
	echo
	echo "== predicted (default cost model) beside measured, kernel $kernel"
	"$hpsim" validate "$out/capture-0.dat" --no-cache --kernel "$kernel" $measured
	echo
	echo "== predicted (calibrated: $out/cost.json) beside measured"
	"$hpsim" validate "$out/capture-0.dat" --no-cache --kernel "$kernel" --cost "$out/cost.json" $measured
	echo
	echo "== self-consistency: capture-$last.dat replayed at its own ceiling"
	"$hpsim" validate "$out/capture-$last.dat" --no-cache --kernel "$kernel" --self \
		--set max_halt_poll_ns="$last"
} | tee "$out/report.txt"
