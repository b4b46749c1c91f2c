#!/bin/bash
# Integration test of the Slurm recipe (make test-slurm): installs Debian's
# slurm-wlm and munge if missing, starts a one-node cluster on localhost
# (munged, slurmctld, slurmd) with its configuration in a scratch folder,
# submits deploy/slurm/test-suite.toml as a 3-task array with its dependent
# merge-and-report job through submit.sh, waits, and checks that the merged
# runs equal a one-machine sweep bit for bit. It stops the daemons it
# started, and only those, by pid, on success and on failure alike.
#
#   deploy/slurm/test.sh [OPSCALE binary]
#
# Needs root (the daemons run as root, and apt-get installs). No prompts;
# exits non-zero on any failure. OPSCALE_SLURM_KEEP=1 keeps the scratch
# folder for a look at the logs.
set -euo pipefail

start=$(date +%s)
here=$(cd "$(dirname "$0")" && pwd)
opscale=$(realpath "${1:-$here/../../bin/opscale}")
suite=$here/test-suite.toml
shards=3
runs=9 # the suite's 3 sizes × 3 seeds
timeout=${OPSCALE_SLURM_TIMEOUT:-240}

fail() {
	echo "test-slurm: FAIL: $*" >&2
	exit 1
}
[[ -x "$opscale" ]] || fail "no opscale binary at $opscale (make build)"
[[ $(id -u) == 0 ]] || fail "run as root: the test starts munged, slurmctld and slurmd"

# Install what is missing.
missing=0
for c in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel; do
	command -v "$c" >/dev/null || missing=1
done
if ((missing)); then
	echo "test-slurm: installing slurm-wlm and munge"
	export DEBIAN_FRONTEND=noninteractive
	# A passing mirror hiccup should not fail the test: try three times.
	for try in 1 2 3; do
		if apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; then
			break
		fi
		((try < 3)) || fail "apt-get could not install slurm-wlm and munge"
		sleep $((10 * try))
	done
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/opscale-slurm.XXXXXX")
pids=()
jobs_submitted=()
cleanup() {
	status=$?
	set +e
	if ((status != 0 && ${#jobs_submitted[@]})); then
		scancel "${jobs_submitted[@]}" 2>/dev/null
		for _ in $(seq 20); do
			[[ -z $(squeue -h -j "$(
				IFS=,
				echo "${jobs_submitted[*]}"
			)" 2>/dev/null) ]] && break
			sleep 0.5
		done
	fi
	# Daemons last started, first stopped; each by the pid we hold.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if ((status != 0)); then
		for log in "$scratch"/*.log "$scratch"/results/*.out; do
			[[ -f "$log" ]] && { echo "--- $log (last lines)"; tail -n 20 "$log"; } >&2
		done
	fi
	if [[ "${OPSCALE_SLURM_KEEP:-}" == 1 ]]; then
		echo "test-slurm: scratch folder kept: $scratch" >&2
	else
		rm -rf "$scratch"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ports of our own, so as not to meet a cluster already on this machine.
port=$((20000 + RANDOM % 20000))
host=$(hostname -s)
mkdir -p "$scratch/state" "$scratch/spool" "$scratch/results"
chmod 700 "$scratch"

# munge: a key and a socket of our own.
mungekey -c -k "$scratch/munge.key"
chmod 400 "$scratch/munge.key"
munged -F -f --key-file="$scratch/munge.key" --socket="$scratch/munge.socket" \
	--pid-file="$scratch/munged.pid" --log-file="$scratch/munged.log" \
	--seed-file="$scratch/munged.seed" 2>"$scratch/munged.stderr.log" &
pids+=($!)

cat >"$scratch/slurm.conf" <<EOF
ClusterName=opscaletest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$scratch/munge.socket
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$scratch/slurm.conf

for _ in $(seq 50); do
	[[ -S "$scratch/munge.socket" ]] && break
	sleep 0.1
done
[[ -S "$scratch/munge.socket" ]] || fail "munged did not start"

slurmctld -D -f "$SLURM_CONF" -i 2>"$scratch/slurmctld.stderr.log" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" 2>"$scratch/slurmd.stderr.log" &
pids+=($!)

# Wait for the node to be idle.
for _ in $(seq 100); do
	state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
	[[ "$state" == idle ]] && break
	sleep 0.2
done
[[ "$state" == idle ]] || fail "the node did not come up (state '$state')"

# Submit through the recipe itself.
out=$(OPSCALE=$opscale "$here/submit.sh" "$suite" "$scratch/results" "$shards")
echo "$out"
array=$(sed -n 's/^sweep array: job \([0-9]*\) .*/\1/p' <<<"$out")
merge=$(sed -n 's/.*merge and report: job \([0-9]*\)$/\1/p' <<<"$out")
[[ -n "$array" && -n "$merge" ]] || fail "could not read the job ids from submit.sh"
jobs_submitted=("$array" "$merge")

deadline=$(($(date +%s) + timeout))
while [[ -n $(squeue -h -j "$array,$merge" 2>/dev/null) ]]; do
	(($(date +%s) < deadline)) || fail "jobs still queued or running after ${timeout}s"
	sleep 1
done
for j in "$array" "$merge"; do
	states=$(scontrol -o show job "$j" | grep -o 'JobState=[A-Z_]*' | sort -u)
	[[ "$states" == JobState=COMPLETED ]] || fail "job $j ended as: $states"
done
echo "test-slurm: array and merge jobs completed"

merged=$scratch/results/merged
[[ -s "$merged/REPORT.md" ]] || fail "no report in $merged"
for ((i = 0; i < shards; i++)); do
	n=$(wc -l <"$scratch/results/shard-$i/runs.jsonl")
	((n == runs / shards)) || fail "shard $i recorded $n runs, want $((runs / shards))"
done
n=$(wc -l <"$merged/runs.jsonl")
((n == runs)) || fail "merged runs: $n, want $runs"

# The same suite on one machine, then both merged: merge refuses any run
# whose metrics or training record differ by a bit, and collapses the rest.
"$opscale" sweep -q -suite "$suite" -results "$scratch/one" -workers 1
check=$("$opscale" merge -o "$scratch/check" "$merged" "$scratch/one") ||
	fail "the merged runs differ from a one-machine sweep"
echo "$check"
grep -q "$((2 * runs)) records read, $runs identical duplicates collapsed, $runs runs" <<<"$check" ||
	fail "the merged runs are not the one-machine runs, one for one"

echo "test-slurm: ok: $runs runs from $shards array tasks equal a one-machine sweep bit for bit ($(($(date +%s) - start)) s)"
