package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"opscale/problems"
)

func init() {
	commands["gen"] = command{run: runGen, summary: "generate a dataset and write X, U, Y, V as NumPy .npy files"}
}

// paramFlags registers one flag per field of problems.Params.
func paramFlags(fs *flag.FlagSet, p *problems.Params) {
	fs.IntVar(&p.Dim, "dim", 0, "dimension d1 of the input functions' domain, 1 or 2 (0: 1)")
	fs.IntVar(&p.BU, "bu", 0, "subspace dimension b_U")
	fs.StringVar(&p.Basis, "basis", "", `subspace basis: "sine" or "kl" (default sine)`)
	fs.StringVar(&p.Kernel, "kernel", "", `Gaussian-field kernel: "se" or "matern" (default se)`)
	fs.Float64Var(&p.Nu, "nu", 0, "Matérn smoothness 0.5, 1.5 or 2.5 (0: 1.5)")
	fs.Float64Var(&p.Length, "length", 0, "Gaussian-field length scale ℓ (required for grf and -basis kl)")
	fs.IntVar(&p.Modes, "modes", 0, "cap on Karhunen–Loève modes (0: those holding 99.99% of the variance)")
	fs.IntVar(&p.Intrinsic, "intrinsic", 0, "dimension d of the manifold family")
	fs.IntVar(&p.Pieces, "pieces", 0, "linear pieces of the rough family (0: 32)")
	fs.Float64Var(&p.Slope, "slope", 0, "Lipschitz constant of the rough family (0: 4)")
	fs.IntVar(&p.Grid, "grid", 0, "solver cells or steps per axis (0: 1024; 64 for poisson2d)")
	fs.Float64Var(&p.Velocity, "velocity", 0, "advection base velocity A > 0 (0: 1)")
	fs.Float64Var(&p.Epsilon, "epsilon", 0, "linear advection velocity modulation ε, |ε| < 1")
	fs.Float64Var(&p.T, "final-time", 0, "advection final time T (0: 0.5)")
	fs.IntVar(&p.Steps, "advection-steps", 0, "RK4 steps of the advection solver (0: 64)")
	fs.Float64Var(&p.Amplitude, "amplitude", 0, "input scale in the coefficient A·exp(amplitude·u) (0: 0.5)")
	fs.Float64Var(&p.Coefficient, "coefficient", 0, "darcy1d permeability scale (0: 1)")
	fs.Float64Var(&p.Gravity, "gravity", 0, "pendulum constant k (0: 1)")
	fs.IntVar(&p.ProbeModes, "probe-modes", 0, "sine coefficients read by the tightness probe (0: -bu, else 4)")
	fs.IntVar(&p.Levels, "levels", 0, "finest level J of the tightness probe (0: 8)")
	fs.Uint64Var(&p.ProbeSeed, "probe-seed", 0, "seed of the tightness probe's directions")
}

func runGen(args []string, stdout io.Writer) error {
	fs := newFlagSet("gen", commandStderr)
	var p problems.Params
	paramFlags(fs, &p)
	problem := fs.String("problem", "", "operator: "+strings.Join(problems.Operators, ", "))
	family := fs.String("family", "", "input family: "+strings.Join(problems.Families, ", "))
	n := fs.Int("n", 1000, "number of functions")
	seed := fs.Uint64("seed", 1, "seed")
	split := fs.String("split", "train", `"train", "validation" or "test" (separate seed streams)`)
	trainPoints := fs.Int("train-points", 0, "observe each training function at this many random points of its own, as a suite's train_points does (0: the grid of -points)")
	sigma := fs.Float64("sigma", 0, "standard deviation of the Gaussian noise on training targets")
	sensors := fs.Int("sensors", 100, "sensors per axis at which inputs are sampled")
	points := fs.Int("points", 100, "output points per axis")
	out := fs.String("out", "", "directory for X.npy, U.npy, Y.npy, V.npy (required)")
	cacheDir := fs.String("cache", "", "dataset cache directory (optional)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !(*sigma >= 0) || math.IsInf(*sigma, 1) {
		return fmt.Errorf("flag -sigma = %g: the noise level must be finite and ≥ 0", *sigma)
	}
	if *out == "" {
		return fmt.Errorf("-out is required: the directory to write the .npy files to")
	}
	if *problem == "" || *family == "" {
		return fmt.Errorf("-problem and -family are required (problems: %v; families: %v)", problems.Operators, problems.Families)
	}
	var sp problems.Split
	switch *split {
	case "train":
		sp = problems.Train
	case "validation":
		sp = problems.Validation
	case "test":
		sp = problems.Test
	default:
		return fmt.Errorf("-split %q: use train, validation or test", *split)
	}
	switch {
	case *trainPoints < 0:
		return fmt.Errorf("flag -train-points = %d: give a positive number of points per function, or 0 for the grid", *trainPoints)
	case *trainPoints > 0 && sp != problems.Train:
		return fmt.Errorf("flag -train-points with -split %s: only training functions are observed at random points; validation and test sets keep the grid", *split)
	case *trainPoints > 0 && *cacheDir != "":
		return fmt.Errorf("flag -train-points with -cache: the cache holds aligned sets only; leave -cache out")
	}
	spec, err := problems.NewSpec(*problem, *family, p, *sensors, *points)
	if err != nil {
		return err
	}
	if *trainPoints > 0 {
		sc, err := problems.GenerateScattered(spec, *n, *trainPoints, *seed, sp, *sigma)
		if err != nil {
			return err
		}
		if err := sc.WriteNPY(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s on %s: n=%d functions, m=%d sensors, K=%d random points each (d1=%d, d2=%d), seed %d, %s, sigma %g\n",
			spec.Operator.Name(), spec.Family.Name(), sc.N, sc.M, sc.K, sc.D1, sc.D2, *seed, *split, *sigma)
		fmt.Fprintf(stdout, "wrote %s/{X,U,Y,V}.npy (Y: n·K×d2, V: n×K)\n", *out)
		return nil
	}
	var ds *problems.Dataset
	if *cacheDir != "" {
		var st problems.CacheStatus
		ds, st, err = problems.Cache{Dir: *cacheDir}.Generate(spec, *n, *seed, sp, *sigma)
		if err == nil {
			fmt.Fprintf(stdout, "cache: %v\n", st)
		}
	} else {
		ds, err = problems.Generate(spec, *n, *seed, sp, *sigma)
	}
	if err != nil {
		return err
	}
	if err := ds.WriteNPY(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %s: n=%d functions, m=%d sensors, P=%d points (d1=%d, d2=%d), seed %d, %s, sigma %g\n",
		spec.Operator.Name(), spec.Family.Name(), ds.N, ds.M, ds.P, ds.D1, ds.D2, *seed, *split, *sigma)
	fmt.Fprintf(stdout, "wrote %s/{X,U,Y,V}.npy\n", *out)
	return nil
}
