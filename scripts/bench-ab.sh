#!/bin/sh
# bench-ab.sh BASE [ROUNDS] [SUITE]: time the working tree against the commit
# BASE on a sample suite (harness/suites/ab.toml by default), the two builds
# sweeping it in turn, ROUNDS times each (5 by default), in the order ABBA
# BAAB... so that neither build always runs first after a pause.
#
# On a shared machine the wall time of one sweep moves by ±20% from minute to
# minute, so one sweep of each build cannot resolve a change of 10%; rounds
# taken side by side can. It prints each sweep's wall time and share of the
# FMA peak (against the median of the peaks measured beside its runs, as
# efficiency.json gives it), the medians, and the median over rounds of the
# ratio of wall times, BASE to working tree: above 1 is faster. It also says
# whether the two builds trained every run to the same metrics and training
# losses, bit for bit.
set -eu

base=${1:?usage: bench-ab.sh BASE [ROUNDS] [SUITE]}
rounds=${2:-5}
suite=${3:-harness/suites/ab.toml}
go=${GO:-go}

case $rounds in
'' | *[!0-9]* | 0)
	echo "bench-ab: ROUNDS must be a positive whole number, got '$rounds'" >&2
	exit 2
	;;
esac
if [ ! -f "$suite" ]; then
	echo "bench-ab: no suite file $suite (give a path from the repository root)" >&2
	exit 2
fi
rev=$(git rev-parse --verify --quiet "$base^{commit}") || {
	echo "bench-ab: BASE '$base' is not a commit of this repository" >&2
	exit 2
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/src"
git archive "$rev" | tar -x -C "$tmp/src"
(cd "$tmp/src" && $go build -ldflags "-X opscale/harness.Commit=$(echo "$rev" | cut -c1-12)" -o "$tmp/A" ./cmd/opscale)
$go build -ldflags "-X opscale/harness.Commit=worktree" -o "$tmp/B" ./cmd/opscale
echo "A = $(echo "$rev" | cut -c1-12) ($base), B = the working tree; suite $suite, $rounds rounds"

# field FILE NAME: a number from efficiency.json.
field() {
	sed -n "s/^ *\"$2\": *\([0-9.eE+-]*\),*$/\1/p" "$1"
}

# median: the median of the numbers on standard input, one a line.
median() {
	sort -g | awk '{v[NR] = $1} END {if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

: >"$tmp/A.txt"
: >"$tmp/B.txt"
r=1
while [ "$r" -le "$rounds" ]; do
	order="A B"
	case $(((r - 1) % 4)) in 1 | 2) order="B A" ;; esac
	for b in $order; do
		out="$tmp/$b-$r"
		"$tmp/$b" sweep -q -suite "$suite" -results "$out" >"$out.log" 2>&1 || {
			echo "bench-ab: build $b, round $r failed:" >&2
			cat "$out.log" >&2
			exit 1
		}
		e="$out/efficiency.json"
		share=$(field "$e" share_median_peak)
		[ -n "$share" ] || share=$(field "$e" share)
		wall=$(field "$e" wall_seconds)
		echo "$r $wall $share" >>"$tmp/$b.txt"
		printf 'round %d %s: %6.2f s, %5.1f%% of the FMA peak\n' "$r" "$b" "$wall" "$(echo "$share" | awk '{print 100 * $1}')"
	done
	r=$((r + 1))
done

for b in A B; do
	printf '%s: median %6.2f s, %5.1f%% of the FMA peak\n' "$b" \
		"$(cut -d' ' -f2 "$tmp/$b.txt" | median)" \
		"$(cut -d' ' -f3 "$tmp/$b.txt" | median | awk '{print 100 * $1}')"
done
ratios=$(paste -d' ' "$tmp/A.txt" "$tmp/B.txt" | awk '{printf "%.3f\n", $2 / $5}')
printf 'speed B/A (A wall / B wall), median of rounds: %s (rounds: %s)\n' \
	"$(echo "$ratios" | median)" "$(echo "$ratios" | tr '\n' ' ' | sed 's/ $//')"

# The runs of both builds in round 1, without what may differ between
# builds (wall time, environment, commit).
runs() {
	sed -E 's/"wall_seconds":[^,]*,//; s/"env":\{.*$//' "$1/runs.jsonl" | sort
}
runs "$tmp/A-1" >"$tmp/runs-A"
runs "$tmp/B-1" >"$tmp/runs-B"
if cmp -s "$tmp/runs-A" "$tmp/runs-B"; then
	echo "results: the same in both builds, bit for bit ($(wc -l <"$tmp/runs-B") runs)"
else
	n=$(diff "$tmp/runs-A" "$tmp/runs-B" | grep -c '^<' || true)
	echo "results: $n of $(wc -l <"$tmp/runs-A") runs differ between the builds"
fi
