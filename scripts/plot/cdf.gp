# hpsim cdf plot: the wakeup-latency CDF of several configurations (replay
# JSON reports), one step line each. `hpsim plot cdf` writes the CSV and runs
# this; by hand:
#   gnuplot -e "datafile='out.cdf.csv'; outfile='out.png'; \
#     titles='\"a\" \"b\"'" scripts/plot/cdf.gp
# (unset variables get defaults; the number of configurations is read from the data)
# datafile columns: config (1..nconfigs),latency_ns,fraction (share at or below)

if (!exists("datafile")) datafile = 'cdf.csv'
if (!exists("outfile")) outfile = 'cdf.png'
if (!exists("titles")) titles = ''
if (!exists("ptitle")) ptitle = 'Wakeup latency distribution'

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
# By hand: as many configurations as the data has.
if (!exists("nconfigs")) { stats datafile using 'config' nooutput; nconfigs = int(STATS_max) }

set title ptitle font ',18'
set xlabel 'wakeup latency (µs, log scale)'
set ylabel 'share of wakeups at or below (CDF)'
set logscale x 10
set format x '%g'
set xtics add (0.2, 0.5, 2, 5, 20, 50, 200, 500, 2000, 5000, 20000, 50000)
set offsets graph 0.05, graph 0.05, 0, 0
set yrange [0:1.02]
set ytics 0.1
set grid lc rgb '#d0d0d0'
set key bottom right box opaque samplen 2 spacing 1.2
set border lw 1.5

set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#ff7f0e'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#d62728'
set linetype 5 lc rgb '#9467bd'
set linetype 6 lc rgb '#8c564b'

# Reference lines at p50, p90 and p99.
do for [q in '0.5 0.9 0.99'] {
	set arrow from graph 0, first real(q) to graph 1, first real(q) nohead dt 3 lc rgb '#999999'
	set label sprintf('p%g', 100 * real(q)) at graph 0.995, first real(q) right offset 0,0.6 tc rgb '#777777'
}

stitle(i) = (titles eq '') ? sprintf('configuration %d', i) : word(titles, i)

plot for [i=1:nconfigs] datafile \
	using (column('config') == i ? column('latency_ns') / 1000.0 : NaN):'fraction' \
	with steps lw 2.5 lt i dt i title stitle(i)
