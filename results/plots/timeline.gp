# caption: One row per worker (the loop, a thread, a process), one bar per task: sequential, concurrent and parallel at a glance.
# Draw with: cd plots && gnuplot timeline.gp
set terminal svg size 800,428 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'timeline.svg.tmp'
set title '8 pipeline tasks (fetch, digest, save), 4 in flight, on each model'
set xlabel 'time since the batch began (ms)'
set yrange [10.5:-0.5]
set style fill solid 0.7 border lc rgb 'black'
set grid xtics
set key outside right
set ytics ("seq" 0, "async in-loop: loop" 1, "async offload: loop" 2, "threaded: thread 0" 3, "threaded: thread 1" 4, "threaded: thread 2" 5, "threaded: thread 3" 6, "multiproc: worker 0" 7, "multiproc: worker 1" 8, "multiproc: worker 2" 9, "multiproc: worker 3" 10)
plot for [i=0:*] '../data/timeline.dat' index i using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror title columnheader(2)
