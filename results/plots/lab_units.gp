# caption: The cost of one unit of each model (median; the whiskers are min and max), grouped and coloured by model, on a log scale.
# Draw with: cd plots && gnuplot lab_units.gp
set terminal svg size 760,520 dynamic noenhanced font 'sans,11' background rgb 'white'
if (!exists('out')) out = 'lab_units.svg'
set output out
colour(m) = m eq 'seq' ? 0x555555 : m eq 'async' ? 0x1f6fb4 : m eq 'threaded' ? 0xe6780b : m eq 'multiproc' ? 0x2a9d3a : 0x7f3f98
set title 'unit costs (log scale)'
set logscale x 10
set xlabel 'nanoseconds per unit'
set format x '%.0s%c'
set yrange [*:*] reverse
set ytics nomirror
set style fill solid 0.6
set grid xtics
set key outside right top
plot '../data/lab_units.dat' using 3:0:(1):3:($0-0.35):($0+0.35):(colour(strcol(2))):ytic(1) with boxxyerror lc rgb variable notitle, \
     '' using 3:0:4:5 with xerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     NaN with boxes fs solid 0.8 lc rgb '#1f6fb4' title 'async', \
     NaN with boxes fs solid 0.8 lc rgb '#e6780b' title 'threaded', \
     NaN with boxes fs solid 0.8 lc rgb '#2a9d3a' title 'multiproc'
