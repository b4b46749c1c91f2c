package problems

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Poisson2D is the operator f ↦ w with −Δw = f on the unit square and
// w = 0 on its boundary (d1 = d2 = 2). It solves the 5-point scheme on a
// Grid×Grid mesh of cells: the discrete Laplacian with zero Dirichlet data is
// diagonal in the sine basis, so two 2D discrete sine transforms (gonum
// dsp/fourier, type I) and a division by its eigenvalues solve it in
// O(M² log M) for M = Grid. The scheme is second order and w is interpolated
// bilinearly (also O(h²)) at the output points.
type Poisson2D struct {
	Grid int

	lambda []float64 // (4/h²)·sin²(πk/2M), k = 1..M−1
	pool   sync.Pool // *poisson2DWork
}

type poisson2DWork struct {
	dst      *fourier.DST
	w        []float64 // (M+1)² nodal values, boundary included
	row, out []float64
}

// NewPoisson2D returns the solver on a mesh of grid×grid cells.
func NewPoisson2D(grid int) (*Poisson2D, error) {
	if grid < 2 {
		return nil, fmt.Errorf("problems: poisson2d Grid = %d cells per axis: use at least 2", grid)
	}
	p := &Poisson2D{Grid: grid}
	h := 1 / float64(grid)
	p.lambda = make([]float64, grid-1)
	for k := range p.lambda {
		s := math.Sin(math.Pi * float64(k+1) / float64(2*grid))
		p.lambda[k] = 4 * s * s / (h * h)
	}
	p.pool.New = func() any {
		n := grid - 1
		return &poisson2DWork{
			dst: fourier.NewDST(n),
			w:   make([]float64, (grid+1)*(grid+1)),
			row: make([]float64, n),
			out: make([]float64, n),
		}
	}
	return p, nil
}

func (p *Poisson2D) Name() string { return fmt.Sprintf("poisson2d(grid=%d)", p.Grid) }
func (p *Poisson2D) InDim() int   { return 2 }
func (p *Poisson2D) OutDim() int  { return 2 }

func (p *Poisson2D) Apply(dst []float64, f Func, y []float64) error {
	if len(dst) < len(y)/2 {
		return fmt.Errorf("problems: output buffer holds %d values, need %d", len(dst), len(y)/2)
	}
	ws := p.pool.Get().(*poisson2DWork)
	defer p.pool.Put(ws)
	p.solve(ws, f)
	wf := gridFunc(ws.w, p.Grid+1, 2)
	for j := range len(y) / 2 {
		a, b := y[2*j], y[2*j+1]
		if a < 0 || a > 1 || b < 0 || b > 1 {
			return fmt.Errorf("problems: output point y[%d] = (%g, %g) lies outside [0,1]²", j, a, b)
		}
		dst[j] = wf(y[2*j : 2*j+2])
	}
	return nil
}

// Solve returns w at the (Grid+1)² mesh nodes, boundary included, row-major
// with the second coordinate varying fastest.
func (p *Poisson2D) Solve(f Func) []float64 {
	ws := p.pool.Get().(*poisson2DWork)
	defer p.pool.Put(ws)
	p.solve(ws, f)
	return append([]float64(nil), ws.w...)
}

func (p *Poisson2D) solve(ws *poisson2DWork, f Func) {
	m := p.Grid
	q := m + 1
	h := 1 / float64(m)
	w := ws.w
	clear(w)
	x := make([]float64, 2)
	for i := 1; i < m; i++ {
		x[0] = float64(i) * h
		for j := 1; j < m; j++ {
			x[1] = float64(j) * h
			w[i*q+j] = f(x)
		}
	}
	// Transform along rows, then columns, in place in the interior of w.
	// Each DST-I is its own inverse up to 2(n+1) = 2M, so the round trip
	// divides by (2M)².
	p.transform(ws, w)
	scale := 1 / float64(4*m*m)
	for i := 1; i < m; i++ {
		for j := 1; j < m; j++ {
			w[i*q+j] *= scale / (p.lambda[i-1] + p.lambda[j-1])
		}
	}
	p.transform(ws, w)
}

// transform applies the 2D DST-I to the interior nodes of w.
func (p *Poisson2D) transform(ws *poisson2DWork, w []float64) {
	m := p.Grid
	q := m + 1
	n := m - 1
	for i := 1; i < m; i++ {
		r := w[i*q+1 : i*q+1+n]
		ws.dst.Transform(r, r)
	}
	for j := 1; j < m; j++ {
		for i := range n {
			ws.row[i] = w[(i+1)*q+j]
		}
		ws.dst.Transform(ws.out, ws.row)
		for i := range n {
			w[(i+1)*q+j] = ws.out[i]
		}
	}
}
