package problems

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Spec says what to generate: an operator, an input family, the number of
// sensors m at which the branch net sees each input and the number of output
// points P per function along each output axis.
type Spec struct {
	Operator Operator
	Family   Family
	Sensors  int
	Points   int
}

// Dataset is a set of n input–output function pairs in the aligned layout:
// U (n×m) holds the inputs at the sensors X (m×d1), V (n×P) the outputs at
// the points Y (P×d2). All are row-major.
type Dataset struct {
	N, M, P    int
	D1, D2     int
	X, U, Y, V []float64
}

// Validate reports the first field of s that cannot describe a dataset.
func (s Spec) Validate() error {
	switch {
	case s.Operator == nil:
		return fmt.Errorf("problems: spec has no operator")
	case s.Family == nil:
		return fmt.Errorf("problems: spec has no input family")
	case s.Family.Dim() != s.Operator.InDim():
		return fmt.Errorf("problems: family %s lives in %d dimensions but operator %s takes inputs in %d",
			s.Family.Name(), s.Family.Dim(), s.Operator.Name(), s.Operator.InDim())
	case s.Sensors < 2:
		return fmt.Errorf("problems: sensors = %d: use at least 2", s.Sensors)
	case s.Points < 2:
		return fmt.Errorf("problems: points = %d: use at least 2", s.Points)
	}
	return checkPeriodic(s)
}

// Generate returns n function pairs from the given split. Training targets
// get independent Gaussian noise of standard deviation sigma; a test split
// must have sigma = 0. Functions are generated in parallel, each from its own
// generator, so the result does not depend on the number of threads.
func Generate(s Spec, n int, seed uint64, split Split, sigma float64) (*Dataset, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("problems: n = %d functions: it must be positive", n)
	}
	if sigma < 0 {
		return nil, fmt.Errorf("problems: noise sigma = %g: it must be ≥ 0", sigma)
	}
	if split == Test && sigma != 0 {
		return nil, fmt.Errorf("problems: test sets are noiseless, got sigma = %g", sigma)
	}
	d1, d2 := s.Operator.InDim(), s.Operator.OutDim()
	ds := &Dataset{
		N: n, M: pow(s.Sensors, d1), P: pow(s.Points, d2), D1: d1, D2: d2,
	}
	ds.X = Grid(s.Sensors, d1)
	ds.Y = Grid(s.Points, d2)
	ds.U = make([]float64, ds.N*ds.M)
	ds.V = make([]float64, ds.N*ds.P)

	if err := parallelFill(n, func(i int) error { return ds.fill(s, i, seed, split, sigma) }); err != nil {
		return nil, err
	}
	return ds, nil
}

// GenerateInputs returns the input functions of Generate(s, n, seed, split,
// σ) alone, for any σ: the n×M matrix U, without solving for the outputs.
// Each input comes from a stream of its own, apart from the outputs' noise,
// so U is the same bits as the full set's.
func GenerateInputs(s Spec, n int, seed uint64, split Split) ([]float64, int, error) {
	if err := s.Validate(); err != nil {
		return nil, 0, err
	}
	if n <= 0 {
		return nil, 0, fmt.Errorf("problems: n = %d functions: it must be positive", n)
	}
	d1 := s.Operator.InDim()
	m := pow(s.Sensors, d1)
	x := Grid(s.Sensors, d1)
	u := make([]float64, n*m)
	parallelFill(n, func(i int) error {
		drawInput(s, x, d1, u[i*m:(i+1)*m], seed, split, i)
		return nil
	})
	return u, m, nil
}

// parallelFill calls fill for i = 0…n−1 on every core. Each function draws
// from its own generator, so the result does not depend on the number of
// threads; the first error a worker meets stops that worker.
func parallelFill(n int, fill func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := fill(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// fill generates function i of the set.
func (ds *Dataset) fill(s Spec, i int, seed uint64, split Split, sigma float64) error {
	u := drawInput(s, ds.X, ds.D1, ds.U[i*ds.M:(i+1)*ds.M], seed, split, i)
	return applyNoisy(s, u, ds.V[i*ds.P:(i+1)*ds.P], ds.Y, seed, split, i, sigma)
}

// drawInput draws input function i of a split from its own stream and writes
// it at the sensors x (each d1 coordinates) into row.
func drawInput(s Spec, x []float64, d1 int, row []float64, seed uint64, split Split, i int) Func {
	u := s.Family.Sample(rand.New(rand.NewPCG(seed, functionStream(split, i))))
	for j := range row {
		row[j] = u(x[j*d1 : (j+1)*d1])
	}
	return u
}

// applyNoisy writes G(u) at the points y into out and adds function i's
// target noise of standard deviation sigma, from a stream of its own.
func applyNoisy(s Spec, u Func, out, y []float64, seed uint64, split Split, i int, sigma float64) error {
	if err := s.Operator.Apply(out, u, y); err != nil {
		return fmt.Errorf("problems: %s on function %d: %w", s.Operator.Name(), i, err)
	}
	if sigma > 0 {
		noise := rand.New(rand.NewPCG(seed, noisePointStream(split, i)))
		for j := range out {
			out[j] += sigma * noise.NormFloat64()
		}
	}
	return nil
}

// Grid returns the tensor grid of q equispaced points per axis on [0,1]^d,
// end points included, as a q^d×d row-major matrix with the last axis
// varying fastest.
func Grid(q, d int) []float64 {
	total := pow(q, d)
	g := make([]float64, total*d)
	for i := range total {
		r := i
		for a := d - 1; a >= 0; a-- {
			g[i*d+a] = float64(r%q) / float64(q-1)
			r /= q
		}
	}
	return g
}

func pow(q, d int) int {
	p := 1
	for range d {
		p *= q
	}
	return p
}
