#!/bin/sh
# The documentation stands alone and stays true to the binary: every relative
# link of README.md and docs/ names a file of the repository, no page cites a
# file outside it, every command `hpsim --help` lists has its man page source
# and is named in the README's command table, and every long option of a
# command's --help appears in its man page.
# usage: test_docs.sh HPSIM SOURCE_DIR
set -u
hpsim=$1
src=$2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cd "$src" || exit 1
for page in README.md docs/*.md docs/plots/README.md traces/README.md; do
	[ -f "$page" ] || continue
	dir=$(dirname "$page")
	# markdown links and images: ](target) with no scheme and no in-page anchor
	for target in $(grep -oE '\]\([^)#][^)]*\)' "$page" | sed 's/^](//; s/)$//; s/#.*//' | grep -v '^[a-z]*://'); do
		if [ -e "$dir/$target" ]; then ok; else bad "$page links to $target, which does not exist"; fi
	done
	if grep -nE '\.\./shared|users\.md|kernel-policies\.md|architecture\.md' "$page"; then
		bad "$page cites a file outside the repository"
	else
		ok
	fi
done

for c in $("$hpsim" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
	scd=docs/man/hpsim-$c.1.scd
	if [ -f "$scd" ]; then ok; else bad "no man page source $scd"; continue; fi
	if grep -q "\`$c\`" README.md; then ok; else bad "README's command table does not name $c"; fi
	for opt in $("$hpsim" "$c" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
		[ "$opt" = --help ] && continue
		if grep -q -- "$opt\b" "$scd"; then ok; else bad "$scd does not describe $opt"; fi
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
