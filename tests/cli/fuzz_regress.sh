#!/bin/sh
# Inputs that once crashed a reader (found by the fuzzers or by hand), run
# through the normal binary: each must end in a clean exit (0, or an error
# with exit 1), never a signal.
# usage: fuzz_regress.sh HPSIM DIR
set -u
H=$1
DIR=$2
fails=0
n=0
for f in "$DIR"/*; do
	[ -f "$f" ] || continue
	case $f in *.md) continue ;; esac
	n=$((n + 1))
	HPSIM_NO_CACHE=1 "$H" info "$f" >/dev/null 2>"${TMPDIR:-/tmp}/fuzz-regress.$$"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		echo "FAIL $f: exit $rc: $(head -c 300 "${TMPDIR:-/tmp}/fuzz-regress.$$")"
		fails=$((fails + 1))
	fi
done
rm -f "${TMPDIR:-/tmp}/fuzz-regress.$$"
if [ $n -eq 0 ]; then
	echo "SKIP: no inputs in $DIR"
	exit 77
fi
echo "$n inputs, $fails failed"
[ $fails -eq 0 ]
