package bounds

import (
	"fmt"
	"math"
)

// Verdict sets a measured exponent beside a theorem's.
type Verdict int

const (
	FasterThanBound Verdict = iota // the whole CI lies above the bound's exponent
	AtBound                        // the CI contains it
	SlowerThanBound                // the whole CI lies below it
	// Uninformative: the bound, log factor included, does not decrease over
	// the range measured, so no decay can be held against it there.
	Uninformative
)

func (v Verdict) String() string {
	switch v {
	case FasterThanBound:
		return "faster than bound"
	case AtBound:
		return "at the bound"
	case Uninformative:
		return "uninformative over this range"
	}
	return "slower than bound"
}

// Judge returns the verdict for a measured decay exponent whose confidence
// interval is [lo, hi] against an exponent alpha (docs/METHOD.md,
// "Verdicts"). Exponents are decay rates: larger is faster. An interval that
// touches alpha contains it. It never returns Uninformative: JudgeRange
// decides that, from the rate over the range.
func Judge(lo, hi, alpha float64) (Verdict, error) {
	if !(lo <= hi) {
		return 0, fmt.Errorf("bounds: confidence interval [%g, %g] is empty or NaN", lo, hi)
	}
	if math.IsNaN(alpha) {
		return 0, fmt.Errorf("bounds: theorem exponent is NaN")
	}
	switch {
	case lo > alpha:
		return FasterThanBound, nil
	case hi < alpha:
		return SlowerThanBound, nil
	}
	return AtBound, nil
}

// RangeVerdict is a measured slope over sizes lo…hi set beside the bound
// over the same sizes.
type RangeVerdict struct {
	Verdict Verdict
	// Decreasing is set when the rate, log factor included, decreases over
	// the whole range; otherwise the verdict is Uninformative.
	Decreasing bool
	// Alpha is the exponent the interval is judged against: the secant
	// slope of the rate over the range, log factor included
	// (EffectiveExponent). For a log-rate this is the rate's own scale
	// over the range, not the 0 of Exponent.
	Alpha float64
	// BoundRatio is Rate(lo)/Rate(hi), the factor by which the bound falls
	// over the range; MeasuredRatio, MeasuredLo and MeasuredHi are the
	// factor the fitted errors fall by, (hi/lo)^α̂, and its interval.
	BoundRatio, MeasuredRatio, MeasuredLo, MeasuredHi float64
}

// JudgeRange judges a slope α̂ with interval [ciLo, ciHi], fitted over sizes
// lo…hi, against the bound over the same sizes. The bound there is its rate
// with the log factor, so the comparison is between the error's fall and
// the rate's fall across the range, (hi/lo)^α̂ against Rate(lo)/Rate(hi):
// that holds log-rates to their own scale and power laws to the slope their
// log factor leaves them. Where the rate does not decrease across the whole
// range (x^{−2/5}·log³ x below x ≈ 1808) the verdict is Uninformative.
func (t Theorem) JudgeRange(d Dims, lo, hi, alphaHat, ciLo, ciHi float64) (RangeVerdict, error) {
	eff, err := t.EffectiveExponent(d, lo, hi)
	if err != nil {
		return RangeVerdict{}, err
	}
	from, err := t.DecreasingFrom(d)
	if err != nil {
		return RangeVerdict{}, err
	}
	span := math.Log(hi / lo)
	r := RangeVerdict{
		Decreasing:    from <= lo,
		Alpha:         eff,
		BoundRatio:    math.Exp(eff * span),
		MeasuredRatio: math.Exp(alphaHat * span),
		MeasuredLo:    math.Exp(ciLo * span),
		MeasuredHi:    math.Exp(ciHi * span),
	}
	if !r.Decreasing {
		if !(ciLo <= ciHi) {
			return RangeVerdict{}, fmt.Errorf("bounds: confidence interval [%g, %g] is empty or NaN", ciLo, ciHi)
		}
		r.Verdict = Uninformative
		return r, nil
	}
	r.Verdict, err = Judge(ciLo, ciHi, eff)
	return r, err
}
