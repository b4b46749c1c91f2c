package bounds

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Dims are the dimensions a rate depends on. A theorem reads only the fields
// it lists in Reads; the others may be left zero.
type Dims struct {
	D  int // input dimension of a plain ReLU regression (intrinsic, for the manifold references)
	D1 int // dimension of the input functions' domain
	D2 int // dimension of the output functions' domain
	BU int // dimension of the span that holds the input functions

	// S is the Hölder smoothness of the target, read only by the minimax
	// reference rate.
	S float64
	// NX is the number of sensors at which the branch net sees u. No rate
	// reads it; the DeepONet prescriptions do.
	NX int
}

// DimsF are Dims with real values, for rates predicted from a measured
// (non-integer) dimension such as an intrinsic-dimension estimate.
type DimsF struct {
	D, D1, D2, BU, S float64
}

// Float returns d with real fields.
func (d Dims) Float() DimsF {
	return DimsF{D: float64(d.D), D1: float64(d.D1), D2: float64(d.D2), BU: float64(d.BU), S: d.S}
}

// Dimension names as the theorems list them in Reads and as errors name them.
const (
	DimD  = "d"
	DimD1 = "d1"
	DimD2 = "d2"
	DimBU = "b_U"
	DimS  = "s"
	DimNX = "n_x"
)

// get returns the field of f called name. Names come from the catalog, so an
// unknown one is a programmer error.
func (f DimsF) get(name string) float64 {
	switch name {
	case DimD:
		return f.D
	case DimD1:
		return f.D1
	case DimD2:
		return f.D2
	case DimBU:
		return f.BU
	case DimS:
		return f.S
	}
	panic("bounds: unknown dimension name")
}

// Quantity is the error a theorem bounds.
type Quantity int

const (
	SupError  Quantity = iota // sup over the output domain, as the approximation theorems
	SquaredL2                 // expected squared L² error, as the generalization theorems
	L2Error                   // root of the expected squared L² error, as the Monte-Carlo reference
)

func (q Quantity) String() string {
	switch q {
	case SupError:
		return "sup error"
	case SquaredL2:
		return "expected squared L2 error"
	}
	return "L2 error"
}

// Variable is what a theorem's rate is a function of.
type Variable int

const (
	ModelSize Variable = iota // N, the number of network parameters
	DataSize                  // n, the number of training function pairs
)

func (v Variable) String() string {
	if v == ModelSize {
		return "N"
	}
	return "n"
}

// Form is the shape of a rate as a function of the swept size x.
type Form int

const (
	// PowerLaw rates are x^{−α}·(log x)^λ, defined for x > 1.
	PowerLaw Form = iota
	// LogRate rates are (log x / log log x)^{−β}, defined for x > e and
	// decreasing for x > e^e ≈ 15.2. They decay more slowly than any power
	// of x.
	LogRate
)

func (f Form) String() string {
	if f == PowerLaw {
		return "power law"
	}
	return "log-rate"
}

// Theorem is one bound of the paper, or a reference rate from other work
// (Reference set) shown beside them.
type Theorem struct {
	ID        string
	Statement string
	// Source says where the bound is proved. For the paper's theorems it is
	// arXiv:2410.00357; for references, the work it comes from.
	Source      string
	Assumptions []string
	// Reference marks a rate that is not a theorem of the paper: a minimax
	// rate, an empirical prediction or a known barrier shown for comparison.
	Reference bool
	Quantity  Quantity
	Swept     Variable
	Form      Form
	// Reads lists the dimensions the rate depends on (DimD, DimBU, ...).
	Reads []string
	// LogPower λ is the power of log x that multiplies x^{−α} in a power-law
	// rate; zero for log-rates.
	LogPower float64

	// power returns α (power laws) or β (log-rates) for validated dims.
	power func(DimsF) float64
	// formula is the rate with the dimensions left as symbols.
	formula string
	// params returns the network the proof builds for accuracy ε = e^{−u};
	// nil for references. The caller validates the dims.
	params func(d Dims, u float64) Prescription
	// paramReads are the dimensions params reads beyond Reads.
	paramReads []string
}

// ErrDims reports dimensions that a theorem cannot use; errors.Is finds it
// in every error that names a bad dimension.
var ErrDims = errors.New("invalid dimension")

// checkInt fails, naming the first field of reads that is not a positive
// integer.
func (t Theorem) checkInt(d Dims, reads []string) error {
	for _, name := range reads {
		var v int
		switch name {
		case DimD:
			v = d.D
		case DimD1:
			v = d.D1
		case DimD2:
			v = d.D2
		case DimBU:
			v = d.BU
		case DimNX:
			v = d.NX
		case DimS:
			if !(d.S > 0) || math.IsInf(d.S, 1) {
				return fmt.Errorf("bounds: %s: smoothness %s = %g: %w: it must be a positive real", t.ID, name, d.S, ErrDims)
			}
			continue
		default:
			panic("bounds: unknown dimension name")
		}
		if v <= 0 {
			return fmt.Errorf("bounds: %s: dimension %s = %d: %w: it must be a positive integer", t.ID, name, v, ErrDims)
		}
	}
	return nil
}

// checkFloat fails, naming the first field of reads that is not a positive
// finite real.
func (t Theorem) checkFloat(f DimsF) error {
	for _, name := range t.Reads {
		v := f.get(name)
		if !(v > 0) || math.IsInf(v, 1) {
			return fmt.Errorf("bounds: %s: dimension %s = %g: %w: it must be a positive finite real", t.ID, name, v, ErrDims)
		}
	}
	return nil
}

