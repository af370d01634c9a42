#!/usr/bin/env bash
# bench/pull.sh — time a pull of a ~200 MB, 5-layer image from a loopback
# registry into an empty store: berth beside `podman pull` (scratch store)
# and `docker pull` when a docker daemon answers, with `skopeo copy` to a
# local dir (download and verify, no unpack) printed as the network floor.
# See bench/registry-common.bash for the knobs (RUNS, LAYER_MB, BERTH_BINDIR).
#
# berth's pull downloads, verifies (digests, diffIDs, layer headers) and
# stores the compressed blobs; it unpacks when a container first needs the
# image, where podman and docker unpack during the pull.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/registry-common.bash
source "$here/registry-common.bash"

names=(berth skopeo)
cmds=("--prepare" "$work/fresh-berth.sh" "$B pull -q $image"
	"--prepare" "rm -rf $work/skopeo-dir" "skopeo copy -q --src-tls-verify=false docker://$image dir:$work/skopeo-dir")
if [ -n "${pod:-}" ]; then
	names+=(podman)
	cmds+=("--prepare" "$pod rmi -af >/dev/null 2>&1 || true" "$pod pull -q --tls-verify=false $image")
fi
if command -v docker >/dev/null && DOCKER_HOST= docker info >/dev/null 2>&1; then
	names+=(docker)
	cmds+=("--prepare" "docker rmi -f $image >/dev/null 2>&1 || true" "docker pull -q $image")
fi
echo "== hyperfine: ${names[*]} ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --export-csv "$work/pull.csv" "${cmds[@]}" >"$work/hyperfine.out" 2>&1 || { cat "$work/hyperfine.out"; exit 1; }
report "$work/pull.csv" skopeo 0.55 "${names[@]}"

# Ready to run: peers unpack during the pull, berth when a container first
# needs the image, so time the pull followed by a first `run --rm … sh -c :`
# (podman's run needs CAP_SYS_RESOURCE for its rlimits; where it fails,
# only berth is timed).
names=(berth)
cmds=("--prepare" "$work/fresh-berth.sh" "$B pull -q $image && $B run --rm $image sh -c :")
if [ -n "${pod:-}" ] && $pod run --rm -q --tls-verify=false "$image" sh -c : >/dev/null 2>&1; then
	names+=(podman)
	cmds+=("--prepare" "$pod rmi -af >/dev/null 2>&1 || true" "$pod pull -q --tls-verify=false $image >/dev/null && $pod run --rm $image sh -c :")
fi
echo "== pull, then the first run: ${names[*]} ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --export-csv "$work/run.csv" "${cmds[@]}" >"$work/hyperfine.out" 2>&1 || { cat "$work/hyperfine.out"; exit 1; }
report "$work/run.csv" none 0.55 "${names[@]}"
