// Package k8s holds no code: its test checks the wiring of the Kubernetes
// manifests beside it (image, command, completion index to -shard, shared
// volume, shard count), since no cluster is at hand to run them.
package k8s
