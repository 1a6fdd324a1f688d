#!/usr/bin/env bash
# install.sh BUILD_DIR - `cmake --install BUILD_DIR --prefix TMP` puts
# TMP/bin/conclab there, and the installed program runs (it finds its own
# path at run time, so it works away from the build tree), with
# conclab-py beside it (share/conclab/python/), which `run --impl python`
# runs where python3 has aiohttp and aiofiles.
set -euo pipefail
build=$1
prefix=$(mktemp -d /tmp/conclab_install_XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/conclab" || { echo "no $prefix/bin/conclab"; exit 1; }
"$prefix/bin/conclab" run sleep --model seq --tasks 2 --delay-ms 1 >/dev/null
py=$prefix/share/conclab/python
test -x "$py/conclab-py" && test -f "$py/conclab_py/cli.py" ||
  { echo "no conclab-py under $py"; exit 1; }
if /usr/bin/python3 -c 'import aiohttp, aiofiles' 2>/dev/null; then
  "$prefix/bin/conclab" run primes --tasks 2 --limit 1000 --json \
    --impl python | grep -q '"impl":"CPython' ||
    { echo "the installed conclab did not run conclab-py"; exit 1; }
fi
echo "installed and ran $prefix/bin/conclab"
