#!/bin/sh
# The bad-input table: every hostile input hpsim is known to have met is a
# clean error (exit 1 or 2, never a signal, a message naming the file, line or
# field) or a correct result, and leaves no files behind.
# usage: bad_inputs.sh HPSIM SOURCE_DIR
set -u
H=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hpsim-bad.XXXXXX")
trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
export HPSIM_NO_CACHE=1
cd "$T" || exit 1
fails=0
n=0

fail() {
	echo "FAIL [$name]: $*"
	fails=$((fails + 1))
}

# err NAME PATTERN CMD...: exit 1 or 2, stderr matches PATTERN (grep -E), no *.tmp left.
err() {
	name=$1 pat=$2
	shift 2
	n=$((n + 1))
	"$@" >out.txt 2>err.txt
	rc=$?
	if [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
		fail "exit $rc (want 1 or 2): $(head -c 300 err.txt)"
	elif ! grep -Eq -- "$pat" err.txt; then
		fail "stderr does not match '$pat': $(head -c 400 err.txt)"
	fi
	leftovers
}

# ok NAME PATTERN CMD...: exit 0, stdout+stderr match PATTERN.
ok() {
	name=$1 pat=$2
	shift 2
	n=$((n + 1))
	"$@" >out.txt 2>err.txt
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "exit $rc: $(head -c 300 err.txt)"
	elif ! cat out.txt err.txt | grep -Eq -- "$pat"; then
		fail "output does not match '$pat': $(head -c 400 out.txt) $(head -c 300 err.txt)"
	fi
	leftovers
}

leftovers() {
	left=$(find . -name '*.tmp' -o -name 'hpsim-salvage.*' | head -3)
	[ -z "$left" ] || fail "left behind: $left"
}

PP=$SRC/traces/pingpong.dat

# --- trace.dat that crash the trace libraries -----------------------------------
if command -v trace-cmd >/dev/null 2>&1; then
	trace-cmd convert -i "$PP" -o v6.dat --file-version 6 --compression none >/dev/null 2>&1
	head -c 8000000 v6.dat >cut.dat
	for cmd in replay info; do
		err "truncated v6 $cmd" "libtracecmd failed reading cut.dat \(truncated or corrupt\): .*read [0-9]+ events.*--salvage" "$H" $cmd cut.dat
	done
	err "truncated v6 convert" "libtracecmd failed reading cut.dat" "$H" convert cut.dat -o cut.csv
	[ ! -e cut.csv ] || fail "convert left cut.csv"
	ok "truncated v6 --salvage" "WARNING: +the capture is truncated" "$H" replay --salvage cut.dat
	ok "truncated v6 --salvage json" '"truncated": true' "$H" replay --salvage cut.dat --format json
	grep -q '"warning": "the capture is truncated' out.txt || fail "no warning in the JSON"
	rm -f v6.dat
	# version 7 without compression: the map is lost and nothing tells the CPUs apart
	trace-cmd convert -i "$PP" -o v7raw.dat --file-version 7 --compression none >/dev/null 2>&1
	head -c $(($(stat -c %s v7raw.dat) - 100000)) v7raw.dat >cutraw.dat
	err "truncated uncompressed v7" "cutraw.dat: .*cut short at byte [0-9]+, in its CPU data, which is not compressed.*cannot be salvaged" "$H" info --salvage cutraw.dat
	rm -f v7raw.dat cutraw.dat
else
	echo "SKIP truncated v6 cases: trace-cmd is not installed"
fi
# A version-7 (zstd) capture cut short: where the cut is, and --salvage reads the
# whole compressed chunks before it (the halts it gives are the whole capture's).
"$H" convert "$PP" -o whole.csv >/dev/null 2>&1
cut -d, -f1-3 whole.csv >whole3.csv
head -c 1600000 "$PP" >cut7.dat
err "truncated v7" "cut7.dat: .*cut short at byte 1600000, in CPU 1's data \(54 of its 72 compressed chunks whole\): --salvage replays" "$H" info cut7.dat
ok "truncated v7 --salvage" "WARNING: +the capture is truncated.*14605 of the 180312 events" "$H" replay --salvage cut7.dat
ok "truncated v7 --salvage json" '"truncated": true' "$H" info --salvage cut7.dat --format json
grep -q '"unread_events": 14605' out.txt || fail "unread_events is not 14605 in the JSON"
ok "truncated v7 --salvage convert" "capture is truncated" "$H" convert --salvage cut7.dat -o cut7.csv
[ "$(wc -l <cut7.csv)" -gt 1000 ] || fail "too few halts salvaged: $(wc -l <cut7.csv)"
[ -z "$(cut -d, -f1-3 cut7.csv | grep -vxFf whole3.csv)" ] || fail "salvaged halts the whole capture does not have"
head -c 1000000 "$PP" >meta7.dat
err "v7 cut before its CPU data" "meta7.dat: .*cut short at byte 1000000, before its CPU data: no events to read" "$H" replay --salvage meta7.dat
head -c 1643340 "$PP" >map7.dat
ok "v7 cut at its data map" '"unread_events": 0' "$H" info --salvage map7.dat --format json
grep -q '"truncated": true' out.txt || fail "not flagged truncated"
# every cut: a clean error or a salvage that says it is one
for c in 37 124466 1139460 1142790 1150000 1300000 1461985 1461990 1462276 1643439; do
	head -c $c "$PP" >any7.dat
	ok "v7 cut at $c, --salvage or a clean error" "hpsim: |WARNING|trace:" sh -c "'$H' info --salvage any7.dat; r=\$?; [ \$r -le 1 ]"
	if grep -q '^trace:' out.txt && [ $c -lt 1643439 ]; then
		grep -q 'WARNING:.*truncated' out.txt || fail "a salvage without the warning"
	fi
done

cp "$PP" flip.dat
printf '\127' | dd of=flip.dat bs=1 seek=87527 conv=notrunc 2>/dev/null
err "corrupt event format" "libtracecmd failed reading flip.dat \(truncated or corrupt\): .*signal" "$H" replay flip.dat
cp "$PP" part.dat
printf '\127' | dd of=part.dat bs=1 seek=1200000 conv=notrunc 2>/dev/null
ok "corrupt compressed data read in part" "WARNING: .*of the 180312 events the capture's CPU statistics record could not be read" "$H" replay part.dat
ok "corrupt compressed data, json" '"unread_events": [1-9]' "$H" info part.dat --format json
grep -q '"warning": ".*could not be read' out.txt || fail "no warning in the info JSON"
ok "whole capture: no warning" '"unread_events": 0' "$H" replay "$PP" --format json
! grep -q '"warning"' out.txt || fail "a warning on a whole capture"

printf '{"traces": ["%s"], "policies": [{"host": "kvm", "params": {"host.halt_poll_ns": [0, 100000]}}]}\n' "$T/flip.dat" >crash-sweep.json
err "sweep of a crashing capture" "libtracecmd failed reading .*flip.dat" "$H" sweep crash-sweep.json -o crash-sweep --quiet
[ ! -e crash-sweep ] || fail "the failed sweep left crash-sweep/ behind"

# --- wrong results, silently --------------------------------------------------
printf 'cpu,halt_start_ns,wake_ns\n0,100,200\n0,100,200\n0,150,300\n0,300,400\n' >ov.csv
ok "overlapping CSV halts counted" '"overlapping": 2' "$H" replay ov.csv --format json
grep -q '"halts": 2' out.txt || fail "the overlapping halts were replayed"
printf 'cpu,halt_start_ns,wake_ns,source,source_cpu\n0,100,200,ipi,-5\n' >neg.csv
err "negative source_cpu" "neg.csv:2: column 5 \(source_cpu\): '-5'" "$H" replay neg.csv
ok "octal parameter noted" "note: halt_poll_ns=0200000 is read as octal.*65536" "$H" replay --set halt_poll_ns=0200000 ov.csv
grep -q 'halt_poll_ns=65536' out.txt || fail "the report does not echo the value used"
ok "hex parameter noted" "note: halt_poll_ns=0x10 is read as hexadecimal.*: 16" "$H" replay --set halt_poll_ns=0x10 ov.csv
err "kernel version wraps" "kernel version '4294967302.11' is not" "$H" replay --kernel 4294967302.11 ov.csv
err "kernel version trailing dot" "kernel version '6.11.' is not" "$H" replay --kernel 6.11. ov.csv
printf '{"traces": ["ov.csv"], "policies": [{"host": "kvm", "params": {"halt_poll_ns": true}}]}\n' >bool.json
err "boolean for a number in a sweep" '\$.policies\[0\].params.halt_poll_ns: true is a boolean' "$H" sweep bool.json -o bool-sweep --quiet
[ ! -e bool-sweep ] || fail "the refused sweep left bool-sweep/"

# --- messages -------------------------------------------------------------------
printf 'cpu,halt_start_ns\n0,100\n' >nowake.csv
err "CSV without wake_ns" "nowake.csv:1: .*without the column 'wake_ns'" "$H" replay nowake.csv
mkfifo fifo
err "a FIFO" "fifo: is a pipe or FIFO, not a regular file" "$H" replay fifo
err "a pipe" "is a pipe or FIFO" sh -c "cat ov.csv | '$H' replay /dev/stdin"

# --- results lost quietly ---------------------------------------------------------
# A sweep worker killed from outside: the sweep fails naming the lost point, the
# other points are kept, and --resume reruns the lost one.
# (units long enough, about 0.1 s each even on an idle machine, for the kill to land in one)
"$H" gen periodic --hz 50000 --duration 60s -o big.csv >/dev/null 2>&1
printf '{"traces": ["big.csv"], "oracle": false, "policies": [{"host": "kvm", "params": {"halt_poll_ns": [0, 1000, 2000, 5000, 10000, 20000, 50000, 100000]}}]}\n' >kill.json
name="worker killed"
n=$((n + 1))
# (a kill that lands between two units loses nothing and the sweep rightly ends 0: retried)
for attempt in 1 2 3; do
	rm -rf kill-sweep
	"$H" sweep kill.json -o kill-sweep -j1 --quiet >out.txt 2>err.txt &
	sweep=$!
	worker=
	for _ in $(seq 1 200); do
		worker=$(pgrep -P $sweep | head -1)
		[ -n "$worker" ] && break
		sleep 0.05
	done
	[ -n "$worker" ] || { fail "no worker process appeared"; break; }
	sleep 0.3
	kill -9 "$worker"
	wait $sweep
	rc=$?
	[ $rc -eq 0 ] || break
	[ -s kill-sweep/results.csv ] || fail "exit 0 without results.csv"
done
[ $rc -eq 1 ] || fail "exit $rc after a worker was killed (want 1)"
grep -Eq "1 point lost: the worker process running unit [0-9]+ \(big.csv: [a-z._]+=[0-9]+\) was killed by signal 9.*--resume kill-sweep" err.txt ||
	fail "no message naming the lost point: $(cat err.txt)"
[ ! -e kill-sweep/results.csv ] || fail "results.csv written with a point missing"
ok "resume reruns the lost point" "." "$H" sweep --resume kill-sweep --quiet
"$H" sweep kill.json -o ref-sweep -j1 --quiet >/dev/null 2>&1
cmp -s ref-sweep/results.csv kill-sweep/results.csv || fail "results.csv after the resume differs from an uninterrupted sweep's"
! grep -q "worker crashed" kill-sweep/results.csv || fail "an error row for the killed worker"
# a journal that recorded a crashed worker's unit as an error row (earlier versions): rerun
# (rows carry an FNV-1a checksum: rewritten with python3 when there is one)
if command -v python3 >/dev/null 2>&1; then
	python3 - kill-sweep/journal.tsv <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
f = lines[1].split("\t")[:-1]
f[13], f[14] = "1", "worker crashed (signal 9: Killed)"
body = "\t".join(f) + "\t"
h = 1469598103934665603
for b in body.encode():
    h = ((h ^ b) * 1099511628211) % (1 << 64)
lines[1] = body + "%016x" % h
open(p, "w").write("\n".join(lines))
PY
	"$H" sweep --resume kill-sweep --quiet >/dev/null 2>&1 # results.csv from the journal as is
	: >kill-sweep/results.csv.AbC123.tmp
	ok "resume reruns a journaled crash" "." "$H" sweep --resume kill-sweep --quiet
	! grep -q "worker crashed" kill-sweep/results.csv || fail "the journaled crash was not rerun"
	cmp -s ref-sweep/results.csv kill-sweep/results.csv || fail "results.csv after the rerun differs"
else
	echo "SKIP the journaled-crash case: python3 is not installed"
fi

# A failed run replaces none of the outputs it was asked for.
echo "previous decisions" >d.csv
err "decisions kept when --emit-trace fails" "nonexistent/e.txt" "$H" replay ov.csv --decisions d.csv --emit-trace "$T/nonexistent/e.txt"
[ "$(cat d.csv)" = "previous decisions" ] || fail "d.csv was replaced by a failed run"
ok "decisions and emit-trace together" "." "$H" replay ov.csv --decisions d.csv --emit-trace e.txt
grep -q '^cpu,layer' d.csv && [ -s e.txt ] || fail "the outputs of a good run are missing"

# Unbounded memory: refused with the estimate.
printf '{"max_points": 1e12, "traces": ["ov.csv"], "policies": [{"host": "kvm", "params": {"halt_poll_ns": {"from": 0, "to": 4000000000, "step": 1}}}]}\n' >huge.json
err "max_points 1e12" 'halt_poll_ns: 4e\+09 values need about 32 GB of memory' "$H" sweep huge.json -o huge-sweep --quiet
[ ! -e huge-sweep ] || fail "huge-sweep/ left behind"
err "generator at 1 GHz for 1000 s" "periodic: about 1e\+08 halts \(3.2 GB of memory\)" "$H" gen periodic --hz 1e9 --duration 1000s -o g.csv
[ ! -e g.csv ] || fail "g.csv written"

# Error messages escape the input bytes they echo.
printf 'cpu,halt_start_ns,wake_ns\n0,1,\033]0;owned\007\033[31mX\n' >esc.csv
err "escape sequences in a field" "esc.csv:2: column 3 \(wake_ns\): '\\\\e\]0;owned\\\\x07\\\\e\[31mX'" "$H" replay esc.csv
! grep -q "$(printf '\033')" err.txt || fail "a raw ESC byte reached the terminal"
err "escape sequences in an argument" "--format must be table, json or csv, not '\\\\e\[2J'" "$H" replay ov.csv --format "$(printf '\033[2J')"
! grep -q "$(printf '\033')" err.txt || fail "a raw ESC byte reached the terminal"

# Reports escape the input bytes they echo: a file name with an escape sequence
# and a newline, in every report that names it and in the notes on stderr.
ef=$(printf 'e\033[31mx\ny.csv')
cp ov.csv "$ef"
raw() { ! cat out.txt err.txt | grep -q "$(printf '\033')" || fail "a raw ESC byte reached the terminal"; }
ok "escaped trace name, replay" 'trace: +e\\e\[31mx\\ny\.csv \(' "$H" replay "$ef"
raw
ok "escaped trace name, info" 'trace: +e\\e\[31mx\\ny\.csv \(' "$H" info "$ef"
raw
"$H" replay ov.csv --format json >a.json 2>/dev/null
"$H" replay --set halt_poll_ns=0x10 ov.csv --format json >"$ef.json" 2>/dev/null
ok "escaped paths and keys, compare" 'B: e\\e\[31mx\\ny\.csv\.json' "$H" compare a.json "$ef.json" --all
raw
printf '{"traces": ["e\\u001b[31mx\\ny.csv"], "policies": [{"host": "kvm", "params": {"host.halt_poll_ns": [0, 1000]}}]}\n' >lab.json
ok "escaped trace label, sweep" 'trace e\\e\[31mx\\ny\.csv: ' "$H" sweep lab.json -o lab-sweep --quiet
raw
err "escaped unknown command" 'unknown command .x\\ey.' "$H" "$(printf 'x\033y')"
raw
err "escaped unknown option" 'unknown option .--x\\ey.' "$H" info "$(printf -- '--x\033y')"
raw

# A full disk says so.
if mkdir full && mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then
	cp -r kill-sweep full/s
	rm -f full/s/*.csv full/s/results.json
	dd if=/dev/zero of=full/filler bs=4k >/dev/null 2>&1
	truncate -s $(($(stat -c %s full/filler) - 12288)) full/filler
	err "full disk" "full/s/results.json: .*(No space left on device|the disk is full)" "$H" sweep --resume full/s --quiet
	umount full
else
	echo "SKIP the full-disk case: cannot mount a small tmpfs here (not root?)"
fi

echo "$n cases, $fails failed"
[ $fails -eq 0 ]
