# hostcap-rewrite.awk: a diagnostic rewrite of a host capture's report text
# (trace-cmd report CAPTURE.dat), to measure how much of hpsim's per-halt
# disagreement comes from where the host reader places a halt's start and a
# pending wakeup. Not used by hpsim; the output is for `hpsim validate --self`.
#
#   mode=start    a halt's kvm_exit (HLT) moved to the halt's start in
#                 kvm_vcpu_halt(): the kvm_vcpu_wakeup time minus its ns
#   mode=pending  a halt closed by kvm_entry with no kvm_vcpu_wakeup (a wakeup was
#                 pending at the exit: the kernel never polled or slept) gets that
#                 kvm_entry at the exit's time
#   mode=both     both
#
# usage: awk -v mode=both -v thread='CPU 0/KVM' -f scripts/hostcap-rewrite.awk \
#            REPORT.txt REPORT.txt >REWRITTEN.txt
# (the file twice: the first pass finds the halts, the second rewrites them).
# Lines keep their order; a moved timestamp may be out of order, which the
# report-text reader accepts.
function ts(l, m) {
	match(l, /\] +[0-9]+\.[0-9]+:/)
	m = substr(l, RSTART, RLENGTH)
	gsub(/[\] :]/, "", m)
	return m + 0
}
function setts(l, t) {
	sub(/ [0-9]+\.[0-9]+:/, sprintf(" %.6f:", t), l)
	return l
}
function mine(l) { return index(l, thread "-") > 0 }
BEGIN {
	if (thread == "") thread = "CPU 0/KVM"
	if (mode != "start" && mode != "pending" && mode != "both") {
		print "hostcap-rewrite.awk: mode must be start, pending or both" > "/dev/stderr"
		exit 2
	}
}
NR == FNR {
	if (!mine($0)) next
	if ($0 ~ /kvm_exit: +reason (EXIT_)?HLT/) {
		ex = FNR
		exts = ts($0)
	} else if (ex && $0 ~ /kvm_vcpu_wakeup:/) {
		match($0, /time [0-9]+/)
		ns = substr($0, RSTART + 5, RLENGTH - 5) + 0 # before ts(), which matches again
		st = ts($0) - ns / 1e9
		if (st > exts) start[ex] = st
		ex = 0
	} else if (ex && $0 ~ /kvm_entry:/) {
		pend[FNR] = exts
		ex = 0
	}
	next
}
{
	if (mode != "pending" && (FNR in start)) { print setts($0, start[FNR]); moved_start++; next }
	if (mode != "start" && (FNR in pend)) { print setts($0, pend[FNR]); moved_pend++; next }
	print
}
END {
	printf "hostcap-rewrite.awk: %d halt starts moved, %d pending-at-exit entries moved\n",
	    moved_start, moved_pend > "/dev/stderr"
}
