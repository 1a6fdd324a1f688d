# caption: The cost of one unit of each model (median; the whiskers are min and max), on a log scale.
# Draw with: cd plots && gnuplot lab_units.gp
set terminal svg size 760,520 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'lab_units.svg.tmp'
set title 'unit costs (log scale)'
set logscale x 10
set xlabel 'nanoseconds per unit'
set yrange [*:*] reverse
set ytics nomirror
set style fill solid 0.5
set grid xtics
plot '../data/lab_units.dat' using 2:0:(1):2:($0-0.35):($0+0.35):ytic(1) with boxxyerror notitle, \
     '' using 2:0:3:4 with xerrorbars pt 7 ps 0.4 lc rgb 'black' notitle
