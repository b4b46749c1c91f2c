package problems

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// Characteristics solves w_t + a(x)·w_x = 0 on the periodic unit interval by
// the method of characteristics: w(x, T) = w(X, 0) where X is the foot of the
// characteristic through (x, T), found by integrating dX/ds = −a(X) over
// [0, T] with Steps classical RK4 steps (error O((T/Steps)⁴) for smooth a).
// The velocity must be positive; a is read periodically, a(x mod 1).
type Characteristics struct {
	T     float64
	Steps int
}

// Foot returns the foot of the characteristic through (x, T), in [0,1).
func (c Characteristics) Foot(x float64, a func(float64) float64) float64 {
	dt := c.T / float64(c.Steps)
	v := func(x float64) float64 { return -a(wrap(x)) }
	for range c.Steps {
		k1 := v(x)
		k2 := v(x + dt/2*k1)
		k3 := v(x + dt/2*k2)
		k4 := v(x + dt*k3)
		x += dt / 6 * (k1 + 2*k2 + 2*k3 + k4)
	}
	return wrap(x)
}

// wrap maps x to [0,1).
func wrap(x float64) float64 {
	x -= math.Floor(x)
	if x >= 1 { // −tiny − floor(−tiny) rounds to 1
		x = 0
	}
	return x
}

// checkTime validates the final time and step count shared by both
// advection operators.
func checkTime(name string, t float64, steps int) error {
	if !(t > 0) || math.IsInf(t, 0) {
		return fmt.Errorf("problems: %s final time T = %g: it must be positive and finite", name, t)
	}
	if steps < 1 {
		return fmt.Errorf("problems: %s Steps = %d RK4 steps: use at least 1", name, steps)
	}
	return nil
}

// Advection is the linear operator w(·,0) ↦ w(·,T) of w_t + a(x)·w_x = 0 on
// the periodic unit interval with the fixed velocity a(x) = A·(1 + ε·sin 2πx),
// A > 0, |ε| < 1 (ε = 0 is a pure shift by A·T). The input function is the
// initial state, read periodically: an input with u(0) ≠ u(1) is transported
// with its jump. Because a is fixed, the characteristic feet of the output
// points are traced once and every input is evaluated there exactly, so the
// operator costs P evaluations of u.
type Advection struct {
	A, Epsilon float64
	Char       Characteristics

	mu    sync.Mutex
	lastY []float64
	feet  []float64
}

// NewAdvection returns the linear advection operator.
func NewAdvection(a, eps, t float64, steps int) (*Advection, error) {
	if !(a > 0) || math.IsInf(a, 0) {
		return nil, fmt.Errorf("problems: advection Velocity = %g: the velocity must be positive and finite", a)
	}
	if !(math.Abs(eps) < 1) {
		return nil, fmt.Errorf("problems: advection Epsilon = %g: need |ε| < 1, or the velocity A·(1 + ε sin 2πx) is not positive", eps)
	}
	if err := checkTime("advection", t, steps); err != nil {
		return nil, err
	}
	return &Advection{A: a, Epsilon: eps, Char: Characteristics{T: t, Steps: steps}}, nil
}

func (o *Advection) Name() string {
	return fmt.Sprintf("advection(a=%g,eps=%g,T=%g,steps=%d)", o.A, o.Epsilon, o.Char.T, o.Char.Steps)
}
func (o *Advection) InDim() int  { return 1 }
func (o *Advection) OutDim() int { return 1 }

// Velocity is the fixed a(x).
func (o *Advection) Velocity(x float64) float64 {
	return o.A * (1 + o.Epsilon*math.Sin(2*math.Pi*x))
}

func (o *Advection) Apply(dst []float64, u Func, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	feet := o.footPoints(y)
	x := []float64{0}
	for j, f := range feet {
		x[0] = f
		dst[j] = u(x)
	}
	return nil
}

// footPoints returns the feet of the characteristics through the points y,
// reusing the last set when y is unchanged (a dataset asks for the same
// points for every function).
func (o *Advection) footPoints(y []float64) []float64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !slices.Equal(y, o.lastY) {
		feet := make([]float64, len(y))
		for j, yj := range y {
			feet[j] = o.Char.Foot(yj, o.Velocity)
		}
		o.lastY, o.feet = slices.Clone(y), feet
	}
	return o.feet
}

// AdvectionVelocity is the nonlinear operator u ↦ w(·,T) of
// w_t + a(x)·w_x = 0 on the periodic unit interval, from the fixed initial
// state w(x,0) = sin 2πx, with the velocity a(x) = A·exp(Amplitude·u(x))
// built from the input u: positive for every input, and Lipschitz in u
// (on bounded sets). The velocity is tabulated at Grid equispaced nodes of
// the period and read by periodic 4-point Lagrange interpolation (error
// O(Grid⁻⁴) for smooth u), so that an RK4 stage costs no evaluation of u;
// the initial state is evaluated exactly at the feet.
type AdvectionVelocity struct {
	A, Amplitude float64
	Grid         int
	Char         Characteristics
}

