#!/bin/sh
# The main job, end to end: install what is missing, build, replay the bundled
# ping-pong capture through host KVM halt polling (x86 defaults) and print the
# cost/latency table; then the same capture with the guest haltpoll governor
# stacked over it, and a small sweep of the host parameters whose Pareto plot
# is written to out/quick/pareto.png; last, one halt_poll_ns for a host whose
# VMs run like the four bundled captures (configs/host.json), with the lines
# that apply it and the KVM statistics to check afterwards.
set -eu
cd "$(dirname "$0")/.."

sh scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

echo "== host KVM halt polling, x86 defaults (kernel 6.11): traces/pingpong.dat"
./build/hpsim replay traces/pingpong.dat --host kvm
echo
echo "== guest haltpoll over host KVM (x86: the guest's poll-control MSR turns host polling off)"
./build/hpsim replay traces/pingpong.dat --guest haltpoll --host kvm
echo
echo "== sweep: halt_poll_ns x halt_poll_ns_shrink on traces/pingpong.dat (configs/quick.json)"
rm -rf out/quick
./build/hpsim sweep configs/quick.json -o out/quick --quiet --plot
echo
echo "Pareto plot: out/quick/pareto.png (results in out/quick/results.csv)"
echo
echo "== one setting for the host: the four bundled captures, weighted (configs/host.json)"
rm -rf out/host
./build/hpsim sweep configs/host.json -o out/host --quiet >/dev/null
./build/hpsim recommend out/host
./build/hpsim recommend out/host --format json -o out/host/recommendation.json
echo
echo "The same as JSON: out/host/recommendation.json (after applying it on the host:"
echo "hpsim check out/host/recommendation.json kvm_stat.log)"
