# caption: sleep: speedup over seq against concurrency, one line per model; the dashed line is the ideal.
# Draw with: cd plots && gnuplot speedup_sleep.gp
set terminal svg size 640,400 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'speedup_sleep.svg.tmp'
set title 'sleep: speedup against concurrency'
set logscale x 2
set xlabel 'concurrency C (tasks in flight)'
set ylabel 'speedup over seq'
set yrange [0:*]
set key left top
set grid
plot '../data/speedup_sleep.dat' index 0 using 1:2 with lines dt 2 lc rgb 'black' title columnheader(2), \
     for [i=1:*] '../data/speedup_sleep.dat' index i using 1:2 with linespoints pt 7 title columnheader(2)