// NewAdvectionVelocity returns the nonlinear advection operator.
func NewAdvectionVelocity(a, amplitude, t float64, steps, grid int) (*AdvectionVelocity, error) {
	if !(a > 0) || math.IsInf(a, 0) {
		return nil, fmt.Errorf("problems: advection-velocity Velocity = %g: the base velocity must be positive and finite", a)
	}
	if math.IsNaN(amplitude) || math.IsInf(amplitude, 0) {
		return nil, fmt.Errorf("problems: advection-velocity Amplitude = %g: it must be finite", amplitude)
	}
	if grid < 4 {
		return nil, fmt.Errorf("problems: advection-velocity Grid = %d velocity nodes: use at least 4", grid)
	}
	if err := checkTime("advection-velocity", t, steps); err != nil {
		return nil, err
	}
	return &AdvectionVelocity{A: a, Amplitude: amplitude, Grid: grid, Char: Characteristics{T: t, Steps: steps}}, nil
}

func (o *AdvectionVelocity) Name() string {
	return fmt.Sprintf("advection-velocity(a=%g,amp=%g,T=%g,steps=%d,grid=%d)", o.A, o.Amplitude, o.Char.T, o.Char.Steps, o.Grid)
}
func (o *AdvectionVelocity) InDim() int  { return 1 }
func (o *AdvectionVelocity) OutDim() int { return 1 }

// Initial is the fixed initial state.
func (o *AdvectionVelocity) Initial(x float64) float64 { return math.Sin(2 * math.Pi * x) }

func (o *AdvectionVelocity) Apply(dst []float64, u Func, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	g := o.Grid
	tab := make([]float64, g)
	x := []float64{0}
	for i := range tab {
		x[0] = float64(i) / float64(g)
		tab[i] = o.A * math.Exp(o.Amplitude*u(x))
	}
	a := newPeriodicTable(tab)
	for j, yj := range y {
		dst[j] = o.Initial(a.foot(o.Char, yj))
	}
	return nil
}

// SolveVelocity returns w(y, T) for the velocity a given directly, with the
// fixed initial state; it fails if a is not positive at the tabulation nodes.
func (o *AdvectionVelocity) SolveVelocity(dst []float64, a func(float64) float64, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	tab := make([]float64, o.Grid)
	for i := range tab {
		x := float64(i) / float64(o.Grid)
		tab[i] = a(x)
		if !(tab[i] > 0) {
			return fmt.Errorf("problems: advection velocity a(%g) = %g: it must be positive", x, tab[i])
		}
	}
	ai := newPeriodicTable(tab)
	for j, yj := range y {
		dst[j] = o.Initial(ai.foot(o.Char, yj))
	}
	return nil
}

// periodicTable is a velocity tabulated at the nodes i/g of the period,
// read by cubic Lagrange interpolation through the 4 nearest nodes (error
// O(g⁻⁴) for smooth velocities). The table is padded by one node before and
// two after so that reading needs no modulo beyond locating the cell.
type periodicTable struct {
	pad []float64
	g   float64
	n   int
}

func newPeriodicTable(tab []float64) *periodicTable {
	g := len(tab)
	pad := make([]float64, g+3)
	pad[0] = tab[g-1]
	copy(pad[1:], tab)
	pad[g+1], pad[g+2] = tab[0], tab[1%g]
	return &periodicTable{pad: pad, g: float64(g), n: g}
}

// at returns the interpolated velocity at any real x, read periodically.
func (p *periodicTable) at(x float64) float64 {
	// Shifting by one period makes s positive for x > −1, where truncation
	// is the floor; farther out math.Floor takes over.
	s := x*p.g + p.g
	var fl float64
	if s >= 0 {
		fl = float64(int(s))
	} else {
		fl = math.Floor(s)
	}
	t := s - fl
	i := int(fl)
	// The tracer keeps x within a period or so of [0,1): a branch or two
	// is cheaper than an integer division.
	for i < 0 {
		i += p.n
	}
	for i >= p.n {
		i -= p.n
	}
	y := p.pad[i : i+4 : i+4] // nodes i−1 … i+2
	tm, t1, t2 := t+1, t-1, t-2
	return -t*t1*t2/6*y[0] + tm*t1*t2/2*y[1] - tm*t*t2/2*y[2] + tm*t*t1/6*y[3]
}

// foot is Characteristics.Foot specialised to a table, to spare the
// indirect call at each of the 4·Steps stages.
func (p *periodicTable) foot(c Characteristics, x float64) float64 {
	dt := c.T / float64(c.Steps)
	for range c.Steps {
		k1 := -p.at(x)
		k2 := -p.at(x + dt/2*k1)
		k3 := -p.at(x + dt/2*k2)
		k4 := -p.at(x + dt*k3)
		x += dt / 6 * (k1 + 2*k2 + 2*k3 + k4)
		if x < 0 {
			x++
		}
	}
	return wrap(x)
}

// checkOut checks a 1D output request: buffer length and points in [0,1].
func checkOut(dst, y []float64) error {
	if len(dst) < len(y) {
		return fmt.Errorf("problems: output buffer holds %d values, need %d", len(dst), len(y))
	}
	for j, yj := range y {
		if !(yj >= 0 && yj <= 1) {
			return fmt.Errorf("problems: output point y[%d] = %g lies outside [0,1]", j, yj)
		}
	}
	return nil
}
