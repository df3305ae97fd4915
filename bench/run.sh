#!/bin/sh
# make bench: Kraken ("process" and "state" isolation) against the Lua 5.1 forking reference
# server, on the protocol of the program every user writes (docs/lua-api.md), all from 127.0.0.1. See notes/bench.md.
#
# Knobs (environment):           default
#   BENCH_ROUNDS   rounds, each server in turn (A B C A B C ...)        3
#   BENCH_SECONDS  seconds of load per measurement                     2
#   BENCH_N        most connections per measurement                    200000
#   BENCH_WARM     seconds of warm-up load per server                  2
#   BENCH_HOLD     connections held open for the PSS measurement       100
#   BENCH_JVM_RUNS runs of the bare `java <flags> -version`            5
#   BENCH_SPAWNS   single connections to the process master, each followed by a quiet wait,
#                  whose worker respawns give the spawn-to-ready figures 5
#   BENCH_SPARE    kraken.workers.spare                                2 (the shipped default)
#   BENCH_MAX      kraken.workers.max (>= BENCH_HOLD to hold them all) 128
#   BENCH_STATE_CONNECTIONS kraken.workers.connections ("state": a worker's life)  10000 (shipped)
#   BENCH_START_TIMEOUT seconds a server may take to serve its first connection 90
#   BENCH_CONN_TIMEOUT  seconds one connection may take before it counts as an error 15
#   BENCH_SERVERS  which servers, any of: kproc kstate kproc25 kstate25 lfork cfork cpre
#                  default "kproc kstate lfork cfork", plus kproc25 when BENCH_JDK25 exists
#                  (kproc25/kstate25: the same on JDK 25 with its AOT cache; cfork: C, fork per
#                  connection; cpre: 4 preforked C processes, the client's ceiling, not by default)
#   BENCH_JDK25    the JDK 25 home for kproc25/kstate25     /usr/lib/jvm/temurin-25-jdk-amd64
#   BENCH_JDK      the JDK home for kproc/kstate            JAVA_HOME, else the java on PATH's
#                  (always named: the launcher alone would run the JDK make chose, lib/java-home)
#   BENCH_KRAKEN   the kraken command               this checkout's native-scripts/kraken
#   BENCH_KRAKEN_LOG  KRAKEN_LOG for the masters ("" for the default log level)   debug
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER=${BENCH_SECONDS:-2}
N=${BENCH_N:-200000}
WARM=${BENCH_WARM:-2}
HOLD=${BENCH_HOLD:-100}
JVM_RUNS=${BENCH_JVM_RUNS:-5}
SPAWNS=${BENCH_SPAWNS:-5}
SPARE=${BENCH_SPARE:-2}
MAX=${BENCH_MAX:-128}
STATE_CONNS=${BENCH_STATE_CONNECTIONS:-10000}
START_TIMEOUT=${BENCH_START_TIMEOUT:-90}
CONN_TIMEOUT=${BENCH_CONN_TIMEOUT:-15}
KLOG=${BENCH_KRAKEN_LOG-debug}
JDK25=${BENCH_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
JDK=${BENCH_JDK:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
if [ -x "$JDK25/bin/java" ]; then
  SERVERS=${BENCH_SERVERS:-kproc kproc25 kstate lfork cfork}
else
  SERVERS=${BENCH_SERVERS:-kproc kstate lfork cfork}
fi

for s in $SERVERS; do
  case $s in kproc|kstate|kproc25|kstate25|lfork|cfork|cpre) ;; *) echo "bench: unknown server '$s' in BENCH_SERVERS" >&2; exit 1;; esac
done

log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

for v in "$ROUNDS" "$SECONDS_PER" "$N" "$WARM" "$HOLD" "$JVM_RUNS" "$SPAWNS" "$SPARE" "$MAX" "$START_TIMEOUT" "$CONN_TIMEOUT"; do
  case $v in ''|*[!0-9]*) die "BENCH_* knobs must be whole numbers (got '$v')";; esac
done

