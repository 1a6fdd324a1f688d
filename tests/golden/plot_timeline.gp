# caption: One row per worker (the loop, a thread, a process, a pool thread), one bar per task, one colour per model: sequential, concurrent and parallel at a glance.  Where the workload notes its compute step, a task shows its phases in three shades: fetch (pale), compute (dark), save (lighter), the compute on a pool thread's row where it is offloaded; elsewhere a bar is the whole task.
# Draw with: cd plots && gnuplot timeline.gp
set terminal svg size 900,284 dynamic noenhanced font 'sans,11' background rgb 'white'
if (!exists('out')) out = 'timeline.svg'
set output out
set title 'a test batch'
set xlabel 'time since the batch began (ms)'
set xrange [0:20.400]
set yrange [5.5:-0.5]
set grid xtics
set key outside right
set ytics ("seq" 0, "async: loop" 1, "threaded: thread 0" 2, "threaded: thread 1" 3, "async offload: loop" 4, "async offload: pool thread 0" 5)
plot '../data/timeline.dat' index 0 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 1 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 2 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 3 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.70 border lc rgb 'black' lc rgb '#555555' title columnheader(2), \
     '' index 4 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.70 border lc rgb 'black' lc rgb '#1f6fb4' title columnheader(2), \
     '' index 5 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.70 border lc rgb 'black' lc rgb '#e6780b' title columnheader(2), \
     '' index 6 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.25 border lc rgb 'black' lc rgb '#08306b' title columnheader(2), \
     '' index 7 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.45 border lc rgb 'black' lc rgb '#08306b' title columnheader(2), \
     '' index 8 using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) with boxxyerror fs solid 0.95 border lc rgb 'black' lc rgb '#08306b' title columnheader(2)
