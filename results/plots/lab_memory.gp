# caption: Memory per waiting unit in KiB, coloured by model: user memory (resident pages, dark) and the kernel's own on top (stacks, page tables, pale), on a log scale.
# Draw with: cd plots && gnuplot lab_memory.gp
set terminal svg size 760,360 dynamic noenhanced font 'sans,11' background rgb 'white'
if (!exists('out')) out = 'lab_memory.svg'
set output out
colour(m) = m eq 'seq' ? 0x555555 : m eq 'async' ? 0x1f6fb4 : m eq 'threaded' ? 0xe6780b : m eq 'multiproc' ? 0x2a9d3a : 0x7f3f98
set title 'memory per waiting unit (log scale)'
set logscale x 10
set xlabel 'KiB per unit'
set yrange [*:*] reverse
set ytics nomirror
set grid xtics
set key outside right top
kib(b) = b > 10 ? b / 1024.0 : 10 / 1024.0
set xrange [10 / 1024.0:*]
plot '../data/lab_memory.dat' using (kib($3+$4)):0:(kib(1)):(kib($3+$4)):($0-0.35):($0+0.35):(colour(strcol(2))):ytic(1) with boxxyerror fs solid 0.3 lc rgb variable notitle, \
     '' using (kib($3)):0:(kib(1)):(kib($3)):($0-0.35):($0+0.35):(colour(strcol(2))) with boxxyerror fs solid 0.9 lc rgb variable notitle, \
     NaN with boxes fs solid 0.9 lc rgb 'gray40' title 'user', \
     NaN with boxes fs solid 0.3 lc rgb 'gray40' title '+ kernel', \
     NaN with boxes fs solid 0.8 lc rgb '#1f6fb4' title 'async', \
     NaN with boxes fs solid 0.8 lc rgb '#e6780b' title 'threaded', \
     NaN with boxes fs solid 0.8 lc rgb '#2a9d3a' title 'multiproc'
