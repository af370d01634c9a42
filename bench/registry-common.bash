# bench/registry-common.bash — sourced by bench/pull.sh and bench/push.sh: a
# scratch docker-registry on loopback, a berth daemon that trusts it, and a
# ~200 MB image of 5 gzip layers pushed there by skopeo.
#
#   BERTH_BINDIR  directory holding the berth binary (default: build one)
#   RUNS          timed runs per engine (default 5)
#   LAYER_MB      size of each layer's random payload (default 40)
set -euo pipefail

RUNS=${RUNS:-5}
LAYER_MB=${LAYER_MB:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/berth-bench-reg.XXXXXX)
pids=()
prun=""

cleanup() {
	if [ -f "$work/berth.pid" ]; then pids+=("$(cat "$work/berth.pid")"); fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	if [ -d "$work/podman" ]; then
		podman --root "$work/podman" --runroot "$prun" rmi -af >/dev/null 2>&1 || true
		podman --root "$work/podman" --runroot "$prun" system reset -f >/dev/null 2>&1 || true
	fi
	rm -rf "$work" "${prun:-}"
}
trap cleanup EXIT

for tool in hyperfine skopeo docker-registry busybox tar; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is missing (make deps installs it)" >&2; exit 1; }
done
if [ -z "${BERTH_BINDIR:-}" ]; then
	BERTH_BINDIR="$work/bin"
	(cd "$here" && go build -o "$BERTH_BINDIR/" ./cmd/berth)
fi
berth="$BERTH_BINDIR/berth"

# --- the registry
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 15123)
reg="127.0.0.1:$port"
regdata="$work/registry"
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $regdata
  delete:
    enabled: true
http:
  addr: $reg
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

# --- the image: layer 1 = busybox + random data, layers 2..5 = random data,
# as a docker-archive that skopeo pushes (gzipping the layers).
echo "== building a 5-layer image ($((LAYER_MB * 5)) MB of random data) in $reg"
arch="$work/archive"
mkdir -p "$arch"
diffids=() layers=()
for n in 1 2 3 4 5; do
	tree="$work/tree$n"
	mkdir -p "$tree/data"
	if [ "$n" = 1 ]; then
		mkdir -p "$tree/bin" "$tree/tmp"
		cp "$(command -v busybox)" "$tree/bin/busybox"
		ln -sf busybox "$tree/bin/sh"
	fi
	head -c "$((LAYER_MB << 20))" /dev/urandom >"$tree/data/layer$n.bin"
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tree" -cf "$work/layer.tar" .
	sum=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
	mkdir -p "$arch/$sum" && mv "$work/layer.tar" "$arch/$sum/layer.tar" && rm -rf "$tree"
	diffids+=("\"sha256:$sum\"") layers+=("\"$sum/layer.tar\"")
done
join() { local IFS=,; echo "$*"; }
config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$(join "${diffids[@]}")]}}"
cfgsum=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
printf '%s' "$config" >"$arch/$cfgsum.json"
printf '[{"Config":"%s.json","RepoTags":["bench/pull:1"],"Layers":[%s]}]' "$cfgsum" "$(join "${layers[@]}")" >"$arch/manifest.json"
tar -C "$arch" -cf "$work/image.tar" . && rm -rf "$arch"
skopeo copy -q --dest-tls-verify=false "docker-archive:$work/image.tar" "docker://$reg/bench/pull:1"
rm -f "$work/image.tar"
image="$reg/bench/pull:1"

# --- berth: a daemon on a scratch root that trusts the registry
sock="$work/berth.sock"
printf '{"insecure-registries":["%s"]}' "$reg" >"$work/daemon.json"
# fresh-berth.sh (re)starts the daemon on an empty root: a hyperfine
# --prepare step, so that each timed run starts from an empty store.
cat >"$work/fresh-berth.sh" <<SH
#!/usr/bin/env bash
if [ -f "$work/berth.pid" ]; then
	pid=\$(cat "$work/berth.pid")
	kill "\$pid" 2>/dev/null || true
	while kill -0 "\$pid" 2>/dev/null; do sleep 0.05; done
fi
rm -rf "$work/berth-root" "$work/berth-run"
"$berth" daemon --config-file "$work/daemon.json" --root "$work/berth-root" --exec-root "$work/berth-run" -H "unix://$sock" --log-level warn >>"$work/daemon.log" 2>&1 &
echo \$! >"$work/berth.pid"
for _ in \$(seq 100); do "$berth" -H "unix://$sock" version >/dev/null 2>&1 && exit 0; sleep 0.1; done
echo "berth daemon did not start" >&2; exit 1
SH
chmod +x "$work/fresh-berth.sh"
"$work/fresh-berth.sh"
B="$berth -H unix://$sock"
# A config of its own for every client (podman wants the file to exist).
export DOCKER_CONFIG="$work/docker-config"
mkdir -p "$DOCKER_CONFIG" && echo '{}' >"$DOCKER_CONFIG/config.json"

if command -v podman >/dev/null; then
	prun=$(mktemp -d /tmp/bpr.XXXX)
	pod="podman --root $work/podman --runroot $prun --events-backend none"
fi

# report prints each engine's mean and berth's ratio to the fastest peer;
# floor names a reference (skopeo) that is printed but not a peer.
report() {
	local csv=$1 floor=$2 goal=$3; shift 3
	awk -F, -v names="$*" -v floor="$floor" -v goal="$goal" '
		NR == 1 { split(names, n, " "); next }
		{ i = NR - 1; mean[n[i]] = $2; printf "%-8s mean %.3f s (min %.3f, max %.3f)\n", n[i], $2, $7, $8 }
		END {
			best = ""; for (k in mean) if (k != "berth" && k != floor && (best == "" || mean[k] < mean[best])) best = k
			if (floor in mean) printf "berth / %s (network floor, no unpack) = %.2f\n", floor, mean["berth"] / mean[floor]
			if (best == "") { print "no peer measured"; exit }
			printf "berth / %s = %.2f (goal: at most %s)\n", best, mean["berth"] / mean[best], goal
		}' "$csv"
}