# ---------------------------------------------------------------- tools
need_lua=0
command -v lua5.1 >/dev/null 2>&1 || need_lua=1
if [ $need_lua = 0 ] && ! lua5.1 -e 'require "posix"; require "socket"' >/dev/null 2>&1; then need_lua=1; fi
if [ $need_lua = 1 ]; then
  log "installing lua5.1, lua-posix, lua-socket"
  { apt-get update -qq && apt-get install -y -qq lua5.1 lua-posix lua-socket >/dev/null; } ||
    die "could not install lua5.1 lua-posix lua-socket"
fi
rm -rf "$out"
mkdir -p "$out"
cc -O2 -Wall -o "$out/client" "$here/client.c" -lpthread -lm || die "cannot compile client.c"
cc -O2 -Wall -o "$out/proctool" "$here/proctool.c" || die "cannot compile proctool.c"
cc -O2 -Wall -o "$out/prefork-server" "$here/prefork-server.c" || die "cannot compile prefork-server.c"
cc -O2 -Wall -o "$out/fork-server" "$here/fork-server.c" || die "cannot compile fork-server.c"
# JDK 25's workers need their AOT cache (make builds the default JDK's): made once, beside the jars.
case " $SERVERS " in *" kproc25 "*|*" kstate25 "*)
  lib25=${KRAKEN_LIB:-$root/build/lib}
  if [ -x "$JDK25/bin/java" ] && [ -z "${BENCH_KRAKEN:-}" ] && [ -f "$lib25/kraken-master.jar" ] && ! ls "$lib25"/worker-25.aot >/dev/null 2>&1; then
    log "building the JDK 25 AOT cache in $lib25"
    JAVA_HOME=$JDK25 sh "$root/native-scripts/worker-archive" "$lib25" >"$out/aot25.log" 2>&1 || log "JDK 25 AOT cache: failed (see $out/aot25.log)"
  fi;;
esac
CLIENT=$out/client
PT=$out/proctool

# ---------------------------------------------------------------- helpers
# kv LINE KEY: the value of KEY=value in a line of key=value pairs ("" when absent).
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# div A B [DECIMALS]: A / B, or n/a.
div() {
  case "$1$2" in *n/a*) echo n/a; return;; esac
  [ -n "$1" ] && [ -n "$2" ] || { echo n/a; return; }
  awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.*f\n", d, a / b }'
}

# median: of the numbers on stdin, or n/a.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# pctl P FILE: nearest-rank percentile of the numbers in FILE (P in 0..1; 1 gives the max).
pctl() {
  [ -s "$2" ] || { echo n/a; return; }
  sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 } END { k = int(p * NR); if (k < p * NR) k++; if (k < 1) k = 1; printf "%.2f\n", v[k] }'
}

alive() {
  [ -r "/proc/$1/stat" ] || return 1
  state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ -n "$state" ]
}

tree_ms() { kv "$($PT cpu "$1" 2>/dev/null)" tree_ms; }

# quiesce PID: waits (at most 30 s) until the server's tree burns under 10% of a core, so a
# respawn or a JIT burst after one measurement neither hits the next nor escapes this one.
# A server that never goes quiet (a spinning master) gets 5 s waits after its second miss, so
# it cannot stretch the run by 30 s per measurement.
quiesce() {
  q_prev=$(tree_ms "$1"); q_calm=0; q_max=30
  [ "$(eval "printf '%s' \"\${noisy_$1:-0}\"")" -ge 2 ] && q_max=5
  q_end=$(( $(date +%s) + q_max ))
  while [ "$(date +%s)" -lt $q_end ]; do
    sleep 0.2
    alive "$1" || return 0
    q_cur=$(tree_ms "$1")
    [ -n "$q_cur" ] && [ -n "$q_prev" ] || return 0
    if [ $((q_cur - q_prev)) -le 20 ]; then q_calm=$((q_calm + 1)); else q_calm=0; fi
    [ $q_calm -ge 2 ] && return 0
    q_prev=$q_cur
  done
  eval "noisy_$1=\$(( \${noisy_$1:-0} + 1 ))"
  log "pid $1 never went quiet within $q_max s"
}

# Per-server state lives in variables named <key>_<field>, read and written through these.
get() { eval "printf '%s' \"\${$1_$2:-}\""; }
set_() { eval "$1_$2=\$3"; }

