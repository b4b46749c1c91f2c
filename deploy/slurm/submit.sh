#!/bin/bash
# Submits an opscale sweep to Slurm as an array of SHARDS tasks, each one
# shard of the suite, and a merge-and-report job that runs once they all
# succeed. Prints the two job ids; the report lands in RESULTS/merged.
#
#   deploy/slurm/submit.sh SUITE RESULTS SHARDS [sbatch options...]
#
# RESULTS must be a folder every node sees. Extra options (a partition, a
# time limit, more CPUs per task) go to both sbatch calls. A task that fails
# can be resubmitted alone: its sweep resumes where it stopped.
set -euo pipefail

if (($# < 3)); then
	echo "usage: $0 SUITE RESULTS SHARDS [sbatch options...]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
suite=$(realpath "$1")
results=$(realpath -m "$2")
shards=$3
shift 3
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
	echo "$0: SHARDS = '$shards': want a whole number ≥ 1" >&2
	exit 2
fi
opscale=${OPSCALE:-$(command -v opscale || true)}
if [[ -z "$opscale" || ! -x "$opscale" ]]; then
	echo "$0: no opscale binary: build it (make build) and set OPSCALE=\$PWD/bin/opscale" >&2
	exit 2
fi
opscale=$(realpath "$opscale")
mkdir -p "$results"
env=ALL,OPSCALE=$opscale,SUITE=$suite,RESULTS=$results,SHARDS=$shards

array=$(sbatch --parsable --chdir="$results" --export="$env" --array="0-$((shards - 1))" "$@" "$here/sweep.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --chdir="$results" --export="$env" --dependency="afterok:$array" --kill-on-invalid-dep=yes "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "sweep array: job $array ($shards tasks); merge and report: job $merge"
echo "report: $results/merged/REPORT.md once job $merge completes"
