# hpsim hist plot: halt lengths in log2 buckets, as a share of each capture's
# halts (up to four captures overlaid), with parameter thresholds as
# vertical lines. `hpsim plot hist` writes the CSV and runs this; by hand:
#   gnuplot -e "datafile='out.hist.csv'; outfile='out.png'; \
#     marks='halt_poll_ns=200000 halt_poll_ns_grow_start=10000'" scripts/plot/hist.gp
# datafile columns: lo_ns,hi_ns, then halts_N,pct_N for each capture N

if (!exists("datafile")) datafile = 'hist.csv'
if (!exists("outfile")) outfile = 'hist.png'
if (!exists("titles")) titles = ''
if (!exists("marks")) marks = ''
if (!exists("ptitle")) ptitle = 'Halt lengths'

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
# By hand: a halts_N,pct_N pair of columns per capture after lo_ns,hi_ns.
if (!exists("ntraces")) { stats datafile using 1 nooutput; ntraces = (STATS_columns - 2) / 2 }

set title ptitle font ',18'
set xlabel 'halt length (µs, log2 buckets)'
set ylabel 'share of halts (%)'
set logscale x 10
set format x '%g'
set xtics add (0.2, 0.5, 2, 5, 20, 50, 200, 500, 2000, 5000, 20000, 50000)
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set yrange [0:*]
set grid lc rgb '#d0d0d0'
set key outside right top vertical Left reverse samplen 2
set border lw 1.5
set style fill transparent solid 0.45 border
set style textbox opaque fc rgb 'white' noborder margins 1,1

set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#9467bd'

# The thresholds: NAME=NS words, one dashed line and label each.
do for [i=1:words(marks)] {
	w = word(marks, i)
	p = strstrt(w, '=')
	ns = real(w[p + 1:])
	set arrow i from first ns / 1000.0, graph 0 to first ns / 1000.0, graph 1 nohead dt 2 lw 2 lc rgb '#444444' front
	set label i sprintf('%s = %g µs', w[1:p - 1], ns / 1000.0) at first ns / 1000.0, graph 0.98 right rotate by 90 offset char 1.3,0 front boxed tc rgb '#333333'
}

stitle(i) = (titles eq '') ? sprintf('capture %d', i) : word(titles, i)
lo(v) = v > 0 ? v / 1000.0 : 0.0005

plot for [i=1:ntraces] datafile \
	using (sqrt(lo(column('lo_ns')) * column('hi_ns') / 1000.0)):(column(sprintf('pct_%d', i))):(lo(column('lo_ns'))):(column('hi_ns') / 1000.0):(0):(column(sprintf('pct_%d', i))) \
	with boxxyerror lt i title stitle(i)
