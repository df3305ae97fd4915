#!/bin/sh
# The walls around workers under the shipped kraken.service, in a real systemd (docs/walls.md).
# Boots Debian's systemd as PID 1 in a container (systemd-nspawn) from a minimal Debian root
# cached in build/systemd-root, installs this build into it with `make install`, enables
# kraken.socket with kraken.confine = {network = "none", files = "read-only"}, and shows a walled
# worker serving a socket-activated connection, a reload, and a stop. Prints "PASS" last.
# Run by SystemdWallsTest (make test); every step is bounded, and the container is powered
# off (then killed, by pid) whatever happens.
set -eu
top=$(cd "$(dirname "$0")/../../../.." && pwd)
root="$top/build/systemd-root"
work=$(mktemp -d)
nspawn=
pid1=

say() { echo "systemd-walls: $*"; }
die() { say "FAIL: $*"; exit 1; }

cleanup() {
  rc=$?
  # set -e ends the script at an unguarded failure: say so.
  [ $rc = 0 ] || say "ended with status $rc"
  if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
    # TERM asks the container's systemd to power off; KILL, by pid, when it does not in 15 s.
    kill -TERM "$nspawn" 2>/dev/null || true
    i=0
    while kill -0 "$nspawn" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.25; i=$((i + 1)); done
    if kill -0 "$nspawn" 2>/dev/null; then
      [ -n "$pid1" ] && kill -KILL "$pid1" 2>/dev/null || true
      kill -KILL "$nspawn" 2>/dev/null || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# Debian's tools: debootstrap makes the root, systemd-nspawn boots it.
if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null; then
  apt-get update -qq && apt-get install -y -qq debootstrap systemd-container >/dev/null
fi
if [ ! -x "$root/lib/systemd/systemd" ]; then
  say "making $root (debootstrap, about a minute)"
  rm -rf "$root.partial"
  # procps: the unit reloads with /bin/kill, as Debian's own units do (priority important,
  # so on every Debian system but minbase).
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,openjdk-17-jre-headless,procps \
    bookworm "$root.partial" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
  mv "$root.partial" "$root"
fi
if [ ! -x "$root/bin/kill" ]; then
  chroot "$root" sh -c 'apt-get update -qq && apt-get install -y -qq procps' >/dev/null
fi

make -s -C "$top" install-files DESTDIR="$root" >/dev/null
mkdir -p "$root/etc/kraken"
cat >"$root/etc/kraken.lua" <<'EOF'
kraken.confine = {network = "none", files = "read-only"}
kraken.workers.spare = 1
EOF
# The connection reports what walls its worker: the filter, its network namespace, whether it
# can write /var/tmp, and whether it can reach the container's own loopback (port 8001).
cat >"$root/etc/kraken/server.lua" <<'EOF'
assert(kraken.registerAddress{host = "*", port = 8001})
assert(kraken.registerApplication(coroutine.create(function(s)
  local f, seccomp = io.open("/proc/self/status")
  for line in f:lines() do seccomp = seccomp or line:match("^Seccomp:%s*(%d)") end
  f:close()
  local p = io.popen("readlink /proc/self/ns/net")
  local net = p:read("*l")
  p:close()
  local w, err = io.open("/var/tmp/kraken-walls", "w")
  s:send("seccomp=" .. tostring(seccomp) .. " net=" .. tostring(net) .. " write=" .. tostring(err) .. "\n")
  s:close()
end)))
assert(kraken.loop())
EOF

# --volatile=overlay: whatever the boot writes goes to a tmpfs, so the cached root stays clean.
systemd-nspawn -D "$root" -b --register=no --keep-unit --private-network --volatile=overlay \
  >"$work/console.log" 2>&1 &
nspawn=$!
i=0
while [ -z "$pid1" ] && [ $i -lt 100 ]; do
  pid1=$(cat "/proc/$nspawn/task/$nspawn/children" 2>/dev/null | awk '{print $1}')
  [ -n "$pid1" ] && [ "$(cat "/proc/$pid1/comm" 2>/dev/null)" = systemd ] || pid1=
  [ -n "$pid1" ] || sleep 0.1
  i=$((i + 1))
done
[ -n "$pid1" ] || { cat "$work/console.log"; die "the container's systemd did not start"; }
ct() { timeout 60 nsenter -t "$pid1" -a "$@"; }
# Until its bus answers, systemctl cannot ask; then --wait waits for the boot to finish.
i=0
state=
# ("offline" until PID 1 has made /run/systemd/system)
while { [ -z "$state" ] || [ "$state" = offline ]; } && [ $i -lt 300 ]; do
  state=$(ct systemctl is-system-running --wait 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != offline ] || sleep 0.1
  i=$((i + 1))
done
say "container PID 1 is $pid1 (systemd), system $state"

ct systemctl enable --now kraken.socket >/dev/null 2>&1 || die "cannot enable kraken.socket"
# A client in the container's network namespace (its loopback), through the socket systemd holds.
ask() { timeout 60 nsenter -t "$pid1" -n bash -c 'exec 3<>/dev/tcp/127.0.0.1/8001 && cat <&3'; }
reply=$(ask) || { ct journalctl --no-pager -u kraken.service | tail -30; die "no answer on 8001"; }
say "connection: $reply"
container_net=$(ct readlink /proc/1/ns/net)
case "$reply" in
  "seccomp=2 net=net:["*"] write="*"/var/tmp/kraken-walls"*"Read-only file system"*) ;;
  *) ct journalctl --no-pager -u kraken.service | tail -30; die "the worker is not walled in: $reply" ;;
