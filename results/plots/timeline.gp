# caption: One row per worker (the loop, a thread, a process, a pool thread), one bar per task, one colour per model: sequential, concurrent and parallel at a glance.  Where the workload notes its compute step, a task shows its phases in three shades: fetch (pale), compute (dark), save (lighter), the compute on a pool thread's row where it is offloaded; elsewhere a bar is the whole task.
# Draw with: cd plots && gnuplot timeline.gp
set terminal svg size 900,452 dynamic noenhanced font 'sans,11' background rgb 'white'
if (!exists('out')) out = 'timeline.svg'
set output out
set title '8 pipeline tasks (fetch, digest, save), 4 in flight, on each model'
set xlabel 'time since the batch began (ms)'
set xrange [0:24.717]
set yrange [12.5:-0.5]
set grid xtics
set key outside right
set ytics ("seq" 0, "async in-loop: loop" 1, "async offload: loop" 2, "async offload: pool thread 0" 3, "async offload: pool thread 1" 4, "threaded: thread 0" 5, "threaded: thread 1" 6, "threaded: thread 2" 7, "threaded: thread 3" 8, "multiproc: worker 0" 9, "multiproc: worker 1" 10, "multiproc: worker 2" 11, "multiproc: worker 3" 12)
plot '../data/timeline.dat' index 0 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 1 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 2 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 3 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#6baed6' title columnheader(2), \
     '' index 4 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#6baed6' title columnheader(2), \
     '' index 5 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#6baed6' title columnheader(2), \
     '' index 6 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#08306b' title columnheader(2), \
     '' index 7 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#08306b' title columnheader(2), \
     '' index 8 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#08306b' title columnheader(2), \
     '' index 9 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#e6780b' title columnheader(2), \
     '' index 10 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#e6780b' title columnheader(2), \
     '' index 11 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#e6780b' title columnheader(2), \
     '' index 12 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#2a9d3a' title columnheader(2), \
     '' index 13 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#2a9d3a' title columnheader(2), \
     '' index 14 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#2a9d3a' title columnheader(2)
