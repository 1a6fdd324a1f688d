# caption: One row per worker (the loop, a thread, a process), one bar per task: sequential, concurrent and parallel at a glance.
# Draw with: cd plots && gnuplot timeline.gp
set terminal svg size 800,232 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'timeline.svg.tmp'
set title 'a test batch'
set xlabel 'time since the batch began (ms)'
set yrange [3.5:-0.5]
set style fill solid 0.7 border lc rgb 'black'
set grid xtics
set key outside right
set ytics ("seq" 0, "async: loop" 1, "threaded: thread 0" 2, "threaded: thread 1" 3)
plot for [i=0:*] '../data/timeline.dat' index i using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror title columnheader(2)
