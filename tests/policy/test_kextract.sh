#!/bin/sh
# test_kextract: scripts/kextract.sh on small C files written here: nested
# braces, braces in strings, character literals and comments, prototypes and
# calls that must not match, variables, macros, and missing names; and
# scripts/ksrc-prepare.sh on made-up trees, complete or lacking a function or a
# governor file.
# usage: test_kextract.sh SOURCE-DIR C-COMPILER
set -u
src=$1
cc=$2
kx="$src/scripts/kextract.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# contains FILE TEXT: FILE has the fixed string TEXT
contains() {
	grep -qF -- "$2" "$1"
}

cat >"$tmp/a.c" <<'C'
#include <string.h>
#define LIMIT 3 /* a { in a macro comment */
#define TWICE(x) \
	((x) * 2)

static int helper(int x);

static unsigned int knob __read_mostly = 7;
module_param(knob, uint, 0644);
unsigned int plain_knob;

/* nested() { is not a definition } */
static int nested(int n)
{
	int i, s = 0;

	for (i = 0; i < n; i++) {
		if (i % 2) {
			s += helper(i);
		} else {
			while (0) {
			}
		}
	}
	return s;
}

static int helper(int x)
{
	return x;
}

int tricky(void)
{
	const char *s = "}}} \" {"; /* } */
	char c = '}';
	char d = '\'';
	// a line comment with a brace }
	return (int)strlen(s) + (c == '}') + (d == '\'');
}

int after_tricky(void)
{
	return nested(LIMIT);
}
C

# 1. nested braces: the whole function, nothing after it
if ! sh "$kx" "$tmp/a.c" nested >"$tmp/nested.out" 2>"$tmp/err"; then
	fail "nested: non-zero exit: $(cat "$tmp/err")"
fi
contains "$tmp/nested.out" 'return s;' || fail "nested: body cut short"
contains "$tmp/nested.out" 'helper(int x)' && fail "nested: ran past its closing brace"
[ "$(grep -c '^}' "$tmp/nested.out")" -eq 1 ] || fail "nested: not exactly one closing brace at column 0"
head -1 "$tmp/nested.out" | grep -qF "#line 13 \"$tmp/a.c\"" ||
	fail "nested: no #line 13 first: $(head -1 "$tmp/nested.out")"
contains "$tmp/nested.out" 'is not a definition' && fail "nested: copied the comment before it"

# 2. braces in strings, character literals and comments do not count
sh "$kx" "$tmp/a.c" tricky >"$tmp/tricky.out" 2>"$tmp/err" || fail "tricky: $(cat "$tmp/err")"
contains "$tmp/tricky.out" "(d == '\\'');" || fail "tricky: stopped at a brace in a literal or comment"
contains "$tmp/tricky.out" 'after_tricky' && fail "tricky: ran into the next function"

# 3. the prototype of helper() and its call in nested() do not match; the definition does
sh "$kx" "$tmp/a.c" helper >"$tmp/helper.out" 2>"$tmp/err" || fail "helper: $(cat "$tmp/err")"
contains "$tmp/helper.out" 'return x;' || fail "helper: definition not copied"
contains "$tmp/helper.out" 'helper(int x);' && fail "helper: copied the prototype"
[ "$(wc -l <"$tmp/helper.out")" -eq 5 ] || fail "helper: expected 5 lines, got $(wc -l <"$tmp/helper.out")"

# 4. variables (module parameters) and macros, in file order
sh "$kx" "$tmp/a.c" plain_knob TWICE knob LIMIT >"$tmp/vars.out" 2>"$tmp/err" ||
	fail "vars: $(cat "$tmp/err")"
contains "$tmp/vars.out" 'static unsigned int knob __read_mostly = 7;' || fail "vars: knob missing"
contains "$tmp/vars.out" 'unsigned int plain_knob;' || fail "vars: plain_knob missing"
contains "$tmp/vars.out" 'module_param' && fail "vars: copied module_param() as a definition"
contains "$tmp/vars.out" '((x) * 2)' || fail "vars: macro continuation line missing"
order=$(grep -v '^#line' "$tmp/vars.out" | grep -o 'LIMIT\|TWICE\|knob' | tr '\n' ' ')
[ "$order" = "LIMIT TWICE knob knob " ] || fail "vars: not in file order: $order"

# 5. what it copies compiles and runs as the original does
{
	echo '#include <string.h>'
	echo '#define __read_mostly'
	echo '#define module_param(a, b, c)'
	echo 'static int helper(int x);'
	sh "$kx" "$tmp/a.c" LIMIT knob helper nested tricky
	echo 'int main(void) { return nested(LIMIT) == 1 && tricky() == 9 && knob == 7 ? 0 : 1; }'
} >"$tmp/run.c"
if "$cc" -std=gnu11 -Wall -Werror -o "$tmp/run" "$tmp/run.c" 2>"$tmp/err"; then
	"$tmp/run" || fail "run: the extracted functions computed the wrong values"
else
	fail "run: the extracted code does not compile: $(cat "$tmp/err")"
fi

# 6. a missing name: non-zero exit, a message naming it and the file, no output
if sh "$kx" "$tmp/a.c" nested no_such_function >"$tmp/miss.out" 2>"$tmp/miss.err"; then
	fail "missing: exit status 0"
fi
grep -qF "kextract: $tmp/a.c: no definition of no_such_function" "$tmp/miss.err" ||
	fail "missing: message was: $(cat "$tmp/miss.err")"
