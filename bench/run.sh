#!/usr/bin/env bash
# bench/run.sh — end-to-end `run --rm busybox true`: berth (CLI → daemon →
# shim → runtime) beside `podman run --rm` (scratch --root/--runroot, so the
# host's podman store is untouched) and `docker run --rm` when a docker
# daemon answers; both with no network. Prints each engine's mean and
# berth's ratio to the fastest peer (issue 4's goal: at most 0.5); then the
# total time of SEQ sequential and PAR parallel runs per engine, and ratios.
#
#   BERTH_BINDIR  directory holding the berth binary (default: build one)
#   RUNS          timed runs per engine (default 20)
#   SEQ, PAR      sequential and parallel runs (default 50 and 20)
#
# Needs root, hyperfine, busybox-static and podman.
set -euo pipefail

RUNS=${RUNS:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/berth-bench-run.XXXXXX)
daemon_pid=""
prun=""

cleanup() {
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
	# Container monitors outlive the daemon by design; the benchmark's go with it.
	for pid in $(pgrep -f -- "--state-dir $work/berth-run/shim" || true); do kill "$pid" 2>/dev/null || true; done
	if [ -n "$prun" ]; then
		podman --root "$work/podman" --runroot "$prun" --runtime runc system reset -f >/dev/null 2>&1 || true
		rm -rf "$prun"
	fi
	# A daemon killed mid-run may leave overlay mounts under its root.
	grep -o " $work/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root" >&2; exit 1; }
for tool in hyperfine busybox tar; do
	command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is missing (make deps installs it)" >&2; exit 1; }
done

if [ -z "${BERTH_BINDIR:-}" ]; then
	BERTH_BINDIR="$work/bin"
	(cd "$here" && go build -o "$BERTH_BINDIR/" ./cmd/...)
fi
berth="$BERTH_BINDIR/berth"

# --- a busybox root filesystem, imported as busybox:latest by every engine
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$work/rootfs.tar" .

cmds=()
names=()

# --- berth: a daemon on a scratch root
sock="$work/berth.sock"
echo '{}' >"$work/daemon.json"
"$berth" daemon --root "$work/berth-root" --exec-root "$work/berth-run" -H "unix://$sock" \
	--config-file "$work/daemon.json" --log-level warn >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do "$berth" -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
B="$berth -H unix://$sock"
$B version >/dev/null || { echo "berth daemon did not start:" >&2; cat "$work/daemon.log" >&2; exit 1; }
$B import "$work/rootfs.tar" busybox:latest >/dev/null
$B run --rm --network none busybox true || { echo "berth run does not work yet:" >&2; tail -20 "$work/daemon.log" >&2; exit 1; }
names+=(berth)
cmds+=("$B run --rm --network none busybox true")

# --- podman: scratch store (podman wants a short runroot)
if command -v podman >/dev/null; then
	prun=$(mktemp -d /tmp/bpr.XXXX)
	# runc: crun refuses hybrid cgroup hosts ("drop all controllers from cgroupv2").
	pod="podman --root $work/podman --runroot $prun --events-backend none --cgroup-manager cgroupfs --runtime runc"
	$pod import -q "$work/rootfs.tar" busybox:latest >/dev/null
	popts="--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
	if $pod run --rm $popts busybox true >/dev/null 2>&1; then
		names+=(podman)
		cmds+=("$pod run --rm $popts busybox true")
	else
		echo "podman: does not run containers on this host; left out"
	fi
fi

# --- docker: only when a daemon answers
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	docker import -q "$work/rootfs.tar" berth-bench/busybox:latest >/dev/null
	names+=(docker)
	cmds+=("docker run --rm --network none berth-bench/busybox true")
fi

echo "== hyperfine: run --rm busybox true — ${names[*]} ($RUNS runs each)"
hyperfine -N --style basic --warmup 3 --runs "$RUNS" --export-csv "$work/results.csv" "${cmds[@]}" >"$work/hyperfine.out" 2>&1 ||
	{ cat "$work/hyperfine.out"; exit 1; }

# results.csv: command,mean,stddev,median,user,system,min,max — one row per engine, in order.
awk -F, -v names="${names[*]}" '
	NR == 1 { split(names, n, " "); next }
	{ i = NR - 1; mean[n[i]] = $2; printf "%-8s mean %.3f s (median %.3f, min %.3f, max %.3f)\n", n[i], $2, $4, $7, $8 }
	END {
		best = ""; for (k in mean) if (k != "berth" && (best == "" || mean[k] < mean[best])) best = k
		if (best == "") { print "no peer measured"; exit }
		printf "berth / %s = %.2f (goal: at most 0.50)\n", best, mean["berth"] / mean[best]
	}' "$work/results.csv"

# --- many containers: N sequential and P parallel `run --rm true`, total wall time
SEQ=${SEQ:-50}
PAR=${PAR:-20}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
echo "== $SEQ sequential and $PAR parallel run --rm busybox true (total seconds)"
declare -A seqt part
for i in "${!names[@]}"; do
	n=${names[$i]} c=${cmds[$i]}
	t0=$(now)
	for _ in $(seq "$SEQ"); do $c >/dev/null 2>&1 || { echo "$n: a run failed" >&2; exit 1; }; done
	seqt[$n]=$(elapsed "$t0")
	t0=$(now)
	seq "$PAR" | xargs -P "$PAR" -I{} sh -c "$c >/dev/null 2>&1" || { echo "$n: a parallel run failed" >&2; exit 1; }
	part[$n]=$(elapsed "$t0")
	printf '%-8s %s sequential %6.2f s   %s parallel %6.2f s\n' "$n" "$SEQ" "${seqt[$n]}" "$PAR" "${part[$n]}"
done
for n in "${names[@]}"; do
	[ "$n" = berth ] && continue
	awk -v n="$n" -v bs="${seqt[berth]}" -v ps="${seqt[$n]}" -v bp="${part[berth]}" -v pp="${part[$n]}" \
		'BEGIN { printf "berth / %s: sequential %.2f, parallel %.2f (goal: at most 0.50)\n", n, bs / ps, bp / pp }'
done
