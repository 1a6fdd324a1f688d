# caption: Memory per waiting unit: user memory (resident pages) and the kernel's own (stacks, page tables), on a log scale.
# Draw with: cd plots && gnuplot lab_memory.gp
set terminal svg size 760,360 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'lab_memory.svg.tmp'
set title 'memory per waiting unit (log scale)'
set logscale x 10
set format x '%.0s %cB'
set xlabel 'bytes per unit'
set yrange [*:*] reverse
set ytics nomirror
set style fill solid 0.6
set grid xtics
set key outside right top
plot '../data/lab_memory.dat' using ($2+$3):0:(1):($2+$3):($0-0.35):($0+0.35):ytic(1) with boxxyerror title 'user + kernel', \
     '' using ($2 > 1 ? $2 : 1):0:(1):($2 > 1 ? $2 : 1):($0-0.35):($0+0.35) with boxxyerror title 'user'
