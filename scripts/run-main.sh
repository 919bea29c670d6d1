#!/bin/sh
# The main job, end to end: install what is missing, build, replay the bundled
# ping-pong capture through host KVM halt polling (x86 defaults) and print the
# cost/latency table.
set -eu
cd "$(dirname "$0")/.."

sh scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

./build/hpsim replay traces/pingpong.dat --host kvm
