#!/usr/bin/env bash
# readme_files.sh - do the README's "Read these files" boxes give each
# file's real line count?
#
#   tests/readme_files.sh          check (exit 1 naming each wrong count)
#   tests/readme_files.sh --fix    write the real counts into README.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
readme=$root/README.md
fix=${1:-}
bad=0 tmp=""
[ "$fix" = --fix ] && tmp=$(mktemp "$readme.tmp.XXXXXX")

in_section=0
while IFS= read -r line; do
  case $line in
    "### Read these files") in_section=1 ;;
    "### "*|"## "*) [ "$line" = "### Read these files" ] || in_section=0 ;;
  esac
  if [ $in_section = 1 ] &&
     [[ $line =~ ^([a-z]+/([a-z_]+/)?[a-z_]+\.(c|h|py))( +)([0-9]+)( lines.*)$ ]]; then
    file=${BASH_REMATCH[1]} said=${BASH_REMATCH[5]}
    if [ ! -f "$root/$file" ]; then
      echo "readme_files: $file: no such file" >&2
      bad=1
    else
      real=$(wc -l < "$root/$file")
      if [ "$real" != "$said" ]; then
        [ -n "$tmp" ] || echo "readme_files: $file has $real lines, README says $said" >&2
        bad=1
        # the count ends in the same column as before
        pad=$(( ${#BASH_REMATCH[4]} + ${#said} ))
        line=$(printf '%s%*d%s' "$file" "$pad" "$real" "${BASH_REMATCH[6]}")
      fi
    fi
  fi
  [ -z "$tmp" ] || printf '%s\n' "$line" >> "$tmp"
done < "$readme"

if [ -n "$tmp" ]; then
  mv "$tmp" "$readme"
  echo "readme_files: counts written"
  exit 0
fi
[ $bad = 0 ] || { echo "readme_files: run tests/readme_files.sh --fix" >&2; exit 1; }
echo "readme_files: ok"
