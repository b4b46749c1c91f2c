package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"opscale/harness"
)

func init() {
	commands["sweep"] = command{run: runSweep, summary: "run a suite's experiments, appending each finished run to runs.jsonl"}
}

func runSweep(args []string, stdout io.Writer) error {
	fs := newFlagSet("sweep", commandStderr)
	suite := fs.String("suite", repoFile("harness/suites/quick.toml"), "suite file to run (default: the quick suite of the repository this command runs in)")
	results := fs.String("results", "results", "results folder; runs.jsonl in it is read and appended to")
	workers := fs.Int("workers", 0, "runs trained at once (0: one per core)")
	quiet := fs.Bool("q", false, "do not log each finished run")
	shard := fs.String("shard", "", "run one shard of the suite, as i/k (0 ≤ i < k); merge the shards' runs.jsonl files afterwards")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *workers < 0 {
		return fmt.Errorf("flag -workers = %d: must be ≥ 0", *workers)
	}
	opt := harness.SweepOptions{Workers: *workers, Log: stdout}
	if *shard != "" {
		var err error
		if opt.Shard, opt.Shards, err = parseShard(*shard); err != nil {
			return err
		}
	}
	if *quiet {
		opt.Log = nil
	}
	s, err := harness.LoadSuite(*suite)
	if err != nil {
		return err
	}
	// Opening the store checks that the folder is writable, before any
	// training.
	store, err := harness.OpenStoreLog(filepath.Join(*results, "runs.jsonl"), commandStderr)
	if err != nil {
		return err
	}
	defer store.Close()
	return harness.Sweep(s, store, opt)
}

// parseShard reads -shard i/k: two decimal integers and nothing else, with
// 0 ≤ i < k, as Slurm's $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT and a
// Kubernetes Indexed Job's $JOB_COMPLETION_INDEX give them.
func parseShard(v string) (i, k int, err error) {
	bad := func(why string) error {
		return fmt.Errorf("flag -shard = %q: %s; use i/k with 0 ≤ i < k, e.g. 0/2 for the first of two shards", v, why)
	}
	a, b, ok := strings.Cut(v, "/")
	if !ok {
		return 0, 0, bad("no /")
	}
	if i, err = strconv.Atoi(a); err != nil || a != strconv.Itoa(i) {
		return 0, 0, bad(fmt.Sprintf("shard index %q is not a whole number", a))
	}
	if k, err = strconv.Atoi(b); err != nil || b != strconv.Itoa(k) {
		return 0, 0, bad(fmt.Sprintf("shard count %q is not a whole number", b))
	}
	switch {
	case k < 1:
		return 0, 0, bad("the shard count must be at least 1")
	case i < 0 || i >= k:
		return 0, 0, bad(fmt.Sprintf("shard index %d is outside 0…%d", i, k-1))
	}
	return i, k, nil
}
