# hpsim pareto plot: polling CPU cost against a wakeup-latency statistic, one
# point per sweep point, one colour per series; the Pareto front as a line;
# the kernel default and the recommended point labelled; the oracle frontier
# as a reference curve. `hpsim plot pareto` writes the CSVs and runs this;
# by hand:
#   gnuplot -e "datafile='out.pareto.csv'; oraclefile='out.oracle.csv'; \
#     outfile='out.png'; titles='\"a\" \"b\"'" scripts/plot/pareto.gp
# (unset variables get defaults; the number of series is read from the data)
# datafile columns: series_id,point,poll_cpu_pct,latency_ns,is_default,pareto,recommended
# oraclefile columns: poll_cpu_pct,latency_ns ('' for none)

if (!exists("datafile")) datafile = 'pareto.csv'
if (!exists("outfile")) outfile = 'pareto.png'
if (!exists("oraclefile")) oraclefile = ''
if (!exists("titles")) titles = ''
if (!exists("latname")) latname = 'p99'
if (!exists("logx")) logx = 0
if (!exists("logy")) logy = 0
if (!exists("xfloor")) xfloor = 0.01
if (!exists("yfloor")) yfloor = 0.01
if (!exists("hasdefault")) hasdefault = 1
if (!exists("hasrec")) hasrec = 1
if (!exists("ptitle")) ptitle = sprintf('Polling CPU cost against %s wakeup latency', latname)

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
# By hand: as many series as the data has.
if (!exists("nseries")) { stats datafile using 'series_id' nooutput; nseries = int(STATS_max) }

set title ptitle font ',18'
set xlabel 'polling CPU time (% of wall time)' . (logx ? ', log scale; 0 at the left edge' : '')
set ylabel sprintf('%s wakeup latency (µs)', latname) . (logy ? ', log scale; 0 at the bottom' : '')
set grid lc rgb '#d0d0d0'
set key outside right top vertical Left reverse samplen 2 spacing 1.3
set border lw 1.5
if (logx) { set logscale x; set format x '%g' } else { set xrange [0:*] }
if (logy) { set logscale y; set format y '%g' } else { set yrange [0:*] }
set offsets graph (logx ? 0.04 : 0), graph 0.04, graph 0.08, graph (logy ? 0.04 : 0)

# On a log axis zero cannot be drawn: it sits at the floor, the axis's left or bottom.
fx(v) = (logx && v <= 0) ? xfloor : v
fy(v) = (logy && v <= 0) ? yfloor : v / 1000.0
stitle(i) = (titles eq '') ? sprintf('series %d', i) : word(titles, i)
# The oracle frontier, when there is one, as the first plot element (a macro).
oracleplot = (oraclefile eq '') ? '' : "oraclefile using (fx(column('poll_cpu_pct'))):(fy(column('latency_ns'))) with linespoints dt 2 lw 2 pt 1 ps 0.8 lc rgb '#888888' title 'oracle frontier',"
# The front: rows off the front repeat the last front point, so the line runs unbroken;
# its points get a dark centre too (a front of one point has no line to draw).
frontx = NaN
fronty = NaN
front(p, x, y) = (p == 1) ? (frontx = fx(x), fronty = fy(y), frontx) : frontx
# Label text beside the marked points, on the side away from the right edge.
# hpsim writes labelfile (poll_cpu_pct,latency_ns,kind,side,row: kind 0 a
# kernel default, 1 the recommended point; side 1 puts the text to the
# point's left; row stacks the labels of nearby defaults). By hand without
# it: the labels from datafile, on the side defright/recright say.
if (!exists("labelfile")) labelfile = ''
if (!exists("defright")) defright = 0
if (!exists("recright")) recright = 0
defalign = defright ? 'right offset char -1.8,0.9' : 'left offset char 1.8,0.9'
recalign = recright ? 'right offset char -1.8,-0.9' : 'left offset char 1.8,-0.9'
lab(kind, side, row) = (column('kind') == kind && column('side') == side && column('row') == row) ? fx(column('poll_cpu_pct')) : NaN
# labelmask: bit (kind * 2 + side) * 4 + row is set when labelfile has such a
# label (gnuplot 5.4 crashes on a label plot with no point, so only those are drawn).
if (!exists("labelmask")) labelmask = 0
labelplot = ''
if (labelfile eq '') {
	if (hasdefault) { labelplot = labelplot . "datafile using (column('is_default') == 1 ? fx(column('poll_cpu_pct')) : NaN):(fy(column('latency_ns'))):('kernel default') with labels " . defalign . " tc rgb '#d62728' notitle, " }
	if (hasrec) { labelplot = labelplot . "datafile using (column('recommended') == 1 ? fx(column('poll_cpu_pct')) : NaN):(fy(column('latency_ns'))):('recommended') with labels " . recalign . " tc rgb '#2ca02c' notitle, " }
} else {
	do for [kind=0:1] { do for [side=0:1] { do for [row=0:3] {
		if ((int(labelmask) & (1 << ((kind * 2 + side) * 4 + row))) != 0) {
			labelplot = labelplot . sprintf("labelfile using (lab(%d, %d, %d)):(fy(column('latency_ns'))):('%s') with labels %s offset char %g, %g tc rgb '%s' notitle, ", kind, side, row, kind ? 'recommended' : 'kernel default', side ? 'right' : 'left', side ? -1.8 : 1.8, kind ? -0.9 - 1.2 * row : 0.9 + 1.2 * row, kind ? '#2ca02c' : '#d62728')
		}
	} } }
}

set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#9467bd'
set linetype 5 lc rgb '#8c564b'
set linetype 6 lc rgb '#e377c2'
set linetype 7 lc rgb '#bcbd22'
set linetype 8 lc rgb '#17becf'
set linetype 9 lc rgb '#393b79'
set linetype 10 lc rgb '#e7969c'
set linetype 11 lc rgb '#637939'
set linetype 12 lc rgb '#7b4173'
set linetype cycle 12

plot \
	@oracleplot \
	@labelplot \
	datafile using (front(column('pareto'), column('poll_cpu_pct'), column('latency_ns'))):(fronty) \
		with steps lw 2.5 lc rgb '#222222' title 'Pareto front', \
	for [i=1:nseries] datafile using (column('series_id') == i ? fx(column('poll_cpu_pct')) : NaN):(fy(column('latency_ns'))) \
		with points pt 7 ps 1.4 lt i title stitle(i), \
	datafile using (column('pareto') == 1 ? fx(column('poll_cpu_pct')) : NaN):(fy(column('latency_ns'))) \
		with points pt 7 ps 0.6 lc rgb '#222222' notitle, \
	datafile using (column('is_default') == 1 ? fx(column('poll_cpu_pct')) : NaN):(fy(column('latency_ns'))) \
		with points pt 6 ps 3.5 lw 2.5 lc rgb '#d62728' title (hasdefault ? 'kernel default' : ''), \
	datafile using (column('recommended') == 1 ? fx(column('poll_cpu_pct')) : NaN):(fy(column('latency_ns'))) \
		with points pt 4 ps 3.5 lw 2.5 lc rgb '#2ca02c' title (hasrec ? 'recommended' : '')
