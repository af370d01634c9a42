#!/usr/bin/env bash
# bench/push.sh — time a cold push (the registry has none of the blobs) of a
# ~200 MB, 5-layer image to a loopback registry: berth beside `podman push`
# (scratch store) and `docker push` when a docker daemon answers, with
# `skopeo copy` from a local dir printed as the network floor. Before each
# run the registry's storage is wiped.
# See bench/registry-common.bash for the knobs (RUNS, LAYER_MB, BERTH_BINDIR).
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/registry-common.bash
source "$here/registry-common.bash"

$B pull -q "$image" >/dev/null
skopeo copy -q --src-tls-verify=false "docker://$image" "dir:$work/skopeo-dir"
wipe="rm -rf $regdata/docker/registry/v2/repositories $regdata/docker/registry/v2/blobs"
target="$reg/bench/pushed:1"
$B tag "$image" "$target"
names=(berth skopeo)
cmds=("--prepare" "$wipe" "$B push -q $target"
	"--prepare" "$wipe" "skopeo copy -q --dest-tls-verify=false dir:$work/skopeo-dir docker://$target")
if [ -n "${pod:-}" ]; then
	$pod pull -q --tls-verify=false "$image" >/dev/null
	names+=(podman)
	cmds+=("--prepare" "$wipe" "$pod push -q --tls-verify=false $image docker://$target")
fi
if command -v docker >/dev/null && DOCKER_HOST= docker info >/dev/null 2>&1; then
	docker pull -q "$image" >/dev/null && docker tag "$image" "$target"
	names+=(docker)
	cmds+=("--prepare" "$wipe" "docker push -q $target")
fi
echo "== hyperfine: ${names[*]} ($RUNS runs each)"
hyperfine --style basic --runs "$RUNS" --export-csv "$work/push.csv" "${cmds[@]}" >"$work/hyperfine.out" 2>&1 || { cat "$work/hyperfine.out"; exit 1; }
report "$work/push.csv" skopeo 0.55 "${names[@]}"
