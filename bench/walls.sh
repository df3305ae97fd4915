#!/bin/sh
# make bench, second part: what each wall around a worker (docs/walls.md) costs a "process"
# connection, which pays for a worker's start: CPU per connection (the master's whole tree,
# reaped workers included), and PSS per worker holding a connection.
#
#   filter   the system-call filter alone (always on: no configuration removes it)
#   net      kraken.confine.network = "none"      (plus the filter)
#   files    kraken.confine.files = "read-only"   (plus the filter)
#   both     both confine walls                   (plus the filter)
#
# The filter's own cost is measured apart: `java <the workers' flags> -version` under the very
# filter a live worker has (copied from it by bench/filtertime.c) against the same run without.
# The namespaces alone are measured apart too, in bare children (bench/nscost.c), since a JVM's
# start varies by more than they cost. Not counted anywhere: the kernel's work after a worker
# exits that runs in its own threads (a network namespace is torn down by a kworker).
#
# Knobs: BENCH_WALLS_ROUNDS [3] rounds, each variant in turn; BENCH_WALLS_CONNS [10] connections
# per variant and round, one at a time, each waiting for the worker that replaces it;
# BENCH_WALLS_HOLD [10] connections held for the PSS figure; BENCH_WALLS_JVM_RUNS [10].
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out/walls
ROUNDS=${BENCH_WALLS_ROUNDS:-3}
CONNS=${BENCH_WALLS_CONNS:-10}
HOLD=${BENCH_WALLS_HOLD:-10}
JVM_RUNS=${BENCH_WALLS_JVM_RUNS:-10}
VARIANTS="filter net files both"
KRAKEN=${BENCH_KRAKEN:-$root/native-scripts/kraken}

log() { printf '%s walls: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (namespaces for the workers, ptrace for the filter)"

rm -rf "$out"
mkdir -p "$out"
cc -O2 -Wall -o "$out/client" "$here/client.c" -lpthread -lm || die "cannot compile client.c"
cc -O2 -Wall -o "$out/proctool" "$here/proctool.c" || die "cannot compile proctool.c"
cc -O2 -Wall -o "$out/filtertime" "$here/filtertime.c" || die "cannot compile filtertime.c"
cc -O2 -Wall -o "$out/nscost" "$here/nscost.c" || die "cannot compile nscost.c"
CLIENT=$out/client
PT=$out/proctool

kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
get() { eval "printf '%s' \"\${$1_$2:-}\""; }
set_() { eval "$1_$2=\$3"; }
ready_count() { grep -a -c 'ready in' "$out/$1.err"; }

PIDS=""
HOLD_PID=""
cleanup() {
  trap - EXIT INT TERM
  [ -n "$HOLD_PID" ] && kill -KILL "$HOLD_PID" 2>/dev/null
  for p in $PIDS; do
    kids=$($PT list "$p" 2>/dev/null | awk '{ print $1 }')
    kill -TERM "$p" 2>/dev/null
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$p" 2>/dev/null
    for k in $kids; do kill -KILL "$k" 2>/dev/null; done
    wait "$p" 2>/dev/null
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for v in $VARIANTS; do
  port=$($PT freeport) || die "no free port"
  set_ "$v" port "$port"
  {
    echo 'kraken.isolation = "process"'
    echo 'kraken.workers.spare = 1'
    echo "kraken.workers.max = $((HOLD + 4))"
    case $v in
      net) echo 'kraken.confine = {network = "none"}';;
      files) echo 'kraken.confine = {files = "read-only"}';;
      both) echo 'kraken.confine = {network = "none", files = "read-only"}';;
    esac
  } >"$out/$v-config.lua"
  BENCH_PORT=$port "$KRAKEN" --config "$out/$v-config.lua" "$here/hello.lua" >/dev/null 2>"$out/$v.err" &
  set_ "$v" pid $!
  PIDS="$PIDS $!"
done
for v in $VARIANTS; do
  end=$(( $(date +%s) + 90 ))
  until [ "$(kv "$($CLIENT -p "$(get "$v" port)" -n 1 -t 5 -T 6)" ok)" = 1 ]; do
    kill -0 "$(get "$v" pid)" 2>/dev/null || die "$v: the server died: $(tail -n 3 "$out/$v.err")"
    [ "$(date +%s)" -lt "$end" ] || die "$v: no answer within 90 s"
    sleep 0.2
  done
