package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opscale/harness"
)

func runLine(t *testing.T, sqL2 float64) string {
	r := harness.Run{Experiment: "e", ConfigHash: "h", Size: 8, Seed: 1}
	r.Metrics.MeanSqL2 = sqL2
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func folderWith(t *testing.T, lines ...string) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "runs.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	return dir
}

func TestMergeCommand(t *testing.T) {
	a, b, c := folderWith(t, runLine(t, 0.25)), folderWith(t, runLine(t, 0.25)), folderWith(t, runLine(t, 0.26))
	out := filepath.Join(t.TempDir(), "m")
	var stdout bytes.Buffer
	if err := runMerge([]string{"-o", out, a, b}, &stdout); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "1 identical duplicates collapsed, 1 runs") {
		t.Errorf("output: %s", stdout.String())
	}
	err := runMerge([]string{"-o", filepath.Join(t.TempDir(), "m"), a, c}, &stdout)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(a, "runs.jsonl")+":1") || !strings.Contains(err.Error(), filepath.Join(c, "runs.jsonl")+":1") {
		t.Errorf("conflicting duplicate: %v", err)
	}
	for _, args := range [][]string{{a}, {"-o", out}, {"-o", out, filepath.Join(a, "nothing")}} {
		if err := runMerge(args, &stdout); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
