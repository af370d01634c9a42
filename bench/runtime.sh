#!/usr/bin/env bash
# bench/runtime.sh — berth-runc against runc (and crun) side by side:
# N sequential `run` of a busybox bundle running /bin/true, medians and the
# ratio; then the peak RSS of `create`. Needs root, busybox-static,
# hyperfine, runc (crun optional).
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
sed -i -e 's/"ociVersion": "[^"]*"/"ociVersion": "1.0.2"/' -e 's/"terminal": true/"terminal": false/' \
	-e 's/^\([[:space:]]*\)"sh"$/\1"\/bin\/true"/' "$work/bundle/config.json"
grep -q '"/bin/true"' "$work/bundle/config.json" || { echo "runtime.sh: could not patch config.json" >&2; exit 1; }

# median_ms CSV ROW: hyperfine's median (seconds) of row ROW, in ms.
median_ms() { awk -F, -v row="$2" 'NR == row + 1 { printf "%.2f", $4 * 1000 }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cmds=("$BR --root $work/state run --bundle $work/bundle b" "runc --root $work/state run --bundle $work/bundle r")
# The machine is shared and its load drifts: ROUNDS interleaved rounds of
# N/ROUNDS runs each, and the median of the rounds' medians, so that both
# runtimes see the same load.
ROUNDS=${ROUNDS:-5}
per=$(((N + ROUNDS - 1) / ROUNDS))
echo "== $N sequential runs of /bin/true in $ROUNDS interleaved rounds (hyperfine, medians)"
bs=() rs=()
for r in $(seq "$ROUNDS"); do
	hyperfine -N --style basic --warmup 3 --runs "$per" --export-csv "$work/times.csv" "${cmds[@]}" >/dev/null
	bs+=("$(median_ms "$work/times.csv" 1)")
	rs+=("$(median_ms "$work/times.csv" 2)")
	echo "round $r: berth-runc ${bs[-1]} ms, runc ${rs[-1]} ms, ratio $(ratio "${bs[-1]}" "${rs[-1]}")"
done
# median LIST…: the median of numbers.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
berth=$(median "${bs[@]}")
runc=$(median "${rs[@]}")
printf '%-12s %8s ms\n' berth-runc "$berth" runc "$runc"
crun=""
if command -v crun >/dev/null 2>&1; then
	# On a hybrid host crun insists on the (nearly empty) cgroup2 mount:
	# hide it in a private mount namespace for crun's runs only.
	if unshare -m --propagation private sh -c "umount -l /sys/fs/cgroup/unified 2>/dev/null; \
		hyperfine -N --style basic --warmup 5 --runs $N --export-csv $work/crun.csv \
		'crun --root $work/state run --bundle $work/bundle c'" >/dev/null 2>&1; then
		crun=$(median_ms "$work/crun.csv" 1)
		printf '%-12s %8s ms\n' crun "$crun"
	else
		echo "crun: does not run on this host"
	fi
fi
echo "ratio berth-runc/runc: $(ratio "$berth" "$runc")  (goal <= 0.7)"
if [ -n "$crun" ]; then echo "ratio berth-runc/crun: $(ratio "$berth" "$crun")"; fi

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
echo "ratio berth-runc/runc RSS: $(ratio "$b_rss" "$r_rss")"