// Exponent returns α, the power-law exponent of the bound in the swept
// variable, for the dimensions d: the bound decays as x^{−α} up to its log
// factor. It fails, naming the field, if a dimension the theorem reads is not
// positive.
//
// For log-rates (Form == LogRate) Exponent returns 0 by convention: a
// log-rate decays more slowly than x^{−a} for every a > 0, so 0 is its
// power-law exponent, and any measured CI wholly above 0 is judged faster
// than the bound. Over a finite fit range use EffectiveExponent, and
// RatePower for the β of (log x/log log x)^{−β}.
func (t Theorem) Exponent(d Dims) (float64, error) {
	if err := t.checkInt(d, t.Reads); err != nil {
		return 0, err
	}
	if t.Form == LogRate {
		return 0, nil
	}
	return t.power(d.Float()), nil
}

// ExponentAt is Exponent for real dimensions, such as an intrinsic dimension
// measured on the input family; the same convention holds for log-rates.
func (t Theorem) ExponentAt(f DimsF) (float64, error) {
	if err := t.checkFloat(f); err != nil {
		return 0, err
	}
	if t.Form == LogRate {
		return 0, nil
	}
	return t.power(f), nil
}

// RatePower returns the power that the rate's base is raised to, negated: α
// of x^{−α}·(log x)^λ, or β of (log x/log log x)^{−β}.
func (t Theorem) RatePower(d Dims) (float64, error) {
	if err := t.checkInt(d, t.Reads); err != nil {
		return 0, err
	}
	return t.power(d.Float()), nil
}

// MinSize is the size above which Rate is defined: 1 for power laws, e for
// log-rates.
func (t Theorem) MinSize() float64 {
	if t.Form == LogRate {
		return math.E
	}
	return 1
}

// Formula returns the rate with the dimensions as symbols, for tables.
func (t Theorem) Formula() string { return t.formula }

// logRate returns ln Rate at ln x = lx, for a valid power and lx in range.
func (t Theorem) logRate(p, lx float64) float64 {
	if t.Form == LogRate {
		return -p * (math.Log(lx) - math.Log(math.Log(lx)))
	}
	return -p*lx + t.LogPower*math.Log(lx)
}

func (t Theorem) checkSize(x float64) error {
	if !(x > t.MinSize()) || math.IsInf(x, 1) {
		return fmt.Errorf("bounds: %s: size %s = %g: the rate is defined for finite sizes above %.4g", t.ID, t.Swept, x, t.MinSize())
	}
	return nil
}

// Rate returns the bound at size x up to its constant: x^{−α}·(log x)^λ for
// power laws, (log x/log log x)^{−β} for log-rates. Logs are natural; another
// base changes only the constant.
func (t Theorem) Rate(d Dims, x float64) (float64, error) {
	p, err := t.RatePower(d)
	if err != nil {
		return 0, err
	}
	if err := t.checkSize(x); err != nil {
		return 0, err
	}
	return math.Exp(t.logRate(p, math.Log(x))), nil
}

// EffectiveExponent returns the secant slope of −log Rate against log x
// between lo and hi: α less what the log factor takes back over that range,
// or, for a log-rate, the small positive slope it shows there. A measurement
// fitted on [lo, hi] is best compared with this; it says how far the log
// factor alone moves the slope on the sizes actually used. It is negative
// where the log factor wins: n^{−2/5}·log³ n rises until n = e^{7.5} ≈ 1808
// (see DecreasingFrom).
func (t Theorem) EffectiveExponent(d Dims, lo, hi float64) (float64, error) {
	p, err := t.RatePower(d)
	if err != nil {
		return 0, err
	}
	if !(lo > t.MinSize() && hi > lo) || math.IsInf(hi, 1) {
		return 0, fmt.Errorf("bounds: %s: fit range [%g, %g]: need %.4g < lo < hi < ∞", t.ID, lo, hi, t.MinSize())
	}
	llo, lhi := math.Log(lo), math.Log(hi)
	return -(t.logRate(p, lhi) - t.logRate(p, llo)) / (lhi - llo), nil
}

// DecreasingFrom returns the size above which the rate decreases: e^{λ/α}
// for a power law with a log factor (where x^{−α}·(log x)^λ peaks), e^e for
// a log-rate (where log x/log log x is least), and MinSize otherwise. Below
// it the bound grows with x and a fitted slope cannot be held against it.
func (t Theorem) DecreasingFrom(d Dims) (float64, error) {
	p, err := t.RatePower(d)
	if err != nil {
		return 0, err
	}
	switch {
	case t.Form == LogRate:
		return math.Exp(math.E), nil
	case t.LogPower > 0:
		return math.Exp(t.LogPower / p), nil
	}
	return t.MinSize(), nil
}

// Catalog returns the paper's theorems, in the order of docs/METHOD.md, "Theorems".
func Catalog() []Theorem { return append([]Theorem(nil), catalog...) }

// References returns the reference rates shown beside the theorems. None is
// a theorem of the paper.
func References() []Theorem { return append([]Theorem(nil), references...) }

// Lookup returns the theorem or reference with the given id.
func Lookup(id string) (Theorem, error) {
	for _, list := range [][]Theorem{catalog, references} {
		for _, t := range list {
			if t.ID == id {
				return t, nil
			}
		}
	}
	ids := make([]string, 0, len(catalog)+len(references))
	for _, list := range [][]Theorem{catalog, references} {
		for _, t := range list {
			ids = append(ids, t.ID)
		}
	}
	return Theorem{}, fmt.Errorf("bounds: no theorem %q in the catalog (have %s)", id, strings.Join(ids, ", "))
}
