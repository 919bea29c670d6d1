#!/bin/sh
# A big guest trace.dat for the memory benchmarks (bench_stream --captures --dat):
# CPUS CPUs each halting HALTS times (power:cpu_idle enter and exit, lengths
# 10 us to 1 ms, 5 to 25 us of run time between), written as the kernel's
# ring-buffer pages (4 KiB: a 16-byte header, then 20-byte records of a 4-byte
# event header and the event) and assembled into a trace.dat by
# `trace-cmd restore`, with this machine's event formats (tracefs).
# Usage: make-dat.sh OUT.dat CPUS HALTS   (root: reads tracefs; perl, trace-cmd)
set -eu
out=$1
cpus=$2
halts=$3
tracefs=${HPSIM_TRACEFS:-/sys/kernel/tracing}
id=$(cat "$tracefs/events/power/cpu_idle/id")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
perl -e '
use strict; use warnings;
my ($dir, $ncpu, $n, $id) = @ARGV;
srand(7);
for my $c (0 .. $ncpu - 1) {
	open(my $f, ">:raw", "$dir/cpu$c.raw") or die "$dir/cpu$c.raw: $!";
	my $t = 1_000_000_000 + 1000 * $c;
	my ($page, $pts, $last) = ("", 0, 0);
	my $flush = sub {
		return if $page eq "";
		print $f pack("Q<Q<", $pts, length($page)) . $page . ("\0" x (4080 - length($page)));
		$page = "";
	};
	my $ev = sub {
		my ($ts, $state) = @_;
		$flush->() if length($page) + 20 > 4080;
		($pts, $last) = ($ts, $ts) if $page eq "";
		# type_len 4 (16 bytes of event), the time since the previous record above it
		$page .= pack("L<", 4 | (($ts - $last) << 5)) . pack("S<CCl<L<L<", $id, 0, 0, 0, $state, $c);
		$last = $ts;
	};
	for (1 .. $n) {
		my $len = 10_000 + int(rand(990_000));
		$ev->($t, 1);
		$ev->($t + $len, 4294967295);
		$t += $len + 5_000 + int(rand(20_000));
	}
	$flush->();
	close($f) or die "$dir/cpu$c.raw: $!";
}' "$tmp" "$cpus" "$halts" "$id"
trace-cmd restore -c -o "$tmp/head.dat" >/dev/null 2>&1
set --
c=0
while [ $c -lt "$cpus" ]; do
	set -- "$@" "$tmp/cpu$c.raw"
	c=$((c + 1))
done
trace-cmd restore -i "$tmp/head.dat" -o "$out" "$@" >/dev/null 2>&1
echo "$out: $cpus CPUs x $halts halts, $(stat -c %s "$out") bytes"
