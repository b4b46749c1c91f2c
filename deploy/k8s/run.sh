#!/bin/bash
# Runs the sweep on the Kubernetes cluster kubectl points at: the shared
# volume, the Indexed Job, then, once every index has completed, the merge
# and report. Copy the report out with
#   kubectl cp <a pod mounting opscale-results>:/results/merged/REPORT.md REPORT.md
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kubectl apply -f "$here/pvc.yaml"
kubectl apply -f "$here/sweep-job.yaml"
kubectl wait --for=condition=complete --timeout="${TIMEOUT:-24h}" job/opscale-sweep
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete --timeout=1h job/opscale-merge
kubectl logs job/opscale-merge --all-containers