label() {
  case $1 in
    kproc) echo 'Kraken "process"';;
    kstate) echo 'Kraken "state"';;
    kproc25) echo 'Kraken "process", JDK 25';;
    kstate25) echo 'Kraken "state", JDK 25';;
    lfork) echo 'Lua 5.1 fork';;
    cfork) echo 'C fork';;
    cpre) echo 'C prefork x4 (ceiling)';;
  esac
}

# why KEY: a one-line reason from the server's stderr (its last "kraken:" line, else its first line).
why() {
  w_log=$out/$1.err
  w=$(grep -a 'kraken:' "$w_log" 2>/dev/null | tail -n 1)
  [ -n "$w" ] || w=$(grep -a -v '^[[:space:]]*$' "$w_log" 2>/dev/null | head -n 1)
  [ -n "$w" ] || w="exited with no message"
  printf '%s' "$w" | tr -d '\r' | tr '|' '/' | cut -c1-160
}

mark_down() { set_ "$1" down "$2"; log "$(label "$1"): n/a: $2"; }
up() { [ -z "$(get "$1" down)" ] && alive "$(get "$1" pid)"; }

# ---------------------------------------------------------------- servers
PIDS=""
HOLD_PID=""
cleanup() {
  trap - EXIT INT TERM HUP
  [ -n "$HOLD_PID" ] && kill -KILL "$HOLD_PID" 2>/dev/null
  for p in $PIDS; do
    kids=$($PT list "$p" 2>/dev/null | awk '{ print $1 }')
    kill -TERM "$p" 2>/dev/null
    c_i=0
    while alive "$p" && [ $c_i -lt 50 ]; do sleep 0.1; c_i=$((c_i + 1)); done
    alive "$p" && kill -KILL "$p" 2>/dev/null
    for k in $kids; do alive "$k" && kill -KILL "$k" 2>/dev/null; done
    wait "$p" 2>/dev/null
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# BENCH_KRAKEN names another kraken command (an installed one, say); default: this checkout's.
KRAKEN=${BENCH_KRAKEN:-$root/native-scripts/kraken}
start_server() {
  key=$1
  port=$($PT freeport) || die "no free port"
  set_ "$key" port "$port"
  case $key in
    lfork)
      BENCH_PORT=$port lua5.1 "$here/fork-server.lua" >/dev/null 2>"$out/$key.err" &
      ;;
    cpre)
      "$out/prefork-server" "$port" 4 >/dev/null 2>"$out/$key.err" &
      ;;
    cfork)
      "$out/fork-server" "$port" >/dev/null 2>"$out/$key.err" &
      ;;
    kproc|kstate|kproc25|kstate25)
      iso=process; case $key in kstate*) iso=state;; esac
      jh=$JDK; case $key in *25) jh=$JDK25;; esac
      # The shipped defaults but the cap: max only bounds the pool (which stays at spare + busy),
      # and must let BENCH_HOLD connections each have a worker.
      cat >"$out/$key-config.lua" <<EOF
kraken.isolation = "$iso"
kraken.workers.spare = $SPARE
kraken.workers.max = $MAX
kraken.workers.connections = $STATE_CONNS
EOF
      if [ -z "${BENCH_KRAKEN:-}" ] && [ ! -f "$root/build/lib/kraken-master.jar" ] && [ -z "${KRAKEN_LIB:-}" ]; then
        mark_down "$key" "not built (run make build)"
        return
      fi
      BENCH_PORT=$port KRAKEN_LOG=$KLOG JAVA_HOME=$jh "$KRAKEN" --config "$out/$key-config.lua" "$here/hello.lua" \
        >/dev/null 2>"$out/$key.err" &
      ;;
  esac
  set_ "$key" pid $!
  PIDS="$PIDS $!"
  log "$(label "$key"): pid $! port $port"
}

# await KEY: polls with a full protocol exchange until the server answers one connection.
await() {
  a_pid=$(get "$1" pid); a_port=$(get "$1" port)
  a_end=$(( $(date +%s) + START_TIMEOUT ))
  while :; do
    if ! alive "$a_pid"; then mark_down "$1" "$(why "$1")"; return; fi
    a_r=$($CLIENT -p "$a_port" -n 1 -t 5 -T 6)
    [ "$(kv "$a_r" ok)" = 1 ] && { log "$(label "$1"): ready"; return; }
    [ "$(date +%s)" -ge "$a_end" ] && { mark_down "$1" "no answer within ${START_TIMEOUT} s ($(why "$1"))"; return; }
    sleep 0.2
  done
}

