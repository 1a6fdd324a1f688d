# exercises/compare.awk - the table `exercises/progress NN` prints after a
# pass: the student's code inside conclab beside the reference, and seq.
#
# On a shared machine one run can take twice as long as the next, so each
# side runs several times, in turns (seq, reference, yours, seq, ...), and
# the table shows the median and the range (min - max) of each.  A range
# as wide as the gap between two medians means the machine, not the code,
# made the difference; the load average says how busy the machine was.
#
# Input, one line per run: WHO WALL CHECKSUM, WHO being seq, reference or
# yours, WALL "-" for a run that failed.  Variables: model (the plugged
# model), load1 (the 1-minute load average before the runs), cores.
function median(who,   n, i, j, t, v) {
  n = runs[who]
  for (i = 1; i <= n; i++) v[i] = wall[who, i]
  for (i = 2; i <= n; i++)
    for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
      t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
    }
  return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function row(label, who,   m, lo, hi, i, sum) {
  if (!(who in runs) || failed[who]) {
    printf "  | %-20s | %11s | %-17s | %7s | %-18s |\n", label, "-", "-",
      "-", "run failed"
    return
  }
  lo = hi = wall[who, 1]
  for (i = 2; i <= runs[who]; i++) {
    if (wall[who, i] < lo) lo = wall[who, i]
    if (wall[who, i] > hi) hi = wall[who, i]
  }
  m = median(who)
  if (who == "seq") {
    base = m; sum = "(the oracle)"
  } else if (sums[who] == sums["seq"] && !mixed[who]) {
    sum = "same as seq"
  } else {
    sum = "DIFFERS: " sums[who]
  }
  printf "  | %-20s | %11.4f | %-17s | %7s | %-18s |\n", label, m,
    sprintf("%.4f - %.4f", lo, hi),
    (m > 0 && base > 0 ? sprintf("%.2fx", base / m) : "-"), sum
}

$2 == "-" { failed[$1] = 1; next }
{
  runs[$1]++
  wall[$1, runs[$1]] = $2
  if ($1 in sums && sums[$1] != $3) mixed[$1] = 1
  sums[$1] = $3
}

END {
  printf "  | %-20s | %11s | %-17s | %7s | %-18s |\n", "model",
    "median (s)", "min - max (s)", "speedup", "checksum"
  printf "  |%s|%s|%s|%s|%s|\n", "----------------------", "-------------",
    "-------------------", "---------", "--------------------"
  row("seq", "seq")
  row(model ", reference", "reference")
  row(model ", yours", "yours")
  printf "\n  %d runs each, in turns; load average %.2f (1 min) on %d cores\n",
    runs["seq"], load1, cores
  if (load1 > cores)
    printf "  WARNING: the load average is above the number of cores: other " \
      "work\n  competes for the CPU (a build just before counts too), so " \
      "the times\n  swing; compare the ranges, or run again when the " \
      "machine is quieter.\n"
}
