# caption: The scale sweep: time to start and finish N waiting units, per model (log-log); a line ends where the cap or the system stopped it.
# Draw with: cd plots && gnuplot lab_sweep.gp
set terminal svg size 640,400 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'lab_sweep.svg.tmp'
set title 'waiting units in flight'
set logscale xy 10
set xlabel 'units in flight N'
set ylabel 'wall time (s)'
set key right bottom
set grid
plot for [m in 'async threaded multiproc'] '../data/lab_sweep.dat' using ((strcol(1) eq m && $5 == 1) ? $2 : NaN):3 with linespoints pt 7 title m.(m eq 'async' ? ' (timers)' : m eq 'threaded' ? ' (threads)' : ' (processes)')