T0=$(date +%s)
for s in $SERVERS; do start_server "$s"; done
for s in $SERVERS; do [ -z "$(get "$s" down)" ] && await "$s"; done
for s in $SERVERS; do up "$s" && quiesce "$(get "$s" pid)"; done

# ---------------------------------------------------------------- idle memory
# A Kraken worker is a java child of the master; the reference server's idle process is itself.
idle_memory() {
  pid=$(get "$1" pid)
  set_ "$1" idle_tree "$(div "$(kv "$($PT pss "$pid")" tree_kb)" 1024 1)"
  case $1 in
    lfork|cfork|cpre) w=$(kv "$($PT pss "$pid")" root_kb);;
    *) w=$($PT list "$pid" | awk '$3 == "java" && $4 >= 0 { print $4 }' | median);;
  esac
  set_ "$1" idle_worker "$(div "$w" 1024 1)"
  set_ "$1" idle_workers "$($PT list "$pid" | awk '$3 == "java"' | wc -l)"
  # The worker's command line: from the master's log, else from a live worker.
  c=$(grep -a -m 1 'worker command:' "$out/$1.err" 2>/dev/null | sed 's/.*worker command: *//')
  if [ -n "$c" ]; then
    set_ "$1" cmd_from "the master's log"
  else
    wpid=$($PT list "$pid" | awk '$3 == "java" { print $1; exit }')
    [ -n "$wpid" ] && c=$($PT cmdline "$wpid" 2>/dev/null) && set_ "$1" cmd_from "/proc/$wpid/cmdline"
  fi
  printf '%s\n' "$c" >"$out/$1.cmd"
}
for s in $SERVERS; do up "$s" && idle_memory "$s"; done

# ---------------------------------------------------------------- worker start-up
# The master logs "ready in <N> ms ... cpu <M> ms" per ready worker and, with KRAKEN_LOG=debug,
# "worker command: <java command line>" once.
ready_wall() { sed -n 's/.*ready in \([0-9][0-9.]*\) *ms.*/\1/p'; }
ready_cpu() { grep -a 'ready in' | sed -n 's/.*cpu \([0-9][0-9.]*\) *ms.*/\1/p'; }

# java_flags KEY: the worker's JVM options from its logged command line (empty when not logged).
java_flags() {
  line=$(cat "$out/$1.cmd" 2>/dev/null)
  [ -n "$line" ] || return 0
  printf '%s\n' "$line" | tr -d '[],"' | tr ' ' '\n' | awk '
    NR == 1 { next }                        # the java binary
    skip { skip = 0; next }
    $0 == "" { next }
    $0 == "-cp" || $0 == "-classpath" || $0 == "--class-path" || $0 == "-jar" { if ($0 == "-jar") exit; skip = 1; next }
    /^-/ { print; next }
    { exit }                                # the main class: the JVM options end here
  '
}
java_bin() {
  b=$(tr -d '[],"' <"$out/$1.cmd" 2>/dev/null | awk '{ print $1; exit }')
  case $b in */java) [ -x "$b" ] && { echo "$b"; return; };; esac
  echo java
}

