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
ctl() { "$shim" ctl --state-dir "$state" "$@"; }
cleanup() {
	if [ -n "$shim_pid" ]; then
		ctl list 2>/dev/null | while read -r id status _; do
			[ "$status" = stopped ] || { ctl kill "$id" 9 && ctl wait "$id" >/dev/null; } || true
			ctl delete "$id" || true
		done
		kill -KILL "$shim_pid" 2>/dev/null || true
	fi
	for d in /sys/fs/cgroup/berth-bench /sys/fs/cgroup/*/berth-bench; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

mkdir -p "$scratch/rootfs/bin" "$scratch/rootfs/proc" "$scratch/rootfs/dev"
cp /bin/busybox "$scratch/rootfs/bin/busybox"
ln -s busybox "$scratch/rootfs/bin/sleep"

# A minimal bundle: sleep in its own namespaces and cgroup.
bundle() {
	mkdir -p "$scratch/bundles/$1"
	cat > "$scratch/bundles/$1/config.json" <<JSON
{"ociVersion": "1.2.0",
 "root": {"path": "$scratch/rootfs", "readonly": true},
 "process": {"args": ["sleep", "100000"], "cwd": "/", "env": ["PATH=/bin"]},
 "hostname": "bench",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
 "linux": {"cgroupsPath": "/berth-bench/$1",
           "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}}
JSON
	echo "$scratch/bundles/$1"
}

setsid "$shim" --state-dir "$state" --runtime-root "$scratch/runtime" </dev/null >/dev/null 2>&1 &
disown
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
shim_pid=$(ctl ping)

kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
sleep 1
base_rss=$(kib "$shim_pid" Rss); base_pss=$(kib "$shim_pid" Pss)
for i in $(seq "$n"); do
	id="shimbench-$$-$i"
	b=$(bundle "$id")
	ctl create "$id" "$b" "$b/log.json" >/dev/null
	ctl start "$id"
done
# Let the GC and the scavenger settle before reading.
sleep 3
rss=$(kib "$shim_pid" Rss); pss=$(kib "$shim_pid" Pss)
running=$(ctl list | awk '$2 == "running"' | wc -l)
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
