#!/usr/bin/env bash
# make demo: start berth on a scratch root and socket, import a busybox
# image built here from Debian's busybox-static, show it, run containers
# from it, clean up.
# Usage: scripts/demo.sh BINDIR
set -euo pipefail

bindir=$(cd "${1:?usage: $0 BINDIR}" && pwd)
berth="$bindir/berth"
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "demo: $busybox missing: apt-get install busybox-static" >&2; exit 1; }

scratch=$(mktemp -d /tmp/berth-demo.XXXXXX)
export BERTH_HOST="unix://$scratch/berth.sock"
daemon_pid=""
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid"
		wait "$daemon_pid" || true
	fi
	# Container monitors outlive the daemon by design; the demo's go with it.
	for pid in $(pgrep -f -- "--state-dir $scratch/run/shim" || true); do kill "$pid" 2>/dev/null || true; done
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

# step shows a berth command, then runs it.
step() { printf '\n$ berth'; printf ' %q' "$@"; printf '\n'; "$berth" "$@"; }

# A root filesystem: busybox and a symlink per applet.
mkdir -p "$scratch/rootfs/bin" "$scratch/rootfs/tmp" "$scratch/rootfs/etc"
cp "$busybox" "$scratch/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$scratch/rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$scratch/rootfs/etc/passwd"
tar -C "$scratch/rootfs" --numeric-owner --owner=0 --group=0 -cf "$scratch/rootfs.tar" .

echo "starting: berth daemon -H $BERTH_HOST --root $scratch/root --exec-root $scratch/run"
echo '{}' > "$scratch/daemon.json"
"$berth" daemon -H "$BERTH_HOST" --root "$scratch/root" --exec-root "$scratch/run" \
	--config-file "$scratch/daemon.json" 2>"$scratch/daemon.log" &
daemon_pid=$!
for _ in $(seq 100); do
	"$berth" version >/dev/null 2>&1 && break
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$scratch/daemon.log" >&2; exit 1; }
	sleep 0.1
done

step version
step import --change 'CMD ["sh"]' --message "busybox from Debian's busybox-static" "$scratch/rootfs.tar" busybox:latest
step images
step image inspect busybox
step history busybox
step run --rm busybox echo hello from a container
step run -d --name demo-web -p 127.0.0.1::80 busybox \
	sh -c 'mkdir -p /www && echo "hello from a berth container" > /www/index.html && echo serving && exec httpd -f -p 80 -h /www'
step ps
step port demo-web 80
addr=$("$berth" port demo-web 80)
printf '\n$ curl http://%s/\n' "$addr"
curl -s --retry 20 --retry-connrefused --retry-delay 0 "http://$addr/"
step exec demo-web cat /etc/hostname
step logs demo-web
step rm -f demo-web
echo
echo "demo done: stopping the daemon and removing $scratch"
