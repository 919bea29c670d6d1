#!/bin/sh
# Install the Debian packages hpsim's build, tests and plots need, only those missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) when something is missing.
set -eu

PKGS="cmake gcc make pkg-config libtracecmd-dev libtracefs-dev libtraceevent-dev \
libjansson-dev libcsv-dev libcmocka-dev gnuplot-nox trace-cmd xz-utils parallel scdoc"
# Extra packages requested by the caller, e.g. the kernel source for the differential test.
PKGS="$PKGS ${HPSIM_EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