spawn_phase() {
  key=$1; pid=$(get "$key" pid); port=$(get "$key" port)
  from=$(wc -l <"$out/$key.err")
  if { [ "$key" = kproc ] || [ "$key" = kproc25 ]; } && [ "$SPAWNS" -gt 0 ]; then
    i=0
    : >"$out/$key.ready_lat"
    while [ $i -lt "$SPAWNS" ] && up "$key"; do
      i=$((i + 1))
      # Each of these connections finds a ready worker (the pool is quiet): its latency is the
      # "connection that finds a ready worker" figure.
      $CLIENT -p "$port" -n 1 -t "$CONN_TIMEOUT" -T $((CONN_TIMEOUT + 2)) \
        | sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' >>"$out/$key.ready_lat"
      quiesce "$pid"
    done
    set_ "$key" ready_p50 "$(median <"$out/$key.ready_lat")"
    tail -n +"$((from + 1))" "$out/$key.err" >"$out/$key.spawns"
    set_ "$key" spawn_kind "$SPAWNS respawns on a quiet machine"
  else
    cp "$out/$key.err" "$out/$key.spawns"
    set_ "$key" spawn_kind "start-up, workers started together"
  fi
  set_ "$key" spawn_n "$(ready_wall <"$out/$key.spawns" | wc -l)"
  set_ "$key" spawn_wall "$(ready_wall <"$out/$key.spawns" | median)"
  set_ "$key" spawn_cpu "$(ready_cpu <"$out/$key.spawns" | median)"

  flags=$(java_flags "$key" | tr '\n' ' ' | sed 's/ *$//')
  if [ -n "$flags" ]; then
    set_ "$key" jvm_flags "$flags"
    set_ "$key" jvm_src "from $(get "$key" cmd_from)"
  else
    # Not logged: the flags PERFORMANCE.md used for its JVM start figures.
    flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto"
    set_ "$key" jvm_flags "$flags"
    set_ "$key" jvm_src "defaults: no worker command in the log nor a live worker"
  fi
  jbin=$(java_bin "$key")
  : >"$out/$key.jvm"
  i=0
  while [ $i -lt "$JVM_RUNS" ]; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    $PT time "$jbin" $flags -version 2>/dev/null >>"$out/$key.jvm"
  done
  set_ "$key" jvm_wall "$(sed -n 's/.*wall_ms=\([0-9.]*\).* rc=0$/\1/p' "$out/$key.jvm" | median)"
  set_ "$key" jvm_cpu "$(sed -n 's/.*cpu_ms=\([0-9.]*\).* rc=0$/\1/p' "$out/$key.jvm" | median)"
}
for s in kproc kproc25 kstate kstate25; do
  case " $SERVERS " in *" $s "*) up "$s" && spawn_phase "$s";; esac
done

# ---------------------------------------------------------------- load
# measure KEY C: one timed load run; the CPU delta is taken after the server went quiet again,
# so it includes the work a connection caused after it closed (a "process" worker's respawn).
measure() {
  key=$1; c=$2; pid=$(get "$key" pid); port=$(get "$key" port)
  up "$key" || return 0
  before=$($PT cpu "$pid")
  m=$($CLIENT -p "$port" -c "$c" -n "$N" -d "$SECONDS_PER" -t "$CONN_TIMEOUT" -T $((SECONDS_PER + CONN_TIMEOUT + 5)) -o "$out/$key.lat.tmp")
  quiesce "$pid"
  after=$($PT cpu "$pid" 2>/dev/null)
  if ! up "$key"; then mark_down "$key" "died during the load ($(why "$key"))"; return 0; fi
  [ -n "$m" ] || { log "$(label "$key") C=$c: no result from the client"; return 0; }
  cat "$out/$key.lat.tmp" >>"$out/$key.c$c.lat"
  tree=$(awk -v a="$(kv "$after" tree_ms)" -v b="$(kv "$before" tree_ms)" 'BEGIN { print (a == "" || b == "") ? 0 : a - b }')
  self=$(awk -v a="$(kv "$after" root_ms)" -v b="$(kv "$before" root_ms)" 'BEGIN { print (a == "" || b == "") ? 0 : a - b }')
  echo "$(kv "$m" ok) $(kv "$m" errors) $(kv "$m" unfinished) $(kv "$m" conn_s) $tree $self" >>"$out/$key.c$c.rounds"
  kinds=$(printf '%s\n' "$m" | tr ' ' '\n' | sed -n 's/^err_\([a-z]*\)=\([1-9][0-9]*\)$/\1 \2/p')
  [ "$(kv "$m" unfinished)" != 0 ] && kinds="$kinds
unfinished $(kv "$m" unfinished)"
  printf '%s\n' "$kinds" | sed '/^$/d' >>"$out/$key.errkinds"
  log "$(label "$key") C=$c: $(kv "$m" conn_s) conn/s, p50 $(kv "$m" p50_ms) ms, errors $(kv "$m" errors)$(printf '%s' "$kinds" | tr '\n' ' ' | sed 's/^\(..*\)$/ (\1)/')"
}

