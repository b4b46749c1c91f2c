package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"opscale/harness"
)

func init() {
	commands["sweep"] = command{run: runSweep, summary: "run a suite's experiments, appending each finished run to runs.jsonl"}
}

func runSweep(args []string, stdout io.Writer) error {
	fs := newFlagSet("sweep", os.Stderr)
	suite := fs.String("suite", "harness/suites/quick.toml", "suite file to run")
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
		if _, err := fmt.Sscanf(*shard, "%d/%d", &opt.Shard, &opt.Shards); err != nil || opt.Shards < 1 || opt.Shard < 0 || opt.Shard >= opt.Shards {
			return fmt.Errorf("flag -shard = %q: use i/k with 0 ≤ i < k, e.g. 0/2", *shard)
		}
	}
	if *quiet {
		opt.Log = nil
	}
	s, err := harness.LoadSuite(*suite)
	if err != nil {
		return err
	}
	store, err := harness.OpenStore(filepath.Join(*results, "runs.jsonl"))
	if err != nil {
		return err
	}
	return harness.Sweep(s, store, opt)
}
