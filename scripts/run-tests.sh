#!/bin/sh
# The whole test suite: install what is missing, build twice (a normal -Werror
# build and an ASan+UBSan build) and run every test of both through CTest.
set -eu
cd "$(dirname "$0")/.."

# The kernel source the differential test compares the project's kernel C to
# (test_kernel_diff); set HPSIM_KERNEL_SRC= (empty) to build without it.
HPSIM_EXTRA_PKGS="${HPSIM_EXTRA_PKGS:-} linux-source-6.1 dpkg-dev debhelper lintian" sh scripts/install-deps.sh
ksrc=${HPSIM_KERNEL_SRC-/usr/src/linux-source-6.1.tar.xz}

jobs=$(nproc)
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHPSIM_WERROR=ON \
	-DHPSIM_KERNEL_SRC="$ksrc" >/dev/null
cmake --build build-ci -j"$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHPSIM_WERROR=ON -DHPSIM_SANITIZE=ON \
	-DHPSIM_KERNEL_SRC="$ksrc" >/dev/null
cmake --build build-asan -j"$jobs"

status=0
echo "== tests: normal build"
ctest --test-dir build-ci --output-on-failure -j"$jobs" || status=1
echo "== tests: ASan+UBSan build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
exit $status
