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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *workers < 0 {
		return fmt.Errorf("flag -workers = %d: must be ≥ 0", *workers)
	}
	s, err := harness.LoadSuite(*suite)
	if err != nil {
		return err
	}
	store, err := harness.OpenStore(filepath.Join(*results, "runs.jsonl"))
	if err != nil {
		return err
	}
	opt := harness.SweepOptions{Workers: *workers, Log: stdout}
	if *quiet {
		opt.Log = nil
	}
	return harness.Sweep(s, store, opt)
}
