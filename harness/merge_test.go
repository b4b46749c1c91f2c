package harness

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFolder writes runs as a results folder's runs.jsonl.
func writeFolder(t *testing.T, runs ...Run) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, r := range runs {
		b.WriteString(marshalLine(t, r) + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "runs.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMergeCollapsesIdenticalDuplicates(t *testing.T) {
	a := writeFolder(t, fakeRun("e", 1, 1), fakeRun("e", 2, 1))
	b := writeFolder(t, fakeRun("e", 2, 1), fakeRun("e", 3, 1))
	// The same run from another machine: other wall time and environment.
	again := fakeRun("e", 3, 1)
	again.WallSec, again.Env.CPU = 99, "elsewhere"
	c := writeFolder(t, again)
	dst := filepath.Join(t.TempDir(), "merged")
	res, err := Merge(dst, []string{a, b, c, a}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 5 || res.Collapsed != 2 || res.Written != 3 {
		t.Errorf("read %d, collapsed %d, wrote %d; want 5, 2, 3", res.Read, res.Collapsed, res.Written)
	}
	got := countKeys(t, filepath.Join(dst, "runs.jsonl"))
	if len(got) != 3 {
		t.Errorf("merged file holds %d runs, want 3", len(got))
	}
	// Merging into a folder keeps what it holds, and merging it with itself
	// adds nothing.
	d := writeFolder(t, fakeRun("e", 4, 1))
	if res, err = Merge(dst, []string{d, dst}, nil); err != nil {
		t.Fatal(err)
	}
	if res.Written != 4 || res.Collapsed != 0 {
		t.Errorf("second merge wrote %d runs, collapsed %d; want 4, 0", res.Written, res.Collapsed)
	}
}

func TestMergeRefusesConflictingDuplicates(t *testing.T) {
	other := fakeRun("e", 2, 1)
	other.Metrics.MeanSqL2 = math.Nextafter(other.Metrics.MeanSqL2, 10) // one bit
	steps := fakeRun("e", 3, 1)
	steps.Train.BestStep = 7
	a := writeFolder(t, fakeRun("e", 1, 1), fakeRun("e", 2, 1), fakeRun("e", 3, 1))
	b := writeFolder(t, other, steps)
	dst := filepath.Join(t.TempDir(), "merged")
	_, err := Merge(dst, []string{a, b}, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) || len(ce.Conflicts) != 2 {
		t.Fatalf("merge of conflicting runs: %v", err)
	}
	for _, want := range []string{
		filepath.Join(a, "runs.jsonl") + ":2", filepath.Join(b, "runs.jsonl") + ":1",
		filepath.Join(a, "runs.jsonl") + ":3", filepath.Join(b, "runs.jsonl") + ":2",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
	if raw, _ := os.ReadFile(filepath.Join(dst, "runs.jsonl")); len(raw) != 0 {
		t.Errorf("a refused merge wrote %d bytes", len(raw))
	}
}

func TestMergeFlagsOtherCommitsAndSettings(t *testing.T) {
	r1, r2, r3 := fakeRun("e", 1, 1), fakeRun("e", 2, 1), fakeRun("e", 3, 1)
	r1.Env.Commit, r2.Env.Commit, r3.Env.Commit = "c1", "c1", "c0"
	moved := fakeRun("e", 1, 1)
	moved.ConfigHash, moved.Env.Commit = "zzz", "c1"
	a := writeFolder(t, r1, r2)
	b := writeFolder(t, r3, moved)
	res, err := Merge(filepath.Join(t.TempDir(), "m"), []string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 4 {
		t.Errorf("%d runs kept, want all 4", res.Written)
	}
	flags := strings.Join(res.Flags, "\n")
	for _, want := range []string{`commit "c0"`, "other settings (zzz", filepath.Join(b, "runs.jsonl") + ":1", filepath.Join(b, "runs.jsonl") + ":2"} {
		if !strings.Contains(flags, want) {
			t.Errorf("flags lack %q:\n%s", want, flags)
		}
	}
	if len(res.Flags) != 2 {
		t.Errorf("%d flags, want 2:\n%s", len(res.Flags), flags)
	}
}

func TestMergeOfShardsEqualsOneMachine(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
	}
	var shards []string
	for i := range 3 {
		dir := t.TempDir()
		store, _ := OpenStore(filepath.Join(dir, "runs.jsonl"))
		if err := Sweep(s, store, SweepOptions{Shard: i, Shards: 3, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		store.Close()
		shards = append(shards, dir)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	if _, err := Merge(merged, shards, nil); err != nil {
		t.Fatal(err)
	}
	one := t.TempDir()
	sweepInto(t, one, tinySuite)
	// Merging the one-machine runs into the merged shards is refused if
	// any run's metrics or training record differ by a bit.
	res, err := Merge(merged, []string{one}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 12 || res.Collapsed != 6 || res.Written != 6 {
		t.Errorf("read %d, collapsed %d, wrote %d; want 12, 6, 6", res.Read, res.Collapsed, res.Written)
	}
}

func TestReportRunsWarnsAndPicksTheSuite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.jsonl")
	s, _ := LoadSuite(writeSuite(t, tinySuite))
	sweepInto(t, dir, tinySuite)
	changed := strings.Replace(tinySuite, "noise = 0.01", "noise = 0.02", 1)
	sweepInto(t, dir, changed)
	// A shard concatenated twice, as with cat.
	raw, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(raw), "\n")
	os.WriteFile(path, []byte(string(raw)+lines[0]+lines[1]), 0o644)

	var log bytes.Buffer
	runs, err := reportRuns(path, s, &log)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 6 {
		t.Errorf("%d runs picked, want the suite's 6", len(runs))
	}
	for _, r := range runs {
		if r.Noise != 0.01 {
			t.Errorf("picked a run with noise %g, not the suite's 0.01", r.Noise)
		}
	}
	if !strings.Contains(log.String(), "2 runs recorded more than once") || !strings.Contains(log.String(), "6 runs in") {
		t.Errorf("warnings: %s", log.String())
	}
	// Without a suite the duplicates are still used once.
	all, err := reportRuns(path, nil, nil)
	if err != nil || len(all) != 12 {
		t.Errorf("%d runs read without a suite, want 12 (%v)", len(all), err)
	}
	// A whole report from the suite renders.
	if err := WriteReport(ReportOptions{Results: dir, Report: filepath.Join(dir, "R.md"), Suite: s}); err != nil {
		t.Fatal(err)
	}
}
