package bounds

import (
	"fmt"
	"math"
)

// Verdict sets a measured exponent beside a theorem's.
type Verdict int

const (
	FasterThanBound Verdict = iota // the whole CI lies above α_T
	AtBound                        // the CI contains α_T
	SlowerThanBound                // the whole CI lies below α_T
)

func (v Verdict) String() string {
	switch v {
	case FasterThanBound:
		return "faster than bound"
	case AtBound:
		return "at the bound"
	}
	return "slower than bound"
}

// Judge returns the verdict of DESIGN.md §5 for a measured decay exponent
// whose confidence interval is [lo, hi] against the theorem's exponent alpha.
// Exponents are decay rates: larger is faster. An interval that touches
// alpha contains it. Pass Theorem.EffectiveExponent over the fit range as
// alpha to take the log factors into account; Theorem.Exponent gives the
// asymptotic comparison (0 for log-rates).
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
