#!/usr/bin/env bash
# bench/network.sh — what the network costs, berth beside rootful podman
# (netavark) in one run, each on a scratch store:
#   1. set-up: `run --rm -p PORT:80 busybox true` against `--network none`
#      (issue 5's goal: berth adds at most 10 ms);
#   2. container-to-container TCP throughput on a bridge network (busybox
#      wget of a 256 MiB file from busybox httpd);
#   3. connections per second from the host through a published port (one
#      HTTP request per new connection, sequential, for a fixed count).
# Prints each figure and berth's ratio to podman. All traffic stays on this
# machine (loopback and the engines' own bridges).
#
#   BERTH_BINDIR  directory holding the berth binary (default: build one)
#   RUNS          hyperfine runs per command (default 15)
#   CONNS         connections per engine for the rate (default 2000)
#
# Needs root, hyperfine, busybox-static, go; podman is optional.
set -euo pipefail

RUNS=${RUNS:-15}
CONNS=${CONNS:-2000}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/berth-bench-net.XXXXXX)
daemon_pid=""
prun=""
pod=""
B=""

cleanup() {
	if [ -n "$B" ]; then $B rm -f $($B ps -aq 2>/dev/null) >/dev/null 2>&1 || true; $B network rm benchnet >/dev/null 2>&1 || true; fi
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
	if [ -n "$pod" ]; then
		$pod rm -f -a >/dev/null 2>&1 || true
		$pod system reset -f >/dev/null 2>&1 || true
		rm -rf "$prun"
	fi
	grep -o " $work/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "bench/network.sh: needs root" >&2; exit 1; }
for tool in hyperfine busybox tar go; do
	command -v "$tool" >/dev/null || { echo "bench/network.sh: $tool is missing (make deps installs it)" >&2; exit 1; }
done

if [ -z "${BERTH_BINDIR:-}" ]; then
	BERTH_BINDIR="$work/bin"
	(cd "$here" && go build -o "$BERTH_BINDIR/" ./cmd/...)
fi
berth="$BERTH_BINDIR/berth"

# --- a busybox root filesystem, imported as busybox:latest by every engine
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/www"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
echo ok >"$rootfs/www/index.html"
tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$work/rootfs.tar" .

# --- the connection-rate client: CONNS sequential GETs, a new connection each
mkdir -p "$work/conns"
cat >"$work/conns/main.go" <<'GO'
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[2])
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	for i := 0; i < n; i++ {
		resp, err := c.Get(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	fmt.Printf("%.0f\n", float64(n)/time.Since(start).Seconds())
}
GO
printf 'module conns\n\ngo 1.22\n' >"$work/conns/go.mod"
(cd "$work/conns" && CGO_ENABLED=0 GOWORK=off go build -o "$work/conns/conns" .)

wait_http() { for _ in $(seq 100); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# throughput ENGINE-COMMAND RUN-ARGS: MiB/s of a 256 MiB wget between two containers
throughput() {
	local e=$1 net=$2 ip
	$e run -d --name bench-srv $net busybox sh -c 'dd if=/dev/zero of=/www/big bs=1M count=256 2>/dev/null; httpd -f -p 80 -h /www' >/dev/null
	ip=$($e inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' bench-srv)
	$e run --rm $net busybox sh -c "for i in \$(seq 100); do wget -q -O /dev/null http://$ip/index.html 2>/dev/null && break; sleep 0.1; done" >/dev/null
	local t0 t1
	t0=$(date +%s.%N)
	$e run --rm $net busybox wget -q -O /dev/null "http://$ip/big"
	t1=$(date +%s.%N)
	$e rm -f bench-srv >/dev/null
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", 256 / (b - a) }'
}

# rate ENGINE-COMMAND PORT RUN-ARGS: connections/s through the published port
rate() {
	local e=$1 port=$2 opts=${3:-}
	$e run -d --name bench-web $opts -p "$port:80" busybox httpd -f -p 80 -h /www >/dev/null
	wait_http "http://127.0.0.1:$port/" || { echo "port $port does not answer" >&2; return 1; }
	"$work/conns/conns" "http://127.0.0.1:$port/" "$CONNS"
	$e rm -f bench-web >/dev/null
}

# --- berth: a daemon on a scratch root, bridge and table of its own
sock="$work/berth.sock"
echo '{}' >"$work/daemon.json"
"$berth" daemon --root "$work/berth-root" --exec-root "$work/berth-run" -H "unix://$sock" \
	--config-file "$work/daemon.json" --log-level warn --bridge bbench0 --nft-table berth_bench >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do "$berth" -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
B="$berth -H unix://$sock"
$B version >/dev/null || { echo "berth daemon did not start:" >&2; cat "$work/daemon.log" >&2; exit 1; }
$B import "$work/rootfs.tar" busybox:latest >/dev/null
$B network create benchnet >/dev/null

# -p 80 (an ephemeral host port): a fixed host port published again at
# once waits for the previous container's rule to be deleted (an RCU grace
# period, 10-30 ms), which measures the kernel rather than the set-up.
names=(berth-none berth-bridge-p)
cmds=("$B run --rm --network none busybox true" "$B run --rm -p 80 busybox true")

if command -v podman >/dev/null; then
	prun=$(mktemp -d /tmp/bpn.XXXX)
	pod="podman --root $work/podman --runroot $prun --events-backend none --cgroup-manager cgroupfs --runtime runc"
	$pod import -q "$work/rootfs.tar" busybox:latest >/dev/null
	popts="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
	if $pod run --rm $popts -p 80 busybox true >/dev/null 2>&1; then
		names+=(podman-none podman-bridge-p)
		cmds+=("$pod run --rm $popts --network none busybox true" "$pod run --rm $popts -p 80 busybox true")
	else
		echo "podman: does not run bridged containers on this host; left out"
		pod=""
	fi
fi

echo "== 1. set-up: run --rm [--network none | -p PORT:80] busybox true ($RUNS runs each)"
hyperfine -N --style basic --warmup 3 --runs "$RUNS" --export-csv "$work/setup.csv" "${cmds[@]}" >"$work/hyperfine.out" 2>&1 ||
	{ cat "$work/hyperfine.out"; exit 1; }
awk -F, -v names="${names[*]}" '
	NR == 1 { split(names, n, " "); next }
	{ m[n[NR - 1]] = $2 * 1000; printf "%-16s mean %7.1f ms\n", n[NR - 1], $2 * 1000 }
	END {
		printf "berth: the network adds %.1f ms (goal: at most 10)\n", m["berth-bridge-p"] - m["berth-none"]
		if ("podman-none" in m) {
			printf "podman: the network adds %.1f ms\n", m["podman-bridge-p"] - m["podman-none"]
			printf "berth / podman with -p = %.2f (goal: at most 0.50)\n", m["berth-bridge-p"] / m["podman-bridge-p"]
		}
	}' "$work/setup.csv"

echo "== 2. container to container: 256 MiB over HTTP on a bridge network"
bt=$(throughput "$B" "--network benchnet")
echo "berth   ${bt} MiB/s"
if [ -n "$pod" ]; then
	pt=$(throughput "$pod" "$popts")
	echo "podman  ${pt} MiB/s"
	awk -v b="$bt" -v p="$pt" 'BEGIN { printf "berth / podman = %.2f (goal: at least 1)\n", b / p }'
fi

echo "== 3. host to a published port: $CONNS sequential connections, one request each"
br=$(rate "$B" 18903)
echo "berth   ${br} conn/s"
if [ -n "$pod" ]; then
	pr=$(rate "$pod" 18904 "$popts")
	echo "podman  ${pr} conn/s"
	awk -v b="$br" -v p="$pr" 'BEGIN { printf "berth / podman = %.2f (goal: at least 1)\n", b / p }'
fi
