# caption: sleep: speedup over seq against concurrency, one colour per model (a lone point: measured at one C); the dashed line is the ideal.
# Draw with: cd plots && gnuplot speedup_sleep.gp
set terminal svg size 640,400 dynamic noenhanced font 'sans,11' background rgb 'white'
if (!exists('out')) out = 'speedup_sleep.svg'
set output out
set title 'sleep: speedup against concurrency'
set logscale x 2
set xrange [0.7:22.4]
set xlabel 'concurrency C (tasks in flight)'
set ylabel 'speedup over seq'
set yrange [0:18.44]
set key left top
set grid
plot '../data/speedup_sleep.dat' index 0 using 1:2 with lines dt 2 lw 1.5 lc rgb 'black' title columnheader(2), \
     '' index 1 using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 lc rgb '#1f6fb4' title columnheader(2), \
     '' index 2 using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 lc rgb '#6baed6' title columnheader(2), \
     '' index 3 using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 lc rgb '#e6780b' title columnheader(2), \
     '' index 4 using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 lc rgb '#2a9d3a' title columnheader(2)
