package main

import (
	"fmt"
	"io"

	"opscale/harness"
)

func init() {
	commands["report"] = command{run: runReport, summary: "render tables, plots and the report from runs.jsonl"}
}

func runReport(args []string, stdout io.Writer) error {
	fs := newFlagSet("report", commandStderr)
	results := fs.String("results", "results", "results folder holding runs.jsonl; tables/ and plots/ are written there")
	out := fs.String("out", "REPORT.md", "report file to write")
	suiteFile := fs.String("suite", "", "suite file: report only the runs made under its settings, sizes and seeds (default: every run, each experiment's latest settings)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var suite *harness.Suite
	if *suiteFile != "" {
		var err error
		if suite, err = harness.LoadSuite(*suiteFile); err != nil {
			return err
		}
	}
	if err := harness.WriteReport(harness.ReportOptions{Results: *results, Report: *out, Suite: suite, Log: commandStderr}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}
