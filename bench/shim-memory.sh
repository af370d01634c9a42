#!/usr/bin/env bash
# Host memory of berth's container monitor: N long-running busybox
# containers under ONE berth-shim; prints the shim's RSS and PSS (from
# /proc/PID/smaps_rollup) in total and per container, beside the figures
# measured for the peers on this kind of machine (containerd-shim-runc-v2:
# 2.8 MiB PSS / 12.8 MiB RSS per container; conmon: 0.4 MiB PSS / 2.0 MiB
# RSS). Goal: well under containerd's, at most conmon's.
# Usage: [N=20] BERTH_BINDIR=bin bench/shim-memory.sh   (as root)
set -euo pipefail

n=${N:-20}
[ "$(id -u)" = 0 ] || { echo "shim-memory: needs root (creates containers)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "shim-memory: needs busybox-static" >&2; exit 1; }
command -v python3 >/dev/null || { echo "shim-memory: needs python3 (the protocol driver)" >&2; exit 1; }

scratch=$(mktemp -d /tmp/berth-bench-shim.XXXXXX)
chmod 755 "$scratch"
if [ -n "${BERTH_BINDIR:-}" ]; then
	shim="$(cd "$BERTH_BINDIR" && pwd)/berth-shim"
else
	shim="$scratch/berth-shim"
	go build -o "$shim" ./cmd/berth-shim
fi
state="$scratch/shim"
shim_pid=""
drive() { python3 "$scratch/drive.py" "$state/shim.sock" "$@"; }
cleanup() {
	if [ -n "$shim_pid" ]; then
		drive cleanup "$n" >/dev/null 2>&1 || true
		kill -KILL "$shim_pid" 2>/dev/null || true
	fi
	for d in /sys/fs/cgroup/berth-bench /sys/fs/cgroup/*/berth-bench; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

# The shim's protocol is one JSON line each way per connection (docs/shim.md).
cat > "$scratch/drive.py" <<'PY'
import json, os, socket, sys

sock, op = sys.argv[1], sys.argv[2]

def call(req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall((json.dumps(req) + "\n").encode())
    resp = json.loads(s.makefile().readline())
    s.close()
    if resp.get("Error"):
        raise SystemExit("shim: " + resp["Error"])
    return resp

def spec(rootfs, cid):
    return {
        "ociVersion": "1.2.0",
        "root": {"path": rootfs, "readonly": True},
        "process": {"args": ["sleep", "100000"], "cwd": "/", "env": ["PATH=/bin"]},
        "hostname": "bench",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
        ],
        "linux": {
            "cgroupsPath": "/berth-bench/" + cid,
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
        },
    }

scratch = os.path.dirname(os.path.abspath(__file__))
n = int(sys.argv[3])
ids = ["shimbench-%d-%d" % (os.getpid() if op == "run" else 0, i) for i in range(n)]
if op == "run":
    for cid in ids:
        bundle = os.path.join(scratch, "bundles", cid)
        os.makedirs(bundle)
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(spec(os.path.join(scratch, "rootfs"), cid), f)
        call({"Op": "create", "ID": cid, "Create": {"ID": cid, "Bundle": bundle,
              "Log": {"Driver": "json-file", "Path": os.path.join(bundle, "log.json")}}})
        call({"Op": "start", "ID": cid})
elif op == "running":
    print(sum(1 for st in call({"Op": "list"}).get("States") or [] if st["Status"] == "running"))
elif op == "cleanup":
    for st in call({"Op": "list"}).get("States") or []:
        if st["Status"] != "stopped":
            call({"Op": "kill", "ID": st["ID"], "Signal": 9})
            call({"Op": "wait", "ID": st["ID"]})
        call({"Op": "delete", "ID": st["ID"]})
PY

mkdir -p "$scratch/rootfs/bin" "$scratch/rootfs/proc" "$scratch/rootfs/dev"
cp /bin/busybox "$scratch/rootfs/bin/busybox"
ln -s busybox "$scratch/rootfs/bin/sleep"

setsid "$shim" --state-dir "$state" --runtime-root "$scratch/runtime" </dev/null >/dev/null 2>&1 &
disown
for _ in $(seq 100); do [ -S "$state/shim.sock" ] && [ -s "$state/shim.pid" ] && break; sleep 0.05; done
shim_pid=$(cat "$state/shim.pid")

kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
sleep 1
base_rss=$(kib "$shim_pid" Rss); base_pss=$(kib "$shim_pid" Pss)
drive run "$n"
# Let the GC and the scavenger settle before reading.
sleep 3
rss=$(kib "$shim_pid" Rss); pss=$(kib "$shim_pid" Pss)
running=$(drive running 0)
[ "$running" = "$n" ] || { echo "shim-memory: only $running of $n containers running" >&2; exit 1; }

mib() { awk -v k="$1" 'BEGIN {printf "%.2f", k / 1024}'; }
per() { awk -v k="$1" -v n="$n" 'BEGIN {printf "%.2f", k / 1024 / n}'; }
echo "berth-shim with $n idle containers (one process for all)"
printf "  %-34s %8s %8s\n" "" "RSS MiB" "PSS MiB"
printf "  %-34s %8s %8s\n" "shim, no container" "$(mib "$base_rss")" "$(mib "$base_pss")"
printf "  %-34s %8s %8s\n" "shim, $n containers (total)" "$(mib "$rss")" "$(mib "$pss")"
printf "  %-34s %8s %8s\n" "per container (total / $n)" "$(per "$rss")" "$(per "$pss")"
printf "  %-34s %8s %8s\n" "per container (added / $n)" "$(per $((rss - base_rss)))" "$(per $((pss - base_pss)))"
printf "  %-34s %8s %8s\n" "containerd-shim-runc-v2 (quoted)" "12.80" "2.80"
printf "  %-34s %8s %8s\n" "conmon (quoted)" "2.00" "0.40"
awk -v p="$pss" -v n="$n" 'BEGIN {printf "  per-container PSS: %.2fx containerd-shim, %.2fx conmon\n", p/1024/n/2.8, p/1024/n/0.4}'
