package problems

import (
	"fmt"
	"math/rand/v2"
)

// Scattered is a set of n input–output function pairs in which every
// function is observed at K points of its own: U (n×m) holds the inputs at
// the sensors X (m×d1), Y (n·K×d2) the points, function i's in rows i·K to
// i·K+K−1, and V (n×K) the outputs there. All are row-major.
type Scattered struct {
	N, M, K    int
	D1, D2     int
	X, U, Y, V []float64
}

// GenerateScattered returns n function pairs from the given split, each
// observed at k points drawn uniformly on the output domain [0,1]^d2 from a
// stream of the function's own (pointStream). The input functions, and so U,
// are those Generate returns for the same spec, seed and split, and the
// noise on function i's targets comes from the same stream, so that an
// aligned and a scattered set of one seed share their functions. The points
// are drawn on the domain, not on the solver's grid: every operator
// evaluates G(u) at any point of [0,1]^d2 (interpolating its solution at the
// solver's own order where it solves on a grid), and points off any grid
// keep the test grid from being the only places the network is taught.
func GenerateScattered(s Spec, n, k int, seed uint64, split Split, sigma float64) (*Scattered, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	switch {
	case n <= 0:
		return nil, fmt.Errorf("problems: n = %d functions: it must be positive", n)
	case k <= 0:
		return nil, fmt.Errorf("problems: %d points per function: it must be positive", k)
	case sigma < 0:
		return nil, fmt.Errorf("problems: noise sigma = %g: it must be ≥ 0", sigma)
	case split == Test:
		// Test sets are scored on the aligned grid, the same for every run.
		return nil, fmt.Errorf("problems: test sets are aligned; generate them with Generate")
	}
	d1, d2 := s.Operator.InDim(), s.Operator.OutDim()
	ds := &Scattered{N: n, M: pow(s.Sensors, d1), K: k, D1: d1, D2: d2}
	ds.X = Grid(s.Sensors, d1)
	ds.U = make([]float64, ds.N*ds.M)
	ds.Y = make([]float64, ds.N*k*d2)
	ds.V = make([]float64, ds.N*k)

	if err := parallelFill(n, func(i int) error { return ds.fill(s, i, seed, split, sigma) }); err != nil {
		return nil, err
	}
	return ds, nil
}

// fill generates function i of the set, as Dataset.fill does but at points
// of its own.
func (ds *Scattered) fill(s Spec, i int, seed uint64, split Split, sigma float64) error {
	u := drawInput(s, ds.X, ds.D1, ds.U[i*ds.M:(i+1)*ds.M], seed, split, i)
	y := ds.Y[i*ds.K*ds.D2 : (i+1)*ds.K*ds.D2]
	at := rand.New(rand.NewPCG(seed, pointStream(split, i)))
	for j := range y {
		y[j] = at.Float64()
	}
	return applyNoisy(s, u, ds.V[i*ds.K:(i+1)*ds.K], y, seed, split, i, sigma)
}
