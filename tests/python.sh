#!/usr/bin/env bash
# python.sh - run tests/test_python.py, or skip (77) saying what is missing.
#
#   tests/python.sh CONCLAB_BIN
#
# The CPython side (python/conclab-py) runs on Debian's python3 with its
# python3-aiohttp and python3-aiofiles (.ci/deps installs them).  Where
# one is missing the test is skipped, naming it, rather than failed: the C
# suite does not depend on Python.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
  echo "SKIP: no python3 (.ci/deps installs it)"
  exit 77
fi
for m in aiohttp aiofiles; do
  if ! "$py" -c "import $m" 2>/dev/null; then
    echo "SKIP: $py has no $m (apt-get install python3-$m; .ci/deps does)"
    exit 77
  fi
done
exec "$py" "$here/test_python.py" "$@"
