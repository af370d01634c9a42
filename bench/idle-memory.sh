#!/usr/bin/env bash
# Idle memory of the berth daemon after start with 10 small images loaded,
# beside dockerd + containerd when they run here (else the figure measured
# on this kind of machine: ~145 MiB RSS together). Goal: under 25 MiB RSS.
# Usage: BERTH_BINDIR=bin bench/idle-memory.sh
set -euo pipefail

bindir=$(cd "${BERTH_BINDIR:-bin}" && pwd)
berth="$bindir/berth"
goal_kib=$((25 * 1024))
reference_kib=$((145 * 1024))

scratch=$(mktemp -d /tmp/berth-bench-mem.XXXXXX)
export BERTH_HOST="unix://$scratch/berth.sock"
daemon_pid=""
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
	fi
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
status_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

echo '{}' > "$scratch/daemon.json"
"$berth" daemon -H "$BERTH_HOST" --root "$scratch/root" --exec-root "$scratch/run" \
	--config-file "$scratch/daemon.json" 2>"$scratch/daemon.log" &
daemon_pid=$!
for _ in $(seq 100); do
	"$berth" version >/dev/null 2>&1 && break
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$scratch/daemon.log" >&2; exit 1; }
	sleep 0.1
done

# Ten small images: a busybox rootfs each with one distinct file, imported
# and then saved and loaded back, so both import and load paths have run.
mkdir -p "$scratch/rootfs/bin"
cp /bin/busybox "$scratch/rootfs/bin/busybox"
for i in $(seq 1 10); do
	echo "image $i" > "$scratch/rootfs/id"
	tar -C "$scratch/rootfs" -cf "$scratch/img.tar" .
	"$berth" import -c 'CMD ["sh"]' "$scratch/img.tar" "bench/img$i:latest" >/dev/null
done
"$berth" save -o "$scratch/all.tar" $(for i in $(seq 1 10); do echo "bench/img$i:latest"; done)
"$berth" rmi $(for i in $(seq 1 10); do echo "bench/img$i:latest"; done) >/dev/null
"$berth" load -q -i "$scratch/all.tar" >/dev/null
count=$("$berth" info --format '{{.Images}}')

# Let the runtime settle (GC, idle scavenger) before reading the figure.
sleep 3
berth_kib=$(rss_kib "$daemon_pid")
anon_kib=$(status_kib "$daemon_pid" RssAnon)
file_kib=$(status_kib "$daemon_pid" RssFile)
pss_kib=$(awk '/^Pss:/ {print $2}' "/proc/$daemon_pid/smaps_rollup")

peer_kib=0; peer_src=""
for p in dockerd containerd; do
	for pid in $(pgrep -x "$p" || true); do
		peer_kib=$((peer_kib + $(rss_kib "$pid"))); peer_src="measured"
	done
done
if [ -z "$peer_src" ]; then peer_kib=$reference_kib; peer_src="reference (not running here)"; fi

awk -v b="$berth_kib" -v p="$peer_kib" -v n="$count" -v src="$peer_src" -v goal="$goal_kib" \
	-v a="$anon_kib" -v f="$file_kib" -v pss="$pss_kib" 'BEGIN {
	printf "%-24s %9.1f MiB RSS  (%d images; anon %.1f, file %.1f, PSS %.1f MiB)\n", "berth daemon", b/1024, n, a/1024, f/1024, pss/1024
	printf "%-24s %9.1f MiB RSS  %s\n", "dockerd + containerd", p/1024, src
	printf "ratio berth/peer: %.2f; goal berth < 25 MiB: %s\n", b/p, (b < goal ? "met" : "NOT met")
}'
