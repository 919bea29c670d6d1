#!/bin/sh
# Command-line conventions every subcommand shares: --version, help CMD,
# "did you mean", a missing value named as such, exit status 2 for every
# usage error, gen's getopt parsing with `--`.
# usage: test_cli.sh HPSIM SOURCE_DIR
set -u
hpsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect STATUS PATTERN CMD...: CMD exits STATUS and its stdout+stderr match PATTERN (grep -E)
expect() {
	want=$1 pat=$2
	shift 2
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$* exited $got, expected $want: $(head -c 300 "$tmp/out")"
	elif ! grep -Eq -- "$pat" "$tmp/out"; then
		bad "$*: output does not match /$pat/: $(head -c 300 "$tmp/out")"
	else
		ok
	fi
}

expect 0 '^hpsim [0-9]+\.[0-9]+\.[0-9]+ \(.+\)$' "$hpsim" --version
expect 0 'kernel policy code: Linux 4\.3\.\.[0-9]+\.[0-9]+' "$hpsim" --version
expect 0 '^usage: hpsim info' env HPSIM_NO_MAN=1 "$hpsim" help info
expect 2 "unknown command 'replya'; did you mean 'replay'" "$hpsim" replya
expect 2 "unknown command 'frobnicate'" "$hpsim" frobnicate
expect 2 "unknown command 'frobnicate'" "$hpsim" help frobnicate
expect 2 'usage: hpsim COMMAND' "$hpsim"

# every getopt-parsing command: an unknown option with a suggestion, a missing value, status 2
for c in replay info convert plot sweep merge compare cost policies recommend gen; do
	expect 2 "hpsim $c: unknown option '--hepl'; did you mean '--help'" "$hpsim" "$c" --hepl
	expect 2 "hpsim $c: unknown option '--zzzzzzzz'" "$hpsim" "$c" --zzzzzzzz
	expect 0 "usage: hpsim $c" "$hpsim" "$c" --help
done
expect 2 "option --format needs a value" "$hpsim" replay "$src/traces/pingpong.dat" --format
expect 2 "option --host needs a value" "$hpsim" replay --host
expect 2 "option -o needs a value" "$hpsim" convert "$src/traces/pingpong.dat" -o
expect 2 "option --jobs needs a value|option -j needs a value" "$hpsim" sweep x.json --jobs
# a run that fails (not a usage error) exits 1
expect 1 "nonexistent" "$hpsim" info "$tmp/nonexistent.dat"

# gen: getopt_long like the others
expect 2 "unknown option '--hzz'; did you mean '--hz'" "$hpsim" gen periodic --hzz 3 -o -
expect 2 "option --hz needs a value" "$hpsim" gen periodic -o - --hz
expect 2 "unknown parameter --rate" "$hpsim" gen periodic --rate 3 -o "$tmp/x.csv"
expect 2 "unexpected argument '-o'" "$hpsim" gen -- periodic -o -
expect 2 "missing KIND" "$hpsim" gen -o -
"$hpsim" gen periodic --hz=1000 --duration 10ms -o "$tmp/a.csv" && "$hpsim" gen --duration=10ms -o "$tmp/b.csv" --hz 1000 periodic
if cmp -s "$tmp/a.csv" "$tmp/b.csv" && [ "$(wc -l <"$tmp/a.csv")" -gt 5 ]; then ok; else bad "gen: option order or = form changed the output"; fi
# options after `--` are operands: a KIND named like an option is refused as a KIND
expect 2 "unknown generator|KIND|kind" "$hpsim" gen -o - -- --hz

# -o - is standard output where the output is a stream, and refused clearly where it cannot be
"$hpsim" convert "$src/traces/pingpong.dat" -o - --no-cache >"$tmp/conv.csv" 2>"$tmp/err"
if [ "$(head -n1 "$tmp/conv.csv")" = "cpu,halt_start_ns,wake_ns,source,source_cpu" ]; then ok; else bad "convert -o - does not write CSV to stdout"; fi
expect 2 "not a stream; name a FILE.png" "$hpsim" plot pareto "$src/docs/plots/data/results.csv" -o -

