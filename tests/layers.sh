#!/usr/bin/env bash
# layers.sh - does every #include point down?
#
#   tests/layers.sh [ROOT]       check the tree at ROOT (default: this one)
#   tests/layers.sh --self-test  also plant an upward include in a copy and
#                                check that it is caught
#
# conclab's folders are layers: commands > report > suite, lab > run, tool
# > base > the models > workloads.  A file may include headers of its own
# folder and of the folders its folder links (directly or through them), as
# bench/*/CMakeLists.txt and the models' CMakeLists.txt link them.  CMake
# already refuses most upward includes (a layer does not see the include
# directories above it); this check names the file, the line and the rule,
# and it also holds where a header happens to be reachable anyway.
set -euo pipefail

# folder: the folders it links directly (the rest follows by closure)
read -r -d '' LINKS <<'LIST' || true
workloads:
async: workloads
threaded: workloads
multiproc: workloads
server: workloads threaded
bench/base:
bench/run: bench/base async threaded multiproc
bench/tool: bench/base
bench/suite: bench/run bench/tool
bench/lab: bench/base async threaded
bench/report: bench/suite bench/lab
bench/cmd: bench/report server
LIST

check() {
  local root=$1
  (cd "$root" && find workloads async threaded multiproc server bench \
      -name '*.[ch]' -print | sort) |
  awk -v root="$root" -v links="$LINKS" '
    function folder(path,   n, p) {  # "bench/run/run.c" -> "bench/run"
      n = split(path, p, "/")
      return p[1] == "bench" ? p[1] "/" p[2] : p[1]
    }
    function closure(f,   i, n, d, seen_key) {
      if (f in done) return
      done[f] = 1
      n = split(direct[f], d, " ")
      for (i = 1; i <= n; i++) {
        if (d[i] == "") continue
        closure(d[i])
        allowed[f, d[i]] = 1
        for (k in allowed) {
          split(k, kk, SUBSEP)
          if (kk[1] == d[i]) allowed[f, kk[2]] = 1
        }
      }
    }
    BEGIN {
      n = split(links, line, "\n")
      for (i = 1; i <= n; i++) {
        if (line[i] == "") continue
        split(line[i], kv, ":")
        sub(/^ +/, "", kv[2])
        direct[kv[1]] = kv[2]
        order[++nf] = kv[1]
      }
      for (i = 1; i <= nf; i++) closure(order[i])
    }
    { files[++nfiles] = $0
      base = $0; sub(/.*\//, "", base)
      if ($0 ~ /\.h$/) owner[base] = folder($0) }
    END {
      bad = 0
      for (i = 1; i <= nfiles; i++) {
        f = files[i]; from = folder(f)
        if (!(from in direct)) {
          printf "layers: %s: folder %s has no place in the layer list\n", f, from
          bad = 1; continue
        }
        ln = 0
        while ((getline text < (root "/" f)) > 0) {
          ln++
          if (text !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
          h = text; sub(/^[^"]*"/, "", h); sub(/".*/, "", h); sub(/.*\//, "", h)
          if (!(h in owner)) continue      # a test helper or generated header
          to = owner[h]
          if (to == from || (from, to) in allowed) continue
          printf "layers: %s:%d includes %s from %s, which is not below %s\n", f, ln, h, to, from
          bad = 1
        }
        close(root "/" f)
      }
      exit bad
    }'
}

root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --self-test ]; then
  check "$root"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$root/workloads" "$root/async" "$root/threaded" "$root/multiproc" \
        "$root/server" "$root/bench" "$tmp/"
  # base reaching up into the suite: must be caught.
  printf '#include "suite.h"\n' >> "$tmp/bench/base/stats.c"
  if out=$(check "$tmp"); then
    echo "layers: self-test: an upward include (base -> suite) was not caught" >&2
    exit 1
  fi
  case $out in
    *"bench/base/stats.c:"*"includes suite.h from bench/suite"*) ;;
    *) echo "layers: self-test: unexpected report: $out" >&2; exit 1 ;;
  esac
  echo "layers: ok (and a planted upward include was caught: $out)"
else
  check "${1:-$root}"
  echo "layers: ok"
fi
