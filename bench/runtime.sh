#!/usr/bin/env bash
# bench/runtime.sh — berth-runc against runc (and crun) side by side:
# N sequential `run` of a busybox bundle running /bin/true, medians and the
# ratio; then the peak RSS of `create`. Needs root, busybox-static,
# hyperfine, jq, runc (crun optional).
set -euo pipefail

BINDIR=${BERTH_BINDIR:-$(cd "$(dirname "$0")/.." && pwd)/bin}
BR=$BINDIR/berth-runc
N=${N:-100}
[ "$(id -u)" = 0 ] || { echo "runtime.sh: needs root" >&2; exit 1; }
[ -x "$BR" ] || { echo "runtime.sh: $BR not built (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-bench-runtime.XXXXXX)
cleanup() {
	for rt in "$BR" runc crun; do
		command -v "$rt" >/dev/null 2>&1 || continue
		"$rt" --root "$work/state" delete --force rss 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# A busybox bundle; ociVersion 1.0.2 so that every runtime accepts it.
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/proc" "$work/bundle/rootfs/sys" "$work/bundle/rootfs/dev"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$work/bundle/rootfs/bin/$a"; done
"$BR" spec --bundle "$work/bundle"
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"]' \
	"$work/bundle/config.json" > "$work/config.json" && mv "$work/config.json" "$work/bundle/config.json"

median_ms() { jq -r ".results[$1].median * 1000 | . * 100 | round / 100" "$work/times.json"; }

cmds=("$BR --root $work/state run --bundle $work/bundle b" "runc --root $work/state run --bundle $work/bundle r")
names=(berth-runc runc)
echo "== $N sequential runs of /bin/true (hyperfine, medians)"
hyperfine -N --style basic --warmup 5 --runs "$N" --export-json "$work/times.json" "${cmds[@]}" >/dev/null
berth=$(median_ms 0)
runc=$(median_ms 1)
printf '%-12s %8s ms\n' berth-runc "$berth" runc "$runc"
crun=""
if command -v crun >/dev/null 2>&1; then
	# On a hybrid host crun insists on the (nearly empty) cgroup2 mount:
	# hide it in a private mount namespace for crun's runs only.
	if unshare -m --propagation private sh -c "umount -l /sys/fs/cgroup/unified 2>/dev/null; \
		hyperfine -N --style basic --warmup 5 --runs $N --export-json $work/crun.json \
		'crun --root $work/state run --bundle $work/bundle c'" >/dev/null 2>&1; then
		crun=$(jq -r '.results[0].median * 1000 | . * 100 | round / 100' "$work/crun.json")
		printf '%-12s %8s ms\n' crun "$crun"
	else
		echo "crun: does not run on this host"
	fi
fi
echo "ratio berth-runc/runc: $(jq -n "$berth / $runc | . * 100 | round / 100")  (goal <= 0.7)"
[ -n "$crun" ] && echo "ratio berth-runc/crun: $(jq -n "$berth / $crun | . * 100 | round / 100")"

echo "== peak RSS of create (/usr/bin/time -v, KiB)"
rss() {
	local rt=$1
	/usr/bin/time -v "$rt" --root "$work/state" create --bundle "$work/bundle" rss </dev/null >/dev/null 2>"$work/time.txt"
	"$rt" --root "$work/state" delete --force rss >/dev/null 2>&1 || true
	awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt"
}
b_rss=$(rss "$BR")
r_rss=$(rss runc)
printf '%-12s %8s KiB\n' berth-runc "$b_rss" runc "$r_rss"
echo "ratio berth-runc/runc RSS: $(jq -n "$b_rss / $r_rss | . * 100 | round / 100")"