done
log "servers up: $(grep -a -h 'walled in by' "$out"/*.err | sed 's/.*walled in by //' | sort -u | tr '\n' ';')"

# one_connection V: one connection, then waits (30 s at most) for the worker that replaces it.
one_connection() {
  before=$(ready_count "$1")
  $CLIENT -p "$(get "$1" port)" -n 1 -t 15 -T 17 >/dev/null
  i=0
  while [ "$(ready_count "$1")" -le "$before" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}

round=0
while [ $round -lt "$ROUNDS" ]; do
  round=$((round + 1))
  for v in $VARIANTS; do
    pid=$(get "$v" pid)
    one_connection "$v"   # settles the pool first
    b=$(kv "$($PT cpu "$pid")" tree_ms)
    n=0
    while [ $n -lt "$CONNS" ]; do one_connection "$v"; n=$((n + 1)); done
    a=$(kv "$($PT cpu "$pid")" tree_ms)
    per=$(awk -v a="$a" -v b="$b" -v n="$CONNS" 'BEGIN { printf "%.1f\n", (a - b) / n }')
    echo "$per" >>"$out/$v.cpu"
    log "round $round, $v: $per ms of CPU per connection"
  done
done

# Held connections: PSS of each worker holding one.
for v in $VARIANTS; do
  pid=$(get "$v" pid)
  st=$out/$v.held
  $CLIENT -H -p "$(get "$v" port)" -n "$HOLD" -s "$st" -w 90 -T 150 >"$out/$v.hold.out" &
  HOLD_PID=$!
  i=0
  while [ ! -s "$st" ] && [ $i -lt 600 ] && kill -0 "$HOLD_PID" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  sleep 2
  set_ "$v" pss "$($PT list "$pid" | awk '$3 == "java" && $4 > 0 { print $4 / 1024 }' | median | awk '{ printf "%.1f\n", $1 }')"
  kill -USR1 "$HOLD_PID" 2>/dev/null
  wait "$HOLD_PID"
  HOLD_PID=""
done

# The filter on a JVM's start: a live worker's filter, the workers' flags.
wpid=$($PT list "$(get filter pid)" | awk '$3 == "java" { print $1; exit }')
flags="-XX:+UseSerialGC -XX:-UsePerfData -Xmx64m -Xss1m -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=10 -Xshare:auto"
java=$(command -v java)
i=0
: >"$out/jvm.none"
: >"$out/jvm.filter"
while [ $i -lt "$JVM_RUNS" ]; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$out/filtertime" 0 "$java" $flags -version 2>/dev/null >>"$out/jvm.none"
  # shellcheck disable=SC2086
  "$out/filtertime" "$wpid" "$java" $flags -version 2>/dev/null >>"$out/jvm.filter"
done
jvm_none=$(sed -n 's/.*cpu_ms=\([0-9.]*\) rc=0.*/\1/p' "$out/jvm.none" | median)
jvm_filter=$(sed -n 's/.*cpu_ms=\([0-9.]*\) rc=0.*/\1/p' "$out/jvm.filter" | median)
insns=$(sed -n 's/.*insns=\([0-9]*\).*/\1/p' "$out/jvm.filter" | head -n 1)

echo
echo "## What the walls cost a \"process\" connection ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, kernel $(uname -r))"
echo
echo "| workers walled in by | CPU per connection, ms (median of $ROUNDS rounds of $CONNS) | PSS per held connection, MB |"
echo "|---|---|---|"
for v in $VARIANTS; do
  case $v in
    filter) what="the system-call filter alone";;
    net) what="+ network \"none\"";;
    files) what="+ files \"read-only\"";;
    both) what="+ both";;
  esac
  echo "| $what | $(median <"$out/$v.cpu") | $(get "$v" pss) |"
done
echo
echo "The filter itself ($insns BPF instructions), java -version with the workers' flags, median of $JVM_RUNS:"
echo "$jvm_none ms of CPU without it, $jvm_filter ms under it."
echo
# The namespaces alone, without a JVM's noise: the same steps in 1000 bare children (bench/nscost.c).
ns=$("$out/nscost" 1000)
echo "Building the confine walls in a bare child, CPU per child over 1000 (bench/nscost.c; the kernel's"
echo "later teardown of a network namespace, in its kworkers, is not counted): none $(kv "$ns" none_ms) ms,"
echo "network \"none\" $(kv "$ns" net_ms) ms, files \"read-only\" $(kv "$ns" files_ms) ms, both $(kv "$ns" both_ms) ms."
