# caption: primes: speedup over seq against concurrency, one line per model; the dashed line is the ideal.
# Draw with: cd plots && gnuplot speedup_primes.gp
set terminal svg size 640,400 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'speedup_primes.svg.tmp'
set title 'primes: speedup against concurrency'
set logscale x 2
set xlabel 'concurrency C (tasks in flight)'
set ylabel 'speedup over seq'
set yrange [0:*]
set key left top
set grid
plot '../data/speedup_primes.dat' index 0 using 1:2 with lines dt 2 lc rgb 'black' title columnheader(2), \
     for [i=1:*] '../data/speedup_primes.dat' index i using 1:2 with linespoints pt 7 title columnheader(2)
