#!/bin/sh
# `cmake --install` into a staging root: the binary, the plot scripts, the man
# pages and the bash completion land where the distribution looks for them, and
# the installed binary finds its plot scripts relative to itself (the staging
# root is not the prefix it was configured with), so it runs from anywhere.
# usage: test_install.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

DESTDIR="$tmp/root" cmake --install "$build" --prefix /usr >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "0 passed, 1 failed"; exit 1; }
root=$tmp/root/usr
check "binary installed" '[ -x "$root/bin/hpsim" ]'
check "plot scripts installed" '[ -f "$root/share/hpsim/plot/pareto.gp" ]'
check "bash completion installed" '[ -f "$root/share/bash-completion/completions/hpsim" ]'
if command -v scdoc >/dev/null 2>&1; then
	check "hpsim(1) installed" '[ -s "$root/share/man/man1/hpsim.1" ]'
	check "hpsim-config(5) installed" '[ -s "$root/share/man/man5/hpsim-config.5" ]'
	# every command has its page
	for c in $("$root/bin/hpsim" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
		check "man page of $c" '[ -s "$root/share/man/man1/hpsim-$c.1" ]'
	done
	check "man renders hpsim-replay(1)" 'man -l "$root/share/man/man1/hpsim-replay.1" 2>/dev/null | grep -q "replay a capture through"'
fi

# the installed binary, moved away from the build tree, plots with its own scripts
cp "$src/traces/pingpong.dat" "$tmp/p.dat"
check "installed replay runs" '"$root/bin/hpsim" replay "$tmp/p.dat" --no-cache >"$tmp/replay.txt" 2>&1 && grep -q halts "$tmp/replay.txt"'
check "installed plot finds its scripts" 'env -u HPSIM_PLOT_DIR "$root/bin/hpsim" plot hist "$tmp/p.dat" -o "$tmp/h.png" >/dev/null 2>&1 && [ -s "$tmp/h.png" ]'
# the binary carries no path of the build or source tree
check "no build-tree path in the binary" '! grep -q -a -F "$src/scripts/plot" "$root/bin/hpsim"'

# completion: commands and a command's options come from the installed binary
if command -v bash >/dev/null 2>&1; then
	out=$(bash -c '. "$1"; COMP_WORDS=("$2" rep); COMP_CWORD=1; _hpsim; echo "${COMPREPLY[@]}"' _ \
		"$root/share/bash-completion/completions/hpsim" "$root/bin/hpsim")
	check "completion of a command ($out)" '[ "$out" = replay ]'
	out=$(bash -c '. "$1"; COMP_WORDS=("$2" replay --ho); COMP_CWORD=2; _hpsim; echo "${COMPREPLY[@]}"' _ \
		"$root/share/bash-completion/completions/hpsim" "$root/bin/hpsim")
	check "completion of options ($out)" 'echo "$out" | grep -q -- "--host"'
	out=$(bash -c '. "$1"; COMP_WORDS=("$2" replay --guest ""); COMP_CWORD=3; _hpsim; echo "${COMPREPLY[@]}"' _ \
		"$root/share/bash-completion/completions/hpsim" "$root/bin/hpsim")
	check "completion of guest policies ($out)" 'echo " $out " | grep -q " haltpoll " && ! echo " $out " | grep -q " kvm "'
	out=$(bash -c '. "$1"; COMP_WORDS=("$2" replay --set halt_poll_ns_gr); COMP_CWORD=3; _hpsim; echo "${COMPREPLY[@]}"' _ \
		"$root/share/bash-completion/completions/hpsim" "$root/bin/hpsim")
	check "completion of parameters ($out)" 'echo "$out" | grep -q "halt_poll_ns_grow="'
	out=$(bash -c '. "$1"; COMP_WORDS=("$2" plot he); COMP_CWORD=2; _hpsim; echo "${COMPREPLY[@]}"' _ \
		"$root/share/bash-completion/completions/hpsim" "$root/bin/hpsim")
	check "completion of plot kinds ($out)" '[ "$out" = heatmap ]'
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
