#!/usr/bin/env bash
# bench/build.sh — `berth build` beside `podman build` on one sample project
# (a multi-stage Dockerfile with a 10 MB COPY and a few RUN steps), in
# three cases: cold (--no-cache), fully cached rebuild, and rebuild after
# changing one source file. Podman runs on a scratch --root/--runroot with
# --cgroup-manager cgroupfs, runc and --network none (berth's RUN steps have
# no network by default either). Prints each engine's mean and berth's
# ratio to podman.
#
#   BERTH_BINDIR  directory holding the berth binary (default: build one)
#   RUNS          timed runs per case (default 10)
#
# Needs root, hyperfine, podman, runc and busybox (busybox-static).
set -euo pipefail

RUNS=${RUNS:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/berth-bench-build.XXXXXX)
daemon_pid=""
proot="$work/podman/root"
prun=$(mktemp -d /run/berth-bench-podman.XXXXXX)

cleanup() {
	if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
	podman --root "$proot" --runroot "$prun" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
	grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$work" "$prun"
}
trap cleanup EXIT

for tool in hyperfine podman runc busybox tar; do
	command -v "$tool" >/dev/null || { echo "bench/build.sh: $tool is missing" >&2; exit 1; }
done
if [ -z "${BERTH_BINDIR:-}" ]; then
	BERTH_BINDIR="$work/bin"
	(cd "$here" && go build -o "$BERTH_BINDIR/" ./cmd/...)
fi
berth="$BERTH_BINDIR/berth"
export PATH="$BERTH_BINDIR:$PATH"
podman=(podman --root "$proot" --runroot "$prun" --cgroup-manager cgroupfs --events-backend file --storage-driver overlay --runtime runc)

# --- base image: a busybox rootfs, imported into both engines
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$work/busybox.tar" .

sock="$work/berth.sock"
echo '{}' >"$work/daemon.json"
"$berth" daemon -H "unix://$sock" --root "$work/berth-root" --exec-root "$work/berth-run" \
	--config-file "$work/daemon.json" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
export BERTH_HOST="unix://$sock"
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
"$berth" import -c 'CMD ["sh"]' "$work/busybox.tar" bench/busybox:latest >/dev/null
"${podman[@]}" import -q "$work/busybox.tar" localhost/bench/busybox:latest >/dev/null

# --- the project
ctx="$work/project"
mkdir -p "$ctx/src"
head -c $((10 << 20)) /dev/urandom >"$ctx/big.bin"
for n in 1 2 3 4 5; do echo "source $n" >"$ctx/src/file$n.txt"; done
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM bench/busybox AS build
COPY big.bin /data/big.bin
RUN sha256sum /data/big.bin > /data/sum
RUN mkdir -p /out && echo built > /out/stamp
COPY src/ /src/
RUN cat /src/*.txt > /out/all.txt
FROM bench/busybox
COPY --from=build /data/sum /sum
COPY --from=build /out/ /out/
RUN echo done > /done
CMD ["cat", "/out/all.txt"]
DOCKERFILE
# podman resolves the short name in its own store under localhost/.
sed 's|FROM bench/busybox|FROM localhost/bench/busybox|' "$ctx/Dockerfile" >"$work/Dockerfile.podman"

# Both without a network for RUN steps (berth, as Docker, defaults to the
# bridge: about 25 ms more per RUN step for the veth and addresses).
b_build="$berth build -q --network none -t bench/app $ctx"
p_build="${podman[*]} build -q --network none -t bench/app -f $work/Dockerfile.podman $ctx"
touch_src="date +%s%N > $ctx/src/file3.txt"

$b_build >/dev/null && $p_build >/dev/null

bench() { # name, prepare, berth command, podman command
	hyperfine -N --show-output --runs "$RUNS" --warmup 1 --prepare "$2" \
		--export-json "$work/$1.json" -n berth "$3" -n podman "$4" >"$work/$1.txt" 2>&1 ||
		{ cat "$work/$1.txt"; exit 1; }
	python3 - "$work/$1.json" "$1" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"{sys.argv[2]:<14} berth {r['berth']*1000:8.1f} ms   podman {r['podman']*1000:8.1f} ms   ratio {r['berth']/r['podman']:.2f}")
PY
}

echo "== berth build vs podman build ($RUNS runs each; ratio = berth / podman)"
bench cold "true" "$b_build --no-cache" "$p_build --no-cache"
bench cached "true" "$b_build" "$p_build"
bench one-change "bash -c '$touch_src'" "$b_build" "$p_build"
