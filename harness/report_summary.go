package harness

import (
	"bytes"
	"fmt"
	"strings"

	"opscale/bounds"
	"opscale/internal/table"
)

// writeTopSummary writes the report's opening section: one row for every
// experiment, its dimensions nominal and measured, its tail slope with the
// regime it measures and its verdicts, then the exponent figures.
func writeTopSummary(doc *bytes.Buffer, analyses []Analysis, plotsDir string, rel func(string) string) error {
	fmt.Fprintf(doc, "## Summary\n\n")
	fmt.Fprintf(doc, "Every experiment, its tail slope (the largest decade of sizes, or the last 4) with its 95%% interval, the regime that tail measures (docs/METHOD.md, \"Regimes\" and \"Floors\") and its verdicts: on the tail against the bound over the tail's own sizes, log factor included (a log-rate on its own scale), and against the asymptotic α_T alone. Measured dimensions are of the input functions at the sensors (PCA: components for 99%% of the energy). \"α_T at TwoNN / MLE\" puts the measured dimension in place of b_U (or d); for a log-rate it is the exponent of its low-dimensional counterpart with b_U the measured dimension.\n\n")
	var rows [][]string
	for i := range analyses {
		rows = append(rows, summaryRow(&analyses[i]))
	}
	if err := table.Markdown(doc, []string{"experiment", "theorem", "problem", "family", "nominal dimensions", "measured: PCA 99% / TwoNN / MLE",
		"α̂ tail [95% CI]", "regime of the tail", "α_T", "bound's slope over the tail, log factor included", "α_T at TwoNN / MLE",
		"verdict on the tail", "verdict against α_T alone"}, rows); err != nil {
		return err
	}
	doc.WriteString("\n")
	return writeDimensionFigure(doc, analyses, plotsDir, rel)
}

func summaryRow(a *Analysis) []string {
	op, _, _ := strings.Cut(a.First.Problem, "(")
	fam := a.First.Family
	nominal := nominalDims(a)
	measured := "n/a"
	if d := a.First.InputDim; d != nil {
		measured = fmt.Sprintf("%d / %s / %s", d.PCA99, optF(d.TwoNN), optF(d.MLE))
	}
	if g := a.First.Regression; g != nil {
		op, fam = g.Target, g.Domain
	}
	if a.FitErr != nil || a.AlphaErr != nil {
		return []string{a.Experiment, a.Theorem.ID, op, fam, nominal, measured, "—", "—", "—", "—", "—", "no fit: " + errors2(a.FitErr, a.AlphaErr).Error(), "—"}
	}
	f := a.Fit
	asym := "— (log-rate: judged on its own scale)"
	if a.Theorem.Form == bounds.PowerLaw {
		asym = a.VerdictAsym.String()
	}
	return []string{
		a.Experiment, a.Theorem.ID, op, fam, nominal, measured,
		fmt.Sprintf("%s (%s = %g…%g)", slopeStr(f.Slope), a.Theorem.Swept, f.Lo, f.Hi),
		tailRegime(a),
		alphaTStr(a),
		fmt.Sprintf("%.3f", a.AlphaLog),
		atDimsStr(a.AtDims, a.Theorem.ID),
		verdictStr(a),
		asym,
	}
}

// nominalDims names the dimensions an experiment was built with: d1, d2 and
// b_U (∞ for an infinite-dimensional family), or a manifold family's d, or
// a dense regression's d and D.
func nominalDims(a *Analysis) string {
	if g := a.First.Regression; g != nil {
		return reluDims(g)
	}
	if strings.HasPrefix(a.First.Family, "manifold") {
		return fmt.Sprintf("d1=%d, d2=%d, manifold d=%d", a.Dims.D1, a.Dims.D2, a.Dims.BU)
	}
	return fmt.Sprintf("d1=%d, d2=%d, b_U=%s", a.Dims.D1, a.Dims.D2, dimStr(a.Dims.BU))
}

// atDimsStr gives the exponents at TwoNN and MLE, naming the theorem when
// it is not the experiment's own (a log-rate's low-dimensional counterpart).
func atDimsStr(d *DimAlphas, own string) string {
	if d == nil || (d.TwoNN == nil && d.MLE == nil) {
		return "—"
	}
	s := optF3(d.TwoNN) + " / " + optF3(d.MLE)
	if d.Theorem != own {
		s = d.Theorem + ": " + s
	}
	return s
}

func optF3(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", *p)
}

// verdictStr is the verdict on the tail with, when it is uninformative, the
// reason: the bound does not decrease over the tail, or the tail is flat
// and its interval holds the bound's slope too.
func verdictStr(a *Analysis) string {
	if a.Verdict != bounds.Uninformative {
		return a.Verdict.String()
	}
	if a.FlatTail && a.Range.Verdict != bounds.Uninformative {
		return "uninformative over this range (a flat tail whose interval holds the bound's slope too)"
	}
	if from, err := a.Theorem.DecreasingFrom(a.Dims); err == nil {
		return fmt.Sprintf("uninformative over this range (the bound rises until %s ≈ %.0f)", a.Theorem.Swept, from)
	}
	return a.Verdict.String()
}

// tailRegime names the regime the tail slope measures, by the rules the
// per-experiment discussion applies (Analysis.Discussion, docs/METHOD.md):
// a floor when the interval holds 0; for data sweeps, pre-asymptotic when it
// lies wholly above the variance-limited slope 1, variance-limited when it
// holds 1 and neither 0 nor α_T, and undecided when it holds 1 and one of
// those too.
func tailRegime(a *Analysis) string {
	f := a.Fit
	data := a.Theorem.Swept == bounds.DataSize
	holds1 := data && f.CILo <= 1 && 1 <= f.CIHi
	holdsAlpha := a.Theorem.Form == bounds.PowerLaw && f.CILo <= a.Alpha && a.Alpha <= f.CIHi
	switch {
	case f.Flat && holds1:
		return "cannot tell: holds 0 (a floor) and 1 (variance-limited)"
	case f.Flat:
		return "flat tail: a floor"
	case data && f.CILo > 1:
		return "pre-asymptotic (faster than n^{−1})"
	case holds1 && holdsAlpha:
		return fmt.Sprintf("cannot tell: holds 1 (variance-limited) and α_T = %.3f", a.Alpha)
	case holds1:
		return "variance-limited (slope 1)"
	case f.CIHi < 0:
		return "rising"
	}
	return "decaying, no floor"
}
