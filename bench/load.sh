#!/usr/bin/env bash
# bench/load.sh — time `berth load` of a ~200 MB, 5-layer docker-archive into
# an empty store, beside `podman load` (scratch --root/--runroot, so the host's
# podman store is untouched) and `docker load` when a docker daemon answers.
# Prints each engine's mean and berth's ratio to the fastest peer.
#
#   BERTH_BINDIR  directory holding the berth binary (default: build one)
#   RUNS          timed runs per engine (default 5)
#   LAYER_MB      size of each layer's random payload (default 40)
#
# Needs root (podman's scratch store, berth's daemon), hyperfine and podman.
#
# Peers unpack layers during load; berth keeps them as blobs until a
# container needs them. Once `berth run` works, time `load` followed by the
# first `run --rm bench/load:1 true` for every engine, so that lazy
# unpacking is not a free win (issue 2).
set -euo pipefail

RUNS=${RUNS:-5}
LAYER_MB=${LAYER_MB:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/berth-bench-load.XXXXXX)
daemon_pid=""

cleanup() {
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
	if [ -d "$work/podman" ]; then
		podman --root "$work/podman" --runroot "$prun" rmi -af >/dev/null 2>&1 || true
		podman --root "$work/podman" --runroot "$prun" system reset -f >/dev/null 2>&1 || true
	fi
	rm -rf "$work" "${prun:-}"
}
trap cleanup EXIT

for tool in hyperfine busybox tar sha256sum; do
	command -v "$tool" >/dev/null || { echo "bench/load.sh: $tool is missing (make deps installs it)" >&2; exit 1; }
done

if [ -z "${BERTH_BINDIR:-}" ]; then
	BERTH_BINDIR="$work/bin"
	(cd "$here" && go build -o "$BERTH_BINDIR/" ./cmd/berth)
fi
berth="$BERTH_BINDIR/berth"

# --- the archive: layer 1 = busybox rootfs + random data, layers 2..5 = random data
echo "== building a 5-layer docker-archive ($((LAYER_MB * 5)) MB of random data)"
arch="$work/archive"
mkdir -p "$arch"
diffids=()
layers=()
for n in 1 2 3 4 5; do
	tree="$work/tree$n"
	mkdir -p "$tree/data"
	if [ "$n" = 1 ]; then
		mkdir -p "$tree/bin" "$tree/tmp" "$tree/etc"
		cp "$(command -v busybox)" "$tree/bin/busybox"
		for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$tree/bin/$a"; done
	fi
	head -c "$((LAYER_MB << 20))" /dev/urandom >"$tree/data/layer$n.bin"
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tree" -cf "$work/layer$n.tar" .
	sum=$(sha256sum "$work/layer$n.tar" | cut -d' ' -f1)
	mkdir -p "$arch/$sum"
	mv "$work/layer$n.tar" "$arch/$sum/layer.tar"
	rm -rf "$tree"
	diffids+=("\"sha256:$sum\"")
	layers+=("\"$sum/layer.tar\"")
done
join() { local IFS=,; echo "$*"; }
config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\",\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$(join "${diffids[@]}")]}}"
cfgsum=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
printf '%s' "$config" >"$arch/$cfgsum.json"
printf '[{"Config":"%s.json","RepoTags":["bench/load:1"],"Layers":[%s]}]' "$cfgsum" "$(join "${layers[@]}")" >"$arch/manifest.json"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$arch" -cf "$work/image.tar" .
rm -rf "$arch"
echo "   $(du -m "$work/image.tar" | cut -f1) MB, image ID sha256:$cfgsum"

# Page the archive in once so that no engine pays for the first disk read.
cat "$work/image.tar" >/dev/null

cmds=()
names=()

# --- berth: a daemon on a scratch root; each run starts from an empty store
sock="$work/berth.sock"
"$berth" daemon --root "$work/berth-root" --exec-root "$work/berth-run" -H "unix://$sock" --log-level warn >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do "$berth" -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
"$berth" -H "unix://$sock" version >/dev/null || { echo "berth daemon did not start:" >&2; cat "$work/daemon.log" >&2; exit 1; }
names+=(berth)
cmds+=("--prepare" "$berth -H unix://$sock rmi -f bench/load:1 >/dev/null 2>&1 || true" "$berth -H unix://$sock load -q -i $work/image.tar")

# --- podman: scratch store (podman wants a short runroot)
if command -v podman >/dev/null; then
	prun=$(mktemp -d /tmp/bpr.XXXX)
	pod="podman --root $work/podman --runroot $prun --events-backend none"
	names+=(podman)
	cmds+=("--prepare" "$pod rmi -af >/dev/null 2>&1 || true" "$pod load -q -i $work/image.tar")
fi

# --- docker: only when a daemon answers
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
	names+=(docker)
	cmds+=("--prepare" "docker rmi -f bench/load:1 >/dev/null 2>&1 || true" "docker load -q -i $work/image.tar")
fi

echo "== hyperfine: ${names[*]} ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --export-csv "$work/results.csv" "${cmds[@]}" >"$work/hyperfine.out" 2>&1 || { cat "$work/hyperfine.out"; exit 1; }
grep -E 'Time \(mean|Benchmark' "$work/hyperfine.out" || true

# results.csv: command,mean,stddev,median,user,system,min,max — one row per engine, in order.
awk -F, -v names="${names[*]}" '
	NR == 1 { split(names, n, " "); next }
	{ i = NR - 1; mean[n[i]] = $2; printf "%-8s mean %.3f s (min %.3f, max %.3f)\n", n[i], $2, $7, $8 }
	END {
		best = ""; for (k in mean) if (k != "berth" && (best == "" || mean[k] < mean[best])) best = k
		if (best == "") { print "no peer measured"; exit }
		printf "berth / %s = %.2f (goal: at most 0.60)\n", best, mean["berth"] / mean[best]
	}' "$work/results.csv"