for s in $SERVERS; do
  up "$s" || continue
  log "$(label "$s"): warm-up"
  $CLIENT -p "$(get "$s" port)" -c 16 -n "$N" -d "$WARM" -t "$CONN_TIMEOUT" -T $((WARM + CONN_TIMEOUT + 5)) >/dev/null
  $CLIENT -p "$(get "$s" port)" -c 1 -n "$N" -d 1 -t "$CONN_TIMEOUT" -T $((CONN_TIMEOUT + 6)) >/dev/null
  quiesce "$(get "$s" pid)"
done
round=0
while [ $round -lt "$ROUNDS" ]; do
  round=$((round + 1))
  log "round $round of $ROUNDS"
  for s in $SERVERS; do measure "$s" 1; measure "$s" 16; done
done

# ---------------------------------------------------------------- memory, connections held open
hold() {
  key=$1; pid=$(get "$key" pid); port=$(get "$key" port)
  up "$key" || return 0
  [ "$key" = cpre ] && return 0   # a ceiling for the client, with a fixed 4 processes
  st=$out/$key.held
  rm -f "$st"
  $CLIENT -H -p "$port" -n "$HOLD" -s "$st" -w 90 -T 150 >"$out/$key.hold.out" &
  HOLD_PID=$!
  i=0
  while [ ! -s "$st" ] && [ $i -lt 1000 ] && alive "$HOLD_PID"; do sleep 0.1; i=$((i + 1)); done
  if [ -s "$st" ]; then
    set_ "$key" held "$(awk '{ print $2 "/" $3 }' "$st")"
    quiesce "$pid"
    set_ "$key" held_tree "$(div "$(kv "$($PT pss "$pid")" tree_kb)" 1024 1)"
    set_ "$key" held_each "$(div "$($PT list "$pid" | awk '$4 > 0 { print $4 }' | median)" 1024 1)"
  else
    set_ "$key" held "none"
  fi
  kill -USR1 "$HOLD_PID" 2>/dev/null
  wait "$HOLD_PID"
  HOLD_PID=""
  hr=$(cat "$out/$key.hold.out")
  he=$(kv "$hr" errors)
  [ -n "$he" ] && [ "$he" != 0 ] && set_ "$key" held "$(get "$key" held), $he errors"
  log "$(label "$key"): held $(get "$key" held): $hr"
  quiesce "$pid"
}
for s in $SERVERS; do hold "$s"; done

# ---------------------------------------------------------------- control groups
# What each worker's control group cost the master's thread (CPU, user and system), as the master
# counts it around its own cgroup calls and reports on USR1: making the group and placing the
# worker in it, ending it (kill what is left, remove it), and per connection (READY's baseline,
# DONE's kill of what the connection left and its accounting).
groups_cost() {
  key=$1; pid=$(get "$key" pid)
  case $key in kproc*|kstate*) ;; *) return 0;; esac
  up "$key" || return 0
  before=$(grep -ac 'status: ' "$out/$key.err")
  kill -USR1 "$pid" 2>/dev/null
  i=0
  while [ "$(grep -ac 'status: ' "$out/$key.err")" -le "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  line=$(grep -a 'status: ' "$out/$key.err" | tail -n 1 | sed -n 's/.*; control groups: \([^;]*; [^;]*; [^;]*\);.*/\1/p')
  [ -n "$line" ] || line=$(grep -a 'status: ' "$out/$key.err" | tail -n 1 | sed -n 's/.*\(control groups: none\).*/\1/p')
  set_ "$key" groups "${line:-n/a}"
  set_ "$key" groups_kind "$(grep -a 'kraken: control groups: ' "$out/$key.err" | head -n 1 | sed 's/.*control groups: \([^ ;(]*[^;(]*\).*/\1/; s/ *$//' | cut -c1-40)"
  log "$(label "$key"): control groups: $(get "$key" groups)"
}
for s in $SERVERS; do groups_cost "$s"; done