esac
worker_net=${reply#*net=}; worker_net=${worker_net%% *}
[ "$worker_net" != "$container_net" ] || die "the worker shares the container's network namespace $container_net"

main=$(ct systemctl show -p MainPID --value kraken.service)
# The master's live children are its workers: each with the filter and namespaces of its own.
# (children are listed per thread: the master spawns from its supervisor thread)
workers=$(ct sh -c "cat /proc/$main/task/*/children 2>/dev/null" || true)
[ -n "$workers" ] || die "the master $main has no worker"
checked=0
for w in $workers; do
  # A worker that just served its connection may be gone already: the live ones are checked.
  # The master's other child, the script process (its top level), is not a worker.
  ct grep -q kraken.worker.WorkerMain "/proc/$w/cmdline" 2>/dev/null || continue
  seccomp=$(ct sh -c "sed -n 's/^Seccomp:[[:space:]]*//p' /proc/$w/status 2>/dev/null" || true)
  [ -n "$seccomp" ] || continue
  net=$(ct readlink "/proc/$w/ns/net") || continue
  mnt=$(ct readlink "/proc/$w/ns/mnt") || continue
  [ "$seccomp" = 2 ] || die "worker $w: Seccomp $seccomp"
  [ "$net" != "$container_net" ] || die "worker $w: in the container's network namespace"
  [ "$mnt" != "$(ct readlink "/proc/$main/ns/mnt")" ] || die "worker $w: in the master's mount namespace"
  say "worker $w: Seccomp 2, $net, $mnt"
  checked=$((checked + 1))
done
[ $checked -gt 0 ] || die "no live worker of the master $main to look at (children: $workers)"

ct systemctl reload kraken.service || { ct journalctl --no-pager -u kraken.service | tail -15; die "reload failed"; }
i=0
until ct journalctl --no-pager -u kraken.service | grep -q "configuration reloaded"; do
  [ $i -lt 100 ] || die "no reload in the log"; sleep 0.1; i=$((i + 1))
done
i=0
until [ "$(ct systemctl is-active kraken.service)" = active ]; do
  [ $i -lt 100 ] || die "not active after reload: $(ct systemctl is-active kraken.service)"; sleep 0.1; i=$((i + 1))
done
reply=$(ask) || die "no answer after reload"
case "$reply" in "seccomp=2 "*) say "after reload: $reply" ;; *) die "after reload: $reply" ;; esac

ct systemctl stop kraken.service kraken.socket || die "stop failed"
[ "$(ct systemctl is-active kraken.service || true)" = inactive ] || die "still active after stop"
ct journalctl --no-pager -u kraken.service | grep -q "kraken: stopped" || die "the master did not stop gracefully"
say "stopped"
echo PASS
