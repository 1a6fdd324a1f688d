#!/usr/bin/env bash
# install.sh BUILD_DIR - `cmake --install BUILD_DIR --prefix TMP` puts
# TMP/bin/conclab there, and the installed program runs (it finds its own
# path at run time, so it works away from the build tree).
set -euo pipefail
build=$1
prefix=$(mktemp -d /tmp/conclab_install_XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/conclab" || { echo "no $prefix/bin/conclab"; exit 1; }
"$prefix/bin/conclab" run sleep --model seq --tasks 2 --delay-ms 1 >/dev/null
echo "installed and ran $prefix/bin/conclab"