# ---------------------------------------------------------------- report
summarize() {
  key=$1
  for c in 1 16; do
    f=$out/$key.c$c.rounds
    if [ -s "$f" ]; then
      set_ "$key" "cps$c" "$(awk '{ print $4 }' "$f" | median | awk '{ printf "%.0f", $1 }')"
      set_ "$key" "p50_$c" "$(pctl 0.50 "$out/$key.c$c.lat")"
      set_ "$key" "p99_$c" "$(pctl 0.99 "$out/$key.c$c.lat")"
      set_ "$key" "max_$c" "$(pctl 1 "$out/$key.c$c.lat")"
    fi
  done
  if ls "$out/$key".c*.rounds >/dev/null 2>&1; then
    e=$(cat "$out/$key".c*.rounds | awk '{ e += $2 + $3 } END { print e + 0 }')
    if [ -s "$out/$key.errkinds" ]; then
      e="$e ($(awk '{ n[$1] += $2 } END { for (k in n) printf "%s%s %d", (i++ ? ", " : ""), k, n[k] }' "$out/$key.errkinds"))"
    fi
    set_ "$key" errors "$e"
    set_ "$key" conns "$(cat "$out/$key".c*.rounds | awk '{ n += $1 } END { print n + 0 }')"
    set_ "$key" cpu_conn "$(div "$(cat "$out/$key".c*.rounds | awk '{ t += $5 } END { print t }')" "$(get "$key" conns)" 3)"
    set_ "$key" master_conn "$(div "$(cat "$out/$key".c*.rounds | awk '{ t += $6 } END { print t }')" "$(get "$key" conns)" 4)"
  fi
}
for s in $SERVERS; do summarize "$s"; done

v() { x=$(get "$1" "$2"); printf '%s' "${x:-n/a}"; }
# verdict VALUE OP TARGET: PASS/FAIL, or n/a.
verdict() {
  case $1 in ''|n/a) echo n/a; return;; esac
  awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? a >= b : a <= b; print ok ? "PASS" : "FAIL" }'
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
java_version=$(java -version 2>&1 | head -n 1)
elapsed=$(( $(date +%s) - T0 ))

report() {
  echo "# Kraken benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $cpu_model; kernel $(uname -r); $java_version."
  echo "Rounds $ROUNDS x ${SECONDS_PER} s per measurement, servers interleaved; warm-up ${WARM} s;"
  echo "kraken.workers.spare = $SPARE, kraken.workers.max = $MAX, kraken.workers.connections = $STATE_CONNS; took ${elapsed} s."
  echo
  for s in $SERVERS; do
    d=$(get "$s" down)
    [ -n "$d" ] && echo "- $(label "$s"): n/a: $d"
  done
  echo
  echo "## Throughput and latency (connect to close, ms)"
  echo
  echo "| server | conn/s C=1 | conn/s C=16 | p50 C=1 | p99 C=1 | max C=1 | p50 C=16 | p99 C=16 | max C=16 | connections | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for s in $SERVERS; do
    echo "| $(label "$s") | $(v "$s" cps1) | $(v "$s" cps16) | $(v "$s" p50_1) | $(v "$s" p99_1) | $(v "$s" max_1) | $(v "$s" p50_16) | $(v "$s" p99_16) | $(v "$s" max_16) | $(v "$s" conns) | $(v "$s" errors) |"
  done
  echo
  echo "## CPU and memory"
  echo
  echo "| server | CPU/conn, tree (ms) | master CPU/conn (ms) | idle worker PSS (MB) | idle tree PSS (MB) | tree PSS, $HOLD held (MB) | per-connection process PSS, held (MB) | held |"
  echo "|---|---|---|---|---|---|---|---|"
  for s in $SERVERS; do
    echo "| $(label "$s") | $(v "$s" cpu_conn) | $(v "$s" master_conn) | $(v "$s" idle_worker) | $(v "$s" idle_tree) | $(v "$s" held_tree) | $(v "$s" held_each) | $(v "$s" held) |"
  done
  case " $SERVERS " in *" kproc"*|*" kstate"*) startup_table; groups_table;; esac
  ratios
  targets
}

