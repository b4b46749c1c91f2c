package problems

import (
	"fmt"
	"strings"
)

// Params holds the parameters of every family and operator by name; each
// constructor reads the fields it needs and ignores the rest. Zero values
// mean the defaults given beside each field; fields without a default
// (Length for a Gaussian field) must be set.
type Params struct {
	// Dim is the dimension d1 of an input family's domain [0,1]^Dim, 1 or 2;
	// 0 means 1.
	Dim int
	// BU is the dimension b_U of a subspace family.
	BU int
	// Basis of a subspace family: "sine" (default) or "kl", the first BU
	// Karhunen–Loève modes of the Gaussian field given by Kernel, Nu, Length.
	Basis string
	// Kernel of a Gaussian field: "se" (squared exponential, default) or
	// "matern".
	Kernel string
	// Nu is the Matérn smoothness, 0.5, 1.5 or 2.5; 0 means 1.5.
	Nu float64
	// Length is the length scale ℓ of a Gaussian field; required, and at
	// least twice the spacing of its fine grid: ℓ ≥ 1/256 in 1D, 1/32 in 2D
	// (squared exponential), 1/16 in 2D (Matérn).
	Length float64
	// Modes caps the Karhunen–Loève modes of a Gaussian field; 0 keeps those
	// holding 99.99% of its variance.
	Modes int
	// Intrinsic is the dimension d of a manifold family.
	Intrinsic int
	// Pieces is the number of linear pieces of a rough family; 0 means 32.
	Pieces int
	// Slope is the Lipschitz constant of a rough family; 0 means 4.
	Slope float64

	// Grid is the number of solver cells (or steps) along each axis;
	// 0 means 1024 in 1D and 64 for poisson2d.
	Grid int
	// Velocity is the base velocity A > 0 of the advection operators;
	// 0 means 1.
	Velocity float64
	// Epsilon modulates the fixed velocity A·(1 + ε sin 2πx) of the linear
	// advection operator, |ε| < 1; 0 is a pure shift.
	Epsilon float64
	// T is the final time of the advection operators; 0 means 0.5.
	T float64
	// Steps is the number of RK4 steps of the advection operators; 0 means 64.
	Steps int
	// Amplitude scales the input in the coefficient A·exp(Amplitude·u) of
	// advection-velocity and darcy1d; 0 means 0.5.
	Amplitude float64
	// Coefficient is the permeability scale A of darcy1d; 0 means 1.
	Coefficient float64
	// Gravity is the constant k of the pendulum θ'' = −k sin θ + u; 0 means 1.
	Gravity float64
	// ProbeModes is the number K of sine coefficients the tightness probe
	// reads; 0 means BU if set, else 4.
	ProbeModes int
	// Levels is the finest level J of the tightness probe; 0 means 8.
	Levels int
	// ProbeSeed draws the tightness probe's directions and phases.
	ProbeSeed uint64
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Families lists the input families NewFamily knows.
var Families = []string{"subspace", "grf", "manifold", "rough"}

// Operators lists the operators NewOperator knows.
var Operators = []string{"antiderivative", "poisson1d", "poisson2d", "advection", "advection-velocity", "darcy1d", "pendulum", "tightness"}

// NewFamily returns the input family called kind.
func NewFamily(kind string, p Params) (Family, error) {
	dim := orDefault(p.Dim, 1)
	switch kind {
	case "subspace":
		switch p.Basis {
		case "", "sine":
			return NewSubspaceOf(p.BU, dim, nil)
		case "kl":
			if p.BU <= 0 {
				return NewSubspaceOf(p.BU, dim, nil) // reports BU
			}
			g, err := newGRF(p, dim)
			if err != nil {
				return nil, err
			}
			return NewSubspaceOf(p.BU, dim, g)
		}
		return nil, fmt.Errorf("problems: subspace Basis %q: use \"sine\" or \"kl\"", p.Basis)
	case "grf":
		return newGRF(p, dim)
	case "manifold":
		return NewManifold(p.Intrinsic, dim)
	case "rough":
		if dim != 1 {
			return nil, fmt.Errorf("problems: rough family Dim = %d: it lives on [0,1] only", dim)
		}
		return NewRough(orDefault(p.Pieces, 32), orDefault(p.Slope, 4.0))
	}
	return nil, fmt.Errorf("problems: unknown input family %q (known: %s)", kind, strings.Join(Families, ", "))
}

func newGRF(p Params, dim int) (*GRF, error) {
	return NewGRF(dim, orDefault(p.Kernel, "se"), orDefault(p.Nu, 1.5), p.Length, p.Modes)
}

// NewOperator returns the operator called kind.
func NewOperator(kind string, p Params) (Operator, error) {
	grid := orDefault(p.Grid, 1024)
	switch kind {
	case "poisson1d":
		return NewPoisson1D(grid)
	case "antiderivative":
		return NewAntiderivative(grid)
	case "poisson2d":
		return NewPoisson2D(orDefault(p.Grid, 64))
	case "advection":
		return NewAdvection(orDefault(p.Velocity, 1.0), p.Epsilon, orDefault(p.T, 0.5), orDefault(p.Steps, 64))
	case "advection-velocity":
		return NewAdvectionVelocity(orDefault(p.Velocity, 1.0), orDefault(p.Amplitude, 0.5),
			orDefault(p.T, 0.5), orDefault(p.Steps, 64), grid)
	case "darcy1d":
		return NewDarcy1D(grid, orDefault(p.Coefficient, 1.0), orDefault(p.Amplitude, 0.5))
	case "pendulum":
		return NewPendulum(grid, orDefault(p.Gravity, 1.0))
	case "tightness":
		return NewTightness(orDefault(p.ProbeModes, orDefault(p.BU, 4)), orDefault(p.Levels, 8), grid, p.ProbeSeed)
	}
	return nil, fmt.Errorf("problems: unknown problem %q (known: %s)", kind, strings.Join(Operators, ", "))
}

// NewSpec returns the specification of a dataset of the operator called
// problem on inputs from the family called family, with the given numbers of
// sensors and output points per axis. Errors name the field at fault. An
// operator on the periodic unit interval (PeriodicOperator) gets the
// periodic form of the family (NewPeriodicFamily).
func NewSpec(problem, family string, p Params, sensors, points int) (Spec, error) {
	op, err := NewOperator(problem, p)
	if err != nil {
		return Spec{}, fmt.Errorf("problem: %w", err)
	}
	newFam := NewFamily
	if needsPeriodic(op) {
		newFam = NewPeriodicFamily
	}
	fam, err := newFam(family, p)
	if err != nil {
		return Spec{}, fmt.Errorf("family: %w", err)
	}
	s := Spec{Operator: op, Family: fam, Sensors: sensors, Points: points}
	return s, s.Validate()
}
