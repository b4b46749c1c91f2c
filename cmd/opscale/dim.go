package main

import (
	"fmt"
	"io"

	"opscale/internal/npy"
	"opscale/intrinsic"
)

func init() {
	commands["dim"] = command{run: runDim, summary: "estimate the intrinsic dimension of the rows of a .npy matrix"}
}

func runDim(args []string, stdout io.Writer) error {
	fs := newFlagSet("dim", commandStderr)
	rows := fs.Int("rows", 2000, "use the first `rows` rows (the neighbour search costs rows²·columns); 0 uses all")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: opscale dim [-rows n] FILE.npy")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one FILE.npy argument after the flags, got %d", fs.NArg())
	}
	if *rows < 0 {
		return fmt.Errorf("flag -rows = %d: it must be ≥ 0 (0 uses all rows)", *rows)
	}
	path := fs.Arg(0)
	x, n, d, err := npy.Read(path)
	if err != nil {
		return err
	}
	used := n
	if *rows > 0 && *rows < n {
		used = *rows
	}
	est, err := intrinsic.Measure(x[:used*d], used, d)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "%s: %d×%d matrix, %d rows used\n", path, n, d, used)
	fmt.Fprintf(stdout, "PCA components for 99%% energy:   %d\n", est.PCA99)
	fmt.Fprintf(stdout, "PCA components for 99.9%% energy: %d\n", est.PCA999)
	fmt.Fprintf(stdout, "TwoNN:                           %.2f\n", est.TwoNN)
	fmt.Fprintf(stdout, "Levina–Bickel MLE (k=%d):        %.2f\n", intrinsic.MLENeighbours, est.MLE)
	for _, w := range est.Warnings {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	if est.Duplicates > 0 {
		fmt.Fprintf(stdout, "(%d duplicate rows left out of the neighbour estimates)\n", est.Duplicates)
	}
	return nil
}
