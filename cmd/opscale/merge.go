package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"opscale/harness"
)

func init() {
	commands["merge"] = command{run: runMerge, summary: "merge the runs of several results folders (shards, machines) into one"}
}

func runMerge(args []string, stdout io.Writer) error {
	fs := newFlagSet("merge", os.Stderr)
	out := fs.String("o", "", "results folder to merge into; runs.jsonl there is kept and added to (required)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: opscale merge -o DIR SRC...\n\nSRC is a results folder (holding runs.jsonl) or a runs file.")
		fs.PrintDefaults()
	}
	// Sources are positional, so parseFlags, which refuses them, is not used.
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("flag -o is required: the results folder to merge into")
	}
	if fs.NArg() == 0 {
		return errors.New("no sources: give the results folders or runs files to merge after the flags")
	}
	res, err := harness.Merge(*out, fs.Args(), os.Stderr)
	if err != nil {
		return err
	}
	for _, r := range res.Rejected {
		fmt.Fprintf(stdout, "set aside: %s (in %s.rejected)\n", r, res.Path)
	}
	for _, f := range res.Flags {
		fmt.Fprintf(stdout, "flagged: %s\n", f)
	}
	fmt.Fprintf(stdout, "merged %d sources into %s: %d records read, %d identical duplicates collapsed, %d runs\n",
		res.Sources, res.Path, res.Read, res.Collapsed, res.Written)
	return nil
}
