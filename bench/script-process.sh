#!/bin/sh
# What the script process costs a plain program (docs/processes.md, "Who runs what"):
# `kraken -e 'print(1)'` as root (the master, then the script in a JVM of its own) against the
# same command as nobody (one JVM: a master without privileges runs the script itself).
# Wall time and CPU (user + system of the whole process tree, /usr/bin/time), mean of N runs.
# Needs `make build` and root. Usage: bench/script-process.sh [N]
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
k="$here/native-scripts/kraken"
n=${1:-10}
cd /tmp
for who in root nobody; do
  i=0
  while [ $i -lt "$n" ]; do
    i=$((i + 1))
    if [ $who = root ]; then
      KRAKEN_CONFIG= /usr/bin/time -f "$who %e %U %S" "$k" -e 'print(1)' >/dev/null
    else
      KRAKEN_CONFIG= /usr/bin/time -f "$who %e %U %S" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$k" -e 'print(1)' >/dev/null
    fi
  done
done 2>&1 | awk '{w[$1] += $2; c[$1] += $3 + $4; n[$1]++}
  END {for (k in w) printf "%-6s wall %.3f s, cpu %.3f s (mean of %d)\n", k, w[k] / n[k], c[k] / n[k], n[k]}'
