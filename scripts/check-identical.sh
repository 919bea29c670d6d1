#!/bin/sh
# Check that a change (a speed-up) changes no result: replay the bundled
# traces through many policy stacks with two hpsim binaries, once from the
# episode cache and once without it, and compare every decisions log and
# JSON report byte for byte. Only the report's "git" line (the commit the
# binary was built from) may differ.
#
# usage: scripts/check-identical.sh BEFORE_HPSIM AFTER_HPSIM [WORKDIR]
#   e.g. build the commit before the change into build-before/, then
#   scripts/check-identical.sh build-before/hpsim build/hpsim
# Exit 0 when everything is identical, 1 at the first difference (named).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 BEFORE_HPSIM AFTER_HPSIM [WORKDIR]" >&2; exit 2; }
before=$1 after=$2
src=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-$(mktemp -d "${TMPDIR:-/tmp}/hpsim-identical.XXXXXX")}
mkdir -p "$work"

dist=lognormal:5000:40000
# One stack a line: the replay options.
stacks=$(cat <<STACKS
--host kvm
--host none
--host oracle
--host fixed
--guest haltpoll --host none
--guest haltpoll --host kvm
--guest haltpoll --host kvm --arch arm64
--host kvm --mode closed
--guest haltpoll --host kvm --mode closed
--vcore vcore --arch ppc
--vcore vcore --arch ppc --vcore-size 2
--vcore vcore --arch ppc --vcore-size 2 --mode closed
--host kvm --arch s390 --host-load 0.3
--guest haltpoll --host kvm --host-load 0.2 --mode closed
--host kvm --host-load 0.1 --host-load-model periodic
--host kvm --host-idle skx
--host kvm --host-idle skx --host-governor teo
--host kvm --host-idle icx --host-governor ladder
--guest haltpoll --host none --host-idle skx
--guest haltpoll --host kvm --host-idle spr --host-governor teo --mode closed
--host kvm --cost-set host_wakeup_ns=$dist
--host kvm --cost-set host_wakeup_ns=$dist --cost-set hlt_exit_ns=lognormal:800:3000 --seed 7
--guest haltpoll --host kvm --cost-set guest_wakeup_ns=$dist --mode closed
--host kvm --host-idle skx --cost-set host_wakeup_ns=$dist
STACKS
)

for trace in "$src"/traces/*.dat; do
	t=$(basename "$trace" .dat)
	echo "$stacks" | while IFS= read -r opts; do
		[ -n "$opts" ] || continue
		for cache in cache no-cache; do
			for which in before after; do
				eval bin=\$$which
				if [ $cache = cache ]; then
					c="--cache-dir $work/cache-$which"
				else
					c=--no-cache
				fi
				rc=0
				rm -f "$work/$which.csv" "$work/$which.json"
				# shellcheck disable=SC2086
				"$bin" replay "$trace" $opts $c --format json --decisions "$work/$which.csv" \
					>"$work/$which.json" 2>"$work/$which.err" || rc=$?
				echo "exit $rc" >>"$work/$which.err"
				grep -v '^    "git": ' "$work/$which.json" >"$work/$which.cmp" || true
			done
			for f in cmp csv err; do
				if ! cmp -s "$work/before.$f" "$work/after.$f"; then
					echo "DIFFERENT ($f): $t: $opts ($cache)" >&2
					exit 1
				fi
			done
		done
	done || exit 1
	echo "$t: identical"
done
echo "all identical ($work)"
