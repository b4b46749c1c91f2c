package main

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"opscale/bounds"
	"opscale/internal/table"
)

func init() {
	commands["bounds"] = command{run: runBounds, summary: "print the theorem catalog with its exponents for given dimensions"}
}

func runBounds(args []string, stdout io.Writer) error {
	fs := newFlagSet("bounds", commandStderr)
	var d bounds.Dims
	fs.IntVar(&d.D, "d", 2, "input dimension `d` of a plain ReLU regression (intrinsic dimension for the references)")
	fs.IntVar(&d.D1, "d1", 1, "dimension `d1` of the input functions' domain")
	fs.IntVar(&d.D2, "d2", 1, "dimension `d2` of the output functions' domain")
	fs.IntVar(&d.BU, "bu", 2, "dimension `b_U` of the span that holds the input functions")
	fs.Float64Var(&d.S, "s", 1, "Hölder smoothness `s` of the target (minimax reference)")
	fs.IntVar(&d.NX, "nx", 100, "number of sensors `n_x` (prescriptions only)")
	lo := fs.Float64("lo", 1e2, "low end of the fit range for the effective exponent")
	hi := fs.Float64("hi", 1e4, "high end of the fit range for the effective exponent")
	eps := fs.Float64("eps", 0, "if in (0, 1), also print the networks the proofs build for accuracy ε")
	markdown := fs.Bool("markdown", false, "write Markdown tables instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Check every dimension up front so that the error names the flag.
	for _, f := range []struct {
		name string
		v    int
	}{{"-d", d.D}, {"-d1", d.D1}, {"-d2", d.D2}, {"-bu", d.BU}, {"-nx", d.NX}} {
		if f.v <= 0 {
			return fmt.Errorf("flag %s = %d: dimensions must be positive integers", f.name, f.v)
		}
	}
	if !(d.S > 0) || math.IsInf(d.S, 1) {
		return fmt.Errorf("flag -s = %g: the smoothness must be a positive real", d.S)
	}
	if !(*lo > math.E && *hi > *lo) || math.IsInf(*hi, 1) {
		return fmt.Errorf("flags -lo %g -hi %g: need e < lo < hi < ∞", *lo, *hi)
	}
	if *eps != 0 && !(*eps > 0 && *eps < 1) {
		return fmt.Errorf("flag -eps = %g: the accuracy must lie in (0, 1), or 0 for no network table", *eps)
	}
	write := table.Text
	if *markdown {
		write = table.Markdown
	}

	header := []string{"id", "kind", "error", "x", "rate", "α", "power", fmt.Sprintf("α_eff [%g, %g]", *lo, *hi), "falls above"}
	var rows [][]string
	for _, list := range [][]bounds.Theorem{bounds.Catalog(), bounds.References()} {
		for _, t := range list {
			a, err := t.Exponent(d)
			if err != nil {
				return err
			}
			p, err := t.RatePower(d)
			if err != nil {
				return err
			}
			eff, err := t.EffectiveExponent(d, *lo, *hi)
			if err != nil {
				return err
			}
			from, err := t.DecreasingFrom(d)
			if err != nil {
				return err
			}
			kind := "theorem"
			if t.Reference {
				kind = "reference"
			}
			alpha := num(a)
			if t.Form == bounds.LogRate {
				alpha = "0 (log-rate)"
			}
			rows = append(rows, []string{t.ID, kind, t.Quantity.String(), t.Swept.String(), t.Formula(), alpha, num(p), num(eff), num(from)})
		}
	}
	fmt.Fprintf(stdout, "dimensions: d=%d d1=%d d2=%d b_U=%d s=%g; logs natural; power is α, or β of (log x/log log x)^{-β}\n", d.D, d.D1, d.D2, d.BU, d.S)
	if err := write(stdout, header, rows); err != nil {
		return err
	}
	if *eps == 0 {
		return nil
	}
	fmt.Fprintf(stdout, "\nnetworks the proofs build for ε = %g, every O(·) constant set to 1 (n_x = %d):\n", *eps, d.NX)
	header = []string{"id", "basis p", "trunk L / width / K", "branch or net L / width / K", "N(ε)"}
	rows = rows[:0]
	for _, t := range bounds.Catalog() {
		if t.Swept != bounds.ModelSize {
			continue // the generalization theorems use the same networks
		}
		pr, err := t.Prescribe(d, *eps)
		if err != nil {
			return err
		}
		main, trunk, basis := pr.Branch, "-", "-"
		if pr.Basis == 0 {
			main = pr.Net
		} else {
			trunk, basis = netString(pr.Trunk), num(pr.Basis)
		}
		params := num(pr.Params())
		if math.IsInf(pr.Params(), 1) {
			params = fmt.Sprintf("e^%s", num(pr.LogParams))
		}
		rows = append(rows, []string{t.ID, basis, trunk, netString(main), params})
	}
	return write(stdout, header, rows)
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func netString(n bounds.Net) string {
	w, k := num(n.Width), num(n.Weights)
	if math.IsInf(n.Weights, 1) {
		k = fmt.Sprintf("e^%s", num(n.LogWeights))
	}
	if math.IsInf(n.Width, 1) {
		w = "> 1e308"
	}
	return fmt.Sprintf("%s / %s / %s", num(n.Depth), w, k)
}
