#!/bin/sh
# Builds libkraken.so, the JNI half of kraken.posix.Posix, into the folder $1.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
mkdir -p "$out"
src="$here/kraken_posix.c"
lib="$out/libkraken.so"
# Rebuild only when the source is newer: this runs at every Maven build.
if [ -f "$lib" ] && [ "$lib" -nt "$src" ]; then exit 0; fi
${CC:-cc} -O2 -Wall -Wextra -Werror -fPIC -shared -D_GNU_SOURCE \
  -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" \
  -o "$lib.tmp" "$src"
mv "$lib.tmp" "$lib"
