# hpsim timeline plot: one vCPU's halts over time (length, hit/miss/no poll)
# and the policy's poll window as a step line, grow and shrink marked.
# `hpsim plot timeline` writes the CSV and runs this; by hand:
#   gnuplot -e "datafile='out.timeline.csv'; outfile='out.png'" scripts/plot/timeline.gp
# datafile columns: t_ms,halt_us,outcome(1 hit, 2 miss, 3 no poll),window_us,event(1 grow, -1 shrink)

if (!exists("datafile")) datafile = 'timeline.csv'
if (!exists("outfile")) outfile = 'timeline.png'
if (!exists("yfloor")) yfloor = 0.1
if (!exists("ptitle")) ptitle = 'Halts and the poll window over time'
if (!exists("grows")) grows = 1
if (!exists("shrinks")) shrinks = 1

# The terminal from the output's extension, 1200x800.
if (!exists("term")) {
	ext = outfile[strlen(outfile) - 3:]
	term = (ext eq '.svg') ? 'svg' : (ext eq '.pdf') ? 'pdfcairo' : 'pngcairo'
}
if (term eq 'svg') {
	set terminal svg size 1200,800 font 'Sans,16' background rgb 'white' noenhanced
} else {
	if (term eq 'pdfcairo') {
		set terminal pdfcairo size 12in,8in font 'Sans,14' noenhanced
	} else {
		set terminal pngcairo size 1200,800 font 'Sans,14' noenhanced
	}
}
set output outfile
set datafile separator comma

set title ptitle font ',18'
set xlabel 'time since the first halt of the log (ms)'
set ylabel 'halt length and poll window (µs, log scale; 0 at the bottom edge)'
set logscale y
set grid lc rgb '#d0d0d0'
set key outside right top vertical Left reverse samplen 2
set border lw 1.5
if (exists("xmin") && exists("xmax")) { set xrange [xmin:xmax] }
set yrange [yfloor:*]

fy(v) = v > 0 ? v : yfloor
pick(o, want, v) = (o == want) ? fy(v) : NaN

plot \
	datafile using 't_ms':(fy(column('window_us'))) with steps lw 2 lc rgb '#1f77b4' title 'poll window', \
	datafile using 't_ms':(pick(column('outcome'), 1, column('halt_us'))) with points pt 7 ps 1.0 lc rgb '#2ca02c' title 'halt: poll hit', \
	datafile using 't_ms':(pick(column('outcome'), 2, column('halt_us'))) with points pt 7 ps 1.0 lc rgb '#d62728' title 'halt: poll miss', \
	datafile using 't_ms':(pick(column('outcome'), 3, column('halt_us'))) with points pt 6 ps 1.0 lc rgb '#7f7f7f' title 'halt: no poll', \
	datafile using 't_ms':(pick(column('event'), 1, column('window_us'))) with points pt 9 ps 1.6 lc rgb '#9467bd' title (grows ? 'window grew' : ''), \
	datafile using 't_ms':(pick(column('event'), -1, column('window_us'))) with points pt 11 ps 1.6 lc rgb '#ff7f0e' title (shrinks ? 'window shrank' : '')