KRAKENS="kproc kproc25 kstate kstate25"
has() { case " $SERVERS " in *" $1 "*) return 0;; esac; return 1; }

startup_table() {
  echo
  echo "## Worker start-up (medians)"
  echo
  echo "| master | spawn to ready, wall (ms) | spawn to ready, CPU (ms) | ready lines | bare \`java -version\`, wall (ms) | bare JVM CPU (ms) | measured on |"
  echo "|---|---|---|---|---|---|---|"
  for s in $KRAKENS; do
    has "$s" || continue
    echo "| $(label "$s") | $(v "$s" spawn_wall) | $(v "$s" spawn_cpu) | $(v "$s" spawn_n) | $(v "$s" jvm_wall) | $(v "$s" jvm_cpu) | $(v "$s" spawn_kind) |"
  done
  for s in $KRAKENS; do
    has "$s" || continue
    f=$(get "$s" jvm_flags)
    [ -n "$f" ] && echo && echo "JVM flags of the $(label "$s") bare start ($(get "$s" jvm_src)): \`$f\`"
  done
}

groups_table() {
  echo
  echo "## Control groups: the master's CPU per worker and per connection (averages since the master's start)"
  echo
  echo "| master | kind | made and placed; ended; per connection |"
  echo "|---|---|---|"
  for s in $KRAKENS; do
    has "$s" || continue
    echo "| $(label "$s") | $(v "$s" groups_kind) | $(v "$s" groups) |"
  done
}

# Every server against the Lua 5.1 forking server (the original's design), from this one run.
ratios() {
  has lfork || return 0
  echo
  echo "## Ratios to the Lua 5.1 forking server (this run)"
  echo
  echo "| server | conn/s C=16 | conn/s C=1 | CPU/conn, tree | per-connection PSS, $HOLD held | tree PSS, $HOLD held |"
  echo "|---|---|---|---|---|---|"
  for s in $SERVERS; do
    [ "$s" = cpre ] && continue
    echo "| $(label "$s") | $(div "$(v "$s" cps16)" "$(v lfork cps16)" 2) | $(div "$(v "$s" cps1)" "$(v lfork cps1)" 2) | $(div "$(v "$s" cpu_conn)" "$(v lfork cpu_conn)" 2) | $(div "$(v "$s" held_each)" "$(v lfork held_each)" 1) | $(div "$(v "$s" held_tree)" "$(v lfork held_tree)" 1) |"
  done
}

targets() {
  echo
  echo "## Targets (issue 10)"
  echo
  echo "| what | value | target | verdict |"
  echo "|---|---|---|---|"
  for s in kstate kstate25; do
    has "$s" || continue
    x=$(div "$(v "$s" cps16)" "$(v lfork cps16)" 2)
    echo "| $(label "$s") / Lua fork, conn/s at C=16 | $x ($(v "$s" cps16) vs $(v lfork cps16)) | >= 3 | $(verdict "$x" '>=' 3) |"
    x=$(v "$s" cpu_conn)
    echo "| $(label "$s") server CPU per connection (ms) | $x | <= 1 | $(verdict "$x" '<=' 1) |"
  done
  for s in kproc kproc25; do
    has "$s" || continue
    x=$(div "$(v "$s" cpu_conn)" "$(v "$s" jvm_cpu)" 2)
    echo "| $(label "$s") server CPU per connection / bare \`java -version\` CPU, same JDK and flags | $x ($(v "$s" cpu_conn) vs $(v "$s" jvm_cpu) ms) | <= 1.3 | $(verdict "$x" '<=' 1.3) |"
    x=$(v "$s" held_each)
    echo "| $(label "$s") PSS per held connection (MB) | $x (Lua fork $(v lfork held_each)) | <= 6 | $(verdict "$x" '<=' 6) |"
  done
  for s in $KRAKENS; do
    has "$s" || continue
    x=$(v "$s" master_conn)
    echo "| $(label "$s") master CPU per connection (ms) | $x | (no target; the master's share) | - |"
  done
}
report >"$out/results.md"
cat "$out/results.md"

# The image (docs/processes.md, "Who runs what"): its size, and a fresh state per connection by copy against rerun.
sh "$here/image.sh" "$out/image.md" || log "the image measurement failed"