[ -s "$tmp/miss.out" ] && fail "missing: wrote output anyway"
grep -q 'nested' "$tmp/miss.err" && fail "missing: complained about a name that exists"

# 7. an unreadable file and a bad usage
sh "$kx" "$tmp/nonexistent.c" f 2>"$tmp/err" && fail "no file: exit status 0"
grep -qF "$tmp/nonexistent.c" "$tmp/err" || fail "no file: message does not name it"
sh "$kx" "$tmp/a.c" 2>/dev/null && fail "usage: exit status 0 without names"

# 8. ksrc-prepare.sh on a made-up tree with every name it needs (one-line
# stand-ins written here), then on one that lacks a function
tree="$tmp/tree"
mkdir -p "$tree/drivers/cpuidle/governors" "$tree/virt/kvm" "$tree/arch/powerpc/kvm"
printf 'VERSION = 7\nPATCHLEVEL = 42\nSUBLEVEL = 3\n' >"$tree/Makefile"
echo 'static int governor_stand_in;' >"$tree/drivers/cpuidle/governors/haltpoll.c"
echo 'static int menu_stand_in;' >"$tree/drivers/cpuidle/governors/menu.c"
echo 'static int teo_stand_in;' >"$tree/drivers/cpuidle/governors/teo.c"
echo '#define GOV_STAND_IN 1' >"$tree/drivers/cpuidle/governors/gov.h"
printf '#define POLL_IDLE_RELAX_COUNT 5\nstatic int poll_idle(void)\n{\n\treturn 0;\n}\n' \
	>"$tree/drivers/cpuidle/poll_state.c"
for v in halt_poll_ns halt_poll_ns_grow halt_poll_ns_grow_start halt_poll_ns_shrink; do
	echo "unsigned int $v;"
done >"$tree/virt/kvm/kvm_main.c"
for f in grow_halt_poll_ns shrink_halt_poll_ns kvm_vcpu_check_block kvm_vcpu_block \
	update_halt_poll_stats kvm_vcpu_max_halt_poll_ns kvm_vcpu_halt; do
	echo "static void $f(void) { }"
done >>"$tree/virt/kvm/kvm_main.c"
for f in grow_halt_poll_ns shrink_halt_poll_ns kvmppc_vcore_blocked; do
	echo "static void $f(void) { }"
done >"$tree/arch/powerpc/kvm/book3s_hv.c"
if sh "$src/scripts/ksrc-prepare.sh" "$tree" "$tmp/out" 2>"$tmp/err"; then
	grep -qF '#define HPSIM_KSRC_VERSION "7.42"' "$tmp/out/hpsim_ksrc.h" ||
		fail "prepare: version not read from the Makefile: $(cat "$tmp/out/hpsim_ksrc.h")"
	contains "$tmp/out/kvm_main.inc" 'static void kvm_vcpu_halt(void) { }' ||
		fail "prepare: kvm_vcpu_halt not extracted"
	contains "$tmp/out/poll_state.inc" '#define POLL_IDLE_RELAX_COUNT 5' ||
		fail "prepare: POLL_IDLE_RELAX_COUNT not extracted"
	# the host governors whole, and their gov.h where the tree has one
	for m in menu.c teo.c gov.h; do
		cmp -s "$tree/drivers/cpuidle/governors/$m" \
			"$tmp/out/tree/drivers/cpuidle/governors/$m" ||
			fail "prepare: governors/$m not copied"
	done
else
	fail "prepare: a complete tree failed: $(cat "$tmp/err")"
fi
sed -i 's/kvm_vcpu_halt/kvm_vcpu_halt_renamed/' "$tree/virt/kvm/kvm_main.c"
if sh "$src/scripts/ksrc-prepare.sh" "$tree" "$tmp/out2" 2>"$tmp/err"; then
	fail "prepare: a tree without kvm_vcpu_halt passed"
fi
grep -qF 'virt/kvm/kvm_main.c: no definition of kvm_vcpu_halt' "$tmp/err" ||
	fail "prepare: message does not name the function and file: $(cat "$tmp/err")"
grep -qF "$tree (7.42) lacks" "$tmp/err" || fail "prepare: message does not name the tree"
# a tree without gov.h (before v6.6) is complete; one without teo.c is not
rm "$tree/drivers/cpuidle/governors/gov.h"
sed -i 's/kvm_vcpu_halt_renamed/kvm_vcpu_halt/' "$tree/virt/kvm/kvm_main.c"
sh "$src/scripts/ksrc-prepare.sh" "$tree" "$tmp/out4" 2>"$tmp/err" ||
	fail "prepare: a tree without gov.h failed: $(cat "$tmp/err")"
rm "$tree/drivers/cpuidle/governors/teo.c"
sh "$src/scripts/ksrc-prepare.sh" "$tree" "$tmp/out5" 2>"$tmp/err" &&
	fail "prepare: a tree without teo.c passed"
grep -qF "drivers/cpuidle/governors/teo.c" "$tmp/err" || fail "prepare: missing teo.c not named"
sh "$src/scripts/ksrc-prepare.sh" "$tmp/no-such-tree" "$tmp/out3" 2>"$tmp/err" &&
	fail "prepare: a missing tree passed"
grep -qF "$tmp/no-such-tree" "$tmp/err" || fail "prepare: missing tree not named"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "test_kextract: all cases pass"
