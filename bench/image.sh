#!/bin/sh
# make bench, the image (docs/processes.md, "Who runs what"): the image's size
# and the CPU of a fresh state per connection, by a copy of the image (now) and by rerunning the
# top level (before it), for examples/hello.lua and for bench/image/modules.lua, whose top level
# loads Debian's pure-Lua dkjson, argparse, inspect and a dozen Penlight modules.
# Usage: sh bench/image.sh [OUT.md]   (BENCH_IMAGE_SECONDS: warm-up per measure, default 2)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
lib=${KRAKEN_LIB:-$root/build/lib}
missing=
for p in lua-dkjson lua-argparse lua-inspect lua-penlight; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  { apt-get update -qq && apt-get install -y -qq $missing >/dev/null; } || { echo "bench/image.sh: cannot install$missing" >&2; exit 1; }
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
out=${1:-/dev/null}
{
  echo
  echo "## The image: its size, and the CPU of a fresh state per connection (thread CPU, median)"
  echo
  "$java" -XX:+UseSerialGC -Xmx256m -Xss8m -Dkraken.native="$lib/libkraken.so" \
    -Dbench.seconds="${BENCH_IMAGE_SECONDS:-2}" -cp "$lib/*" "$here/ImageBench.java" \
    "$root/examples/hello.lua" "$here/image/modules.lua" | grep '^|'
} | tee "$out"
