package bounds

import (
	"fmt"
	"math"
)

// Dims are the dimensions a rate depends on. A theorem reads only the fields
// it names in Needs.
type Dims struct {
	D  int // input dimension of a plain ReLU regression
	D1 int // dimension of the input functions' domain
	D2 int // dimension of the output functions' domain
	BU int // dimension of the span that holds the input functions
}

// Quantity is the error a theorem bounds.
type Quantity int

const (
	SupError  Quantity = iota // sup over the output domain, as the approximation theorems
	SquaredL2                 // expected squared L² error, as the generalization theorems
)

func (q Quantity) String() string {
	if q == SupError {
		return "sup error"
	}
	return "expected squared L2 error"
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

// Theorem is one bound of the paper.
type Theorem struct {
	ID          string
	Statement   string
	Assumptions []string
	Quantity    Quantity
	Swept       Variable
	// LogPower λ is the power of log x that multiplies x^{−α} in the rate.
	LogPower float64
	// exponent returns α for the given dimensions.
	exponent func(Dims) (float64, error)
}

// Exponent returns α, the power of the swept variable in the bound, for the
// dimensions d. It fails, naming the field, if a dimension the theorem reads
// is not positive.
func (t Theorem) Exponent(d Dims) (float64, error) { return t.exponent(d) }

// Rate returns x^{−α}·(log x)^λ, the bound at size x > 1 up to its constant.
func (t Theorem) Rate(d Dims, x float64) (float64, error) {
	a, err := t.Exponent(d)
	if err != nil {
		return 0, err
	}
	if !(x > 1) {
		return 0, fmt.Errorf("bounds: %s: size %s = %g: the rate is defined for sizes above 1", t.ID, t.Swept, x)
	}
	return math.Pow(x, -a) * math.Pow(math.Log(x), t.LogPower), nil
}

// EffectiveExponent returns the exponent that a least-squares line through
// log Rate against log x would show on [lo, hi]: α less what the log factor
// takes back over that range. A measurement is compared with α; this says how
// far the log factor alone moves the slope on the sizes actually used.
func (t Theorem) EffectiveExponent(d Dims, lo, hi float64) (float64, error) {
	a, err := t.Exponent(d)
	if err != nil {
		return 0, err
	}
	if !(lo > 1 && hi > lo) {
		return 0, fmt.Errorf("bounds: %s: fit range [%g, %g]: need 1 < lo < hi", t.ID, lo, hi)
	}
	// The secant slope of λ·log log x over log x.
	return a - t.LogPower*(math.Log(math.Log(hi))-math.Log(math.Log(lo)))/(math.Log(hi)-math.Log(lo)), nil
}

// positive fails, naming the dimension, unless every value is a positive
// integer.
func positive(names []string, vals ...int) error {
	for i, v := range vals {
		if v <= 0 {
			return fmt.Errorf("bounds: dimension %s = %d: it must be a positive integer", names[i], v)
		}
	}
	return nil
}

var catalog = []Theorem{
	{
		ID:        "T-don-gen-low",
		Statement: "DeepONet generalization, inputs in a b_U-dimensional span: E‖Ĝ(u) − G(u)‖²_L² ≲ n^{−2/(2+b_U+d2)}·log³ n",
		Assumptions: []string{
			"G Lipschitz from L²(Ω_U) to L∞(Ω_V)",
			"input functions in a b_U-dimensional linear span, bounded and Lipschitz",
			"sub-Gaussian noise on the outputs",
			"empirical risk minimiser over DeepONets sized as the proof prescribes",
		},
		Quantity: SquaredL2,
		Swept:    DataSize,
		LogPower: 3,
		exponent: func(d Dims) (float64, error) {
			if err := positive([]string{"b_U", "d2"}, d.BU, d.D2); err != nil {
				return 0, err
			}
			return 2 / float64(2+d.BU+d.D2), nil
		},
	},
}

// Catalog returns every theorem, in the order of the paper.
func Catalog() []Theorem { return append([]Theorem(nil), catalog...) }

// Lookup returns the theorem with the given id.
func Lookup(id string) (Theorem, error) {
	for _, t := range catalog {
		if t.ID == id {
			return t, nil
		}
	}
	return Theorem{}, fmt.Errorf("bounds: no theorem %q in the catalog", id)
}
