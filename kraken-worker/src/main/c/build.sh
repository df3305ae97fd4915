#!/bin/sh
# Builds libkraken.so, the JNI half of kraken.posix.Posix, into the folder $1.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
mkdir -p "$out"
lib="$out/libkraken.so"
# Rebuild only when a source is newer: this runs at every Maven build.
stale=0
for src in "$here"/*.c; do
  if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then stale=1; fi
done
if [ "$stale" = 0 ]; then exit 0; fi
# The walls' system-call filter is compiled by libseccomp (Debian's libseccomp-dev; libseccomp2,
# its runtime half, is on every Debian system).
if [ ! -f /usr/include/seccomp.h ]; then
  { apt-get update -qq && apt-get install -y -qq libseccomp-dev >/dev/null; } ||
    { echo "build.sh: libseccomp-dev is missing and could not be installed (apt-get install libseccomp-dev)" >&2; exit 1; }
fi
${CC:-cc} -O2 -Wall -Wextra -Werror -fPIC -shared -D_GNU_SOURCE \
  -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" \
  -o "$lib.tmp" "$here"/*.c -lseccomp
mv "$lib.tmp" "$lib"
