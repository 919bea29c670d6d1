#!/bin/sh
# kextract.sh FILE NAME...: copy the top-level definitions of the named
# functions and variables (module parameters) out of a C file, in file order,
# each preceded by a #line directive naming FILE, to standard output.
#
# A function is copied from the first token of its definition through the
# matching closing brace; a variable through its terminating semicolon; a
# macro (#define NAME) through the end of its line, continuations included.
# Braces inside comments, strings and character literals do not count.
# Top-level preprocessor lines are skipped. Declarations (prototypes, extern)
# and calls do not match.
#
# Exits 1 with "kextract: FILE: no definition of NAME" for each name that
# FILE does not define, and 2 on a usage or read error.
set -eu

if [ "$#" -lt 2 ]; then
	echo "usage: kextract.sh FILE NAME..." >&2
	exit 2
fi
file=$1
shift
if [ ! -r "$file" ] || [ -d "$file" ]; then
	echo "kextract: $file: cannot read the file" >&2
	exit 2
fi

LC_ALL=C awk -v file="$file" -v names="$*" '
function isident(c) { return c ~ /[A-Za-z0-9_]/ }

# Strip comments, strings and character literals from s (for matching only).
function code_only(s,    out, i, c, n, st) {
	out = ""; st = 0; n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (st == 0) {
			if (c == "/" && substr(s, i + 1, 1) == "*") { st = 1; i++; out = out " "; continue }
			if (c == "/" && substr(s, i + 1, 1) == "/") { st = 2; i++; continue }
			if (c == "\"") { st = 3; out = out " "; continue }
			if (c == "\047") { st = 4; out = out " "; continue }
			out = out c
		} else if (st == 1) {
			if (c == "*" && substr(s, i + 1, 1) == "/") { st = 0; i++ }
		} else if (st == 2) {
			if (c == "\n") { st = 0; out = out c }
		} else {
			if (c == "\\") { i++; continue }
			if ((st == 3 && c == "\"") || (st == 4 && c == "\047")) st = 0
		}
	}
	return out
}

# Does the code text of a top-level item define name? kind "f" or "v".
function defines(code, name, kind,    rest, pre, p, q, head) {
	p = match(code, "(^|[^A-Za-z0-9_])" name "([^A-Za-z0-9_]|$)")
	if (!p) return 0
	sub(/^[ \t\n]+/, "", code)
	if (code ~ /^extern[^A-Za-z0-9_]/ || code ~ /^typedef[^A-Za-z0-9_]/) return 0
	if (kind == "f") {
		q = index(code, "{")
		head = substr(code, 1, q - 1)
		if (head !~ ("(^|[^A-Za-z0-9_])" name "[ \t\n]*\\(")) return 0
		# the name is the declarator: nothing but a type and qualifiers before it
		pre = head
		sub("[ \t\n]*" name "[ \t\n]*\\(.*", "", pre)
		return pre !~ /[(=]/
	}
	# a variable: the name appears before any parenthesis or initializer
	pre = code
	q = index(pre, "=")
	if (q) pre = substr(pre, 1, q - 1)
	if (pre ~ /[({]/) return 0
	return pre ~ ("(^|[^A-Za-z0-9_])" name "[ \t\n]*(\\[[^]]*\\][ \t\n]*)*(__read_mostly[ \t\n]*)?(;)?$") ||
	       pre ~ ("(^|[^A-Za-z0-9_])" name "[ \t\n]*(__read_mostly)?[ \t\n]*$")
}

function finish_item(    j, code, kind) {
	if (start == 0) return
	item = substr(src, start, pos - start + 1)
	code = code_only(item)
	kind = has_body ? "f" : "v"
	for (j = 1; j <= nnames; j++) {
		if (found[j]) continue
		if (defines(code, want[j], kind)) {
			found[j] = 1
			nout++
			out_text[nout] = "#line " start_line " \"" file "\"\n" item "\n"
		}
	}
	start = 0; has_body = 0; after_body = 0
}

{ src = src $0 "\n" }

END {
	nnames = split(names, want, " ")
	n = length(src)
	st = 0; depth = 0; line = 1; start = 0; has_body = 0; after_body = 0; bol = 1
	for (pos = 1; pos <= n; pos++) {
		c = substr(src, pos, 1)
		if (st == 1) {            # block comment
			if (c == "*" && substr(src, pos + 1, 1) == "/") { st = 0; pos++ }
		} else if (st == 2) {     # line comment
			if (c == "\n") st = 0
		} else if (st == 3 || st == 4) { # string or character literal
			if (c == "\\") { pos++; if (substr(src, pos, 1) == "\n") line++; c = "" }
			else if ((st == 3 && c == "\"") || (st == 4 && c == "\047")) st = 0
		} else if (c == "/" && substr(src, pos + 1, 1) == "*") {
			st = 1; pos++
		} else if (c == "/" && substr(src, pos + 1, 1) == "/") {
			st = 2; pos++
		} else if (c == "#" && bol && depth == 0) {
			# a top-level preprocessor line, continuations included; a
			# #define of a wanted name is copied like a definition
			pstart = pos; pline = line
			while (pos <= n) {
				c = substr(src, pos, 1)
				if (c == "\n") {
					if (substr(src, pos - 1, 1) != "\\") break
					line++
				}
				pos++
			}
			ptext = substr(src, pstart, pos - pstart)
			for (j = 1; j <= nnames; j++)
				if (!found[j] && ptext ~ ("^#[ \t]*define[ \t]+" want[j] "([^A-Za-z0-9_]|$)")) {
					found[j] = 1
					nout++
					out_text[nout] = "#line " pline " \"" file "\"\n" ptext "\n"
				}
		} else if (c ~ /[ \t\n\r\f]/) {
			# whitespace
		} else {
			if (start == 0 && depth == 0) {
				if (after_body) after_body = 0
				start = pos; start_line = line
			}
			if (c == "\"") st = 3
			else if (c == "\047") st = 4
			else if (c == "{") {
				if (depth == 0 && start) {
					head = code_only(substr(src, start, pos - start))
					sub(/[ \t\n]+$/, "", head)
					# a function body follows a parameter list (and optional attributes)
					if (head ~ /\)$/ && head !~ /=/) has_body = 1
				}
				depth++
			} else if (c == "}") {
				depth--
				if (depth < 0) depth = 0
				if (depth == 0 && has_body) finish_item()
			} else if (c == ";" && depth == 0) {
				finish_item()
			}
		}
		if (c == "\n") { line++; bol = 1 }
		else if (c !~ /[ \t]/) bol = 0
	}
	status = 0
	for (j = 1; j <= nnames; j++)
		if (!found[j]) {
			printf "kextract: %s: no definition of %s\n", file, want[j] > "/dev/stderr"
			status = 1
		}
	if (status) exit status
	for (j = 1; j <= nout; j++) printf "%s", out_text[j]
}
' "$file"
