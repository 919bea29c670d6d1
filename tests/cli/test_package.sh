#!/bin/sh
# The Debian package: `dpkg-buildpackage -us -uc -b` builds it from a copy of
# the sources, lintian finds no error or warning in it, and the main job runs
# from the unpacked package's files alone (a replay, a sweep and its plot).
# Skips (exit 77) where the packaging tools are not installed.
# usage: test_package.sh SOURCE_DIR
set -u
src=$1
for t in dpkg-buildpackage dh dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 || { echo "skipped: $t not installed (apt-get install dpkg-dev debhelper)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

mkdir "$tmp/hpsim"
(cd "$src" && tar -c --exclude='./build*' --exclude=./out --exclude=./.git --exclude='*.hpep' .) |
	tar -x -C "$tmp/hpsim"
# the package's own short check runs in test_package's place upstream: skip it here
if (cd "$tmp/hpsim" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	ok
else
	tail -30 "$tmp/build.log"
	bad "dpkg-buildpackage failed"
	echo "$pass passed, $fail failed"
	exit 1
fi
deb=$(ls "$tmp"/hpsim_*_*.deb)
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error,warning "$deb" >"$tmp/lintian" 2>&1
	if grep -q '^[EW]:' "$tmp/lintian"; then bad "lintian: $(grep '^[EW]:' "$tmp/lintian")"; else ok; fi
else
	echo "note: lintian not installed, not run"
fi

dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/hpsim
cp "$src/traces/pingpong.dat" "$tmp/"
cp "$src/configs/quick.json" "$tmp/quick.json"
sed -i 's|"\.\./traces/|"|g' "$tmp/quick.json"
if env -u HPSIM_PLOT_DIR XDG_CACHE_HOME="$tmp/cache" "$bin" replay "$tmp/pingpong.dat" >"$tmp/replay.txt" 2>&1 &&
	grep -q "hit = halt_successful_poll" "$tmp/replay.txt"; then ok; else bad "replay from the package: $(head -5 "$tmp/replay.txt")"; fi
if env -u HPSIM_PLOT_DIR XDG_CACHE_HOME="$tmp/cache" "$bin" sweep "$tmp/quick.json" -o "$tmp/out" --quiet --plot >"$tmp/sweep.txt" 2>&1 &&
	[ -s "$tmp/out/pareto.png" ]; then ok; else bad "sweep --plot from the package: $(tail -5 "$tmp/sweep.txt")"; fi
if [ -s "$tmp/root/usr/share/man/man1/hpsim.1.gz" ] && [ -s "$tmp/root/usr/share/bash-completion/completions/hpsim" ]; then ok; else bad "man page or completion missing from the package"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
