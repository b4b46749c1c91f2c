package main

import (
	"fmt"
	"io"
	"os"

	"opscale/problems"
)

func init() {
	commands["dim"] = command{run: runDim, summary: "estimate the intrinsic dimension of the rows of a .npy matrix"}
}

func runDim(args []string, stdout io.Writer) error {
	fs := newFlagSet("dim", os.Stderr)
	rows := fs.Int("n", 2000, "use the first n rows (the neighbour search costs n²·D); 0 uses all")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: opscale dim [-n rows] FILE.npy")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one FILE.npy argument after the flags, got %d", fs.NArg())
	}
	if *rows < 0 {
		return fmt.Errorf("-n = %d: it must be ≥ 0", *rows)
	}
	path := fs.Arg(0)
	x, n, d, err := problems.ReadNPY(path)
	if err != nil {
		return err
	}
	used := n
	if *rows > 0 && *rows < n {
		used = *rows
	}
	est, err := problems.EstimateDim(x[:used*d], used, d)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "%s: %d×%d matrix, %d rows used\n", path, n, d, used)
	fmt.Fprintf(stdout, "PCA components for 99%% energy:   %d\n", est.PCA99)
	fmt.Fprintf(stdout, "PCA components for 99.9%% energy: %d\n", est.PCA999)
	fmt.Fprintf(stdout, "TwoNN:                           %.2f\n", est.TwoNN)
	fmt.Fprintf(stdout, "Levina–Bickel MLE (k=%d):        %.2f\n", problems.MLENeighbours, est.MLE)
	for _, w := range est.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	if est.Duplicates > 0 {
		fmt.Fprintf(stdout, "(%d duplicate rows left out of the neighbour estimates)\n", est.Duplicates)
	}
	return nil
}
