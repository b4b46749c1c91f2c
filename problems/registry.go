package problems

import "fmt"

// Params holds the parameters of every family and operator by name; each
// constructor reads the fields it needs. Its zero value means the defaults.
type Params struct {
	// BU is the dimension b_U of a subspace family.
	BU int
	// Grid is the number of solver cells along each axis; 0 means 1024.
	Grid int
}

// NewFamily returns the input family called kind.
func NewFamily(kind string, p Params) (Family, error) {
	switch kind {
	case "subspace":
		return NewSubspace(p.BU)
	}
	return nil, fmt.Errorf("problems: unknown input family %q (known: subspace)", kind)
}

// NewOperator returns the operator called kind.
func NewOperator(kind string, p Params) (Operator, error) {
	grid := p.Grid
	if grid == 0 {
		grid = 1024
	}
	switch kind {
	case "poisson1d":
		return NewPoisson1D(grid)
	case "antiderivative":
		return NewAntiderivative(grid)
	}
	return nil, fmt.Errorf("problems: unknown problem %q (known: poisson1d, antiderivative)", kind)
}
