# caption: The scale sweep: time to start and finish N waiting units, per model (log-log); a line ends where the cap or the system stopped it.
# Draw with: cd plots && gnuplot lab_sweep.gp
set terminal svg size 640,400 dynamic noenhanced font 'sans,11' background rgb 'white'
if (!exists('out')) out = 'lab_sweep.svg'
set output out
colour(m) = m eq 'seq' ? 0x555555 : m eq 'async' ? 0x1f6fb4 : m eq 'threaded' ? 0xe6780b : m eq 'multiproc' ? 0x2a9d3a : 0x7f3f98
set title 'waiting units in flight'
set logscale xy 10
set xlabel 'units in flight N'
set format x '%.0s%c'
set ylabel 'wall time (s)'
set format y '%g'
set key right bottom
set offsets graph 0.04, graph 0.04, graph 0.04, graph 0.04
set grid
plot for [m in 'async threaded multiproc'] '../data/lab_sweep.dat' using ((strcol(1) eq m && $5 == 1) ? $2 : NaN):3 with linespoints pt 7 lw 1.5 lc rgb sprintf('#%06x', colour(m)) title m.(m eq 'async' ? ' (timers)' : m eq 'threaded' ? ' (threads)' : ' (processes)')