# every JSON report names the build that made it
"$hpsim" replay "$src/traces/pingpong.dat" --format json >"$tmp/r.json" 2>/dev/null
v=$("$hpsim" --version | sed -n '1s/^hpsim \([^ ]*\) (\(.*\))$/"version": "\1",.*"git": "\2"/p')
if tr -d '\n' <"$tmp/r.json" | grep -Eq "\"hpsim\": \{ *$v, *\"policy_code\": \"4\.3\.\.[0-9.]+\""; then ok; else bad "JSON report lacks the version block ($v)"; fi

# files hpsim writes take the umask's mode, not the temporary file's 0600
(umask 027 && "$hpsim" gen periodic --hz 1000 --duration 10ms -o "$tmp/m.csv")
if [ "$(stat -c %a "$tmp/m.csv")" = 640 ]; then ok; else bad "gen -o under umask 027 wrote mode $(stat -c %a "$tmp/m.csv")"; fi

# the episode cache: in XDG_CACHE_HOME (or --cache-dir), never beside the capture; clean empties it
mkdir -p "$tmp/caps" "$tmp/xdg"
cp "$src/traces/timer-1ms.dat" "$tmp/caps/t.dat"
env -u HPSIM_NO_CACHE XDG_CACHE_HOME="$tmp/xdg" "$hpsim" info "$tmp/caps/t.dat" >/dev/null 2>&1
if [ "$(ls "$tmp/caps")" = t.dat ] && ls "$tmp/xdg/hpsim/"*.hpep >/dev/null 2>&1; then ok; else bad "the cache is not in XDG_CACHE_HOME alone: $(ls "$tmp/caps" "$tmp/xdg/hpsim" 2>&1)"; fi
expect 0 "^$tmp/xdg/hpsim\$" env XDG_CACHE_HOME="$tmp/xdg" "$hpsim" cache dir
env -u HPSIM_NO_CACHE "$hpsim" info "$tmp/caps/t.dat" --cache-dir "$tmp/mine" >/dev/null 2>&1
if ls "$tmp/mine/"*.hpep >/dev/null 2>&1; then ok; else bad "--cache-dir was not used"; fi
expect 0 "removed 1 cache files" env XDG_CACHE_HOME="$tmp/xdg" "$hpsim" cache clean
if ! ls "$tmp/xdg/hpsim/"*.hpep >/dev/null 2>&1 && [ -f "$tmp/caps/t.dat" ]; then ok; else bad "cache clean left cache files or removed a capture"; fi
expect 2 "unknown action 'purge'" "$hpsim" cache purge

# one name per statistic: the KVM statistic names of the JSON report are the CSV's columns
"$hpsim" replay "$src/traces/pingpong.dat" --format csv >"$tmp/r.csv" 2>/dev/null
for k in halt_attempted_poll halt_successful_poll halt_poll_invalid halt_wakeup halt_poll_success_ns \
	halt_poll_fail_ns halt_wait_ns; do
	if grep -q "\"$k\"" "$tmp/r.json" && head -n1 "$tmp/r.csv" | grep -q "\"host\.$k\""; then ok; else bad "statistic $k is not named alike in the JSON and the CSV"; fi
done

# a failed plot replaces none of its outputs: gnuplot failing leaves the data CSV as it was
"$hpsim" plot hist "$src/traces/pingpong.dat" -o "$tmp/h.png" >/dev/null 2>&1
cp "$tmp/h.hist.csv" "$tmp/h.before"
HPSIM_GNUPLOT=/bin/false "$hpsim" plot hist "$src/traces/timer-1ms.dat" -o "$tmp/h.png" >/dev/null 2>&1
st=$?
if [ "$st" -eq 1 ] && cmp -s "$tmp/h.hist.csv" "$tmp/h.before" && ! ls "$tmp"/*.keep >/dev/null 2>&1; then ok; else bad "a failed plot (exit $st) changed its data CSV or left a kept copy"; fi
HPSIM_GNUPLOT=/bin/false "$hpsim" plot hist "$src/traces/timer-1ms.dat" -o "$tmp/new.png" >/dev/null 2>&1
if [ ! -e "$tmp/new.hist.csv" ] && [ ! -e "$tmp/new.png" ]; then ok; else bad "a failed first plot left files behind"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
