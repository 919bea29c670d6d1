# hpsim heatmap plot: a metric over two swept parameters, one cell per pair
# of values (parameter values at evenly spaced positions, labelled).
# `hpsim plot heatmap` writes the CSV and runs this; by hand:
#   gnuplot -e "datafile='out.heatmap.csv'; outfile='out.png'; nx=4; ny=3; \
#     xtics='\"0\" 0, \"50000\" 1'; ..." scripts/plot/heatmap.gp
# datafile columns: xi,yi (positions),x,y (values),z (metric),points (rows averaged)

if (!exists("datafile")) datafile = 'heatmap.csv'
if (!exists("outfile")) outfile = 'heatmap.png'
if (!exists("xname")) xname = 'x'
if (!exists("yname")) yname = 'y'
if (!exists("zlabel")) zlabel = 'z'
if (!exists("ptitle")) ptitle = sprintf('%s over %s and %s', zlabel, xname, yname)

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
# By hand: the grid's size from the data (tic labels are then the positions).
if (!exists("nx")) { stats datafile using 'xi' nooutput; nx = int(STATS_max) + 1 }
if (!exists("ny")) { stats datafile using 'yi' nooutput; ny = int(STATS_max) + 1 }

set title ptitle font ',18'
unit(n) = (strlen(n) > 3 && n[strlen(n) - 2:] eq '_ns') ? n . ' (ns)' : n
set xlabel unit(xname)
set ylabel unit(yname)
set cblabel zlabel
# Tic labels: the parameter values, given by hpsim, else read from the data.
ticsfromdata = (exists("xtics") && exists("ytics")) ? '' : ":xtic(sprintf('%.10g', column('x'))):ytic(sprintf('%.10g', column('y')))"
if (exists("xtics")) { eval sprintf('set xtics (%s)', xtics) }
if (exists("ytics")) { eval sprintf('set ytics (%s)', ytics) }
set xtics scale 0
set ytics scale 0
set xrange [-0.5:nx - 0.5]
set yrange [-0.5:ny - 0.5]
set border lw 1.5
unset key
set palette defined (0 '#fff5eb', 0.35 '#fdae6b', 0.7 '#e6550d', 1 '#7f2704')
set style fill solid 1.0 noborder
set style textbox opaque fc rgb 'white' noborder margins 2,1

# Each cell's value printed in it, unless there are too many cells to read (celllabels 0).
if (!exists("celllabels")) celllabels = 1
celltext = celllabels ? ", datafile using 'xi':'yi':(sprintf('%.3g', column('z'))) with labels boxed font ',13' notitle" : ''
plot datafile using 'xi':'yi':(0.5):(0.5):'z'@ticsfromdata with boxxyerror fc palette notitle @celltext
