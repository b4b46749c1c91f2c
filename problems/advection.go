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
// initial state, read periodically: an input with u(0) ≠ u(1) would be
// transported with its jump, so the operator asks for periodic inputs
// (PeriodicInputs) and NewSpec gives it the periodic form of its family.
// Because a is fixed, the characteristic feet of the output points are
// traced once and every input is evaluated there exactly, so the operator
// costs P evaluations of u.
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

// PeriodicInputs is true: an input with u(0) ≠ u(1) would put a jump
// into the output, wherever the characteristics carry the wrap.
func (o *Advection) PeriodicInputs() bool { return true }

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
//
// Both orders need u smooth on the circle: a jump of u at the wrap
// (u(0) ≠ u(1)) makes a jump in a that RK4 steps across and the table
// interpolates across, which caps the map at first order (a kink, at
// second). So the operator asks for periodic inputs (PeriodicInputs), and
// NewSpec gives it the periodic form of its family. Kinks inside the period
// (rough inputs) cap it at second order in the same way.
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

// PeriodicInputs is true: the tracer and the velocity table read a
// periodically, and a jump (kink) of the input at the wrap would cap them at
// first (second) order.
func (o *AdvectionVelocity) PeriodicInputs() bool { return true }

// Initial is the fixed initial state.
func (o *AdvectionVelocity) Initial(x float64) float64 { return math.Sin(2 * math.Pi * x) }

// Apply solves for the velocity a(x) = A·exp(Amplitude·u(x)) built from u.
func (o *AdvectionVelocity) Apply(dst []float64, u Func, y []float64) error {
	x := []float64{0}
	return o.SolveVelocity(dst, func(s float64) float64 {
		x[0] = s
		return o.A * math.Exp(o.Amplitude*u(x))
	}, y)
}

// SolveVelocity returns w(y, T) for the velocity a given directly, with the
// fixed initial state; it fails if a is not positive and finite at the
// tabulation nodes. a is read at the nodes i/Grid, i < Grid, of [0,1) only.
func (o *AdvectionVelocity) SolveVelocity(dst []float64, a func(float64) float64, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	tab := make([]float64, o.Grid)
	for i := range tab {
		x := float64(i) / float64(o.Grid)
		tab[i] = a(x)
		if !(tab[i] > 0) || math.IsInf(tab[i], 0) {
			return fmt.Errorf("problems: advection velocity a(%g) = %g: it must be positive and finite", x, tab[i])
		}
	}
	feet := dst[:len(y)]
	copy(feet, y)
	if err := newPeriodicTable(tab).feet(o.Char, feet); err != nil {
		return err
	}
	for j, x := range feet {
		dst[j] = o.Initial(x)
	}
	return nil
}

// periodicTable is a velocity tabulated at the nodes i/g of the period,
// read by cubic Lagrange interpolation through the 4 nearest nodes (error
// O(g⁻⁴) for smooth velocities). The table is laid out over three periods,
// [−1, 2), plus one node before and two after, so that a read needs neither
// a floor nor a modulo: the tracer keeps its points in that range.
type periodicTable struct {
	pad  []float64
	g    float64
	vmax float64
}

func newPeriodicTable(tab []float64) *periodicTable {
	g := len(tab)
	pad := make([]float64, 3*g+3)
	for i := range pad {
		pad[i] = tab[((i-1)%g+g)%g]
	}
	vmax := 0.0
	for _, v := range tab {
		vmax = max(vmax, v)
	}
	return &periodicTable{pad: pad, g: float64(g), vmax: vmax}
}

// at returns the interpolated velocity at x ∈ [−1, 2).
func (p *periodicTable) at(x float64) float64 {
	s := (x + 1) * p.g
	i := int(s) // s ≥ 0: truncation is the floor
	t := s - float64(i)
	y := p.pad[i : i+4 : i+4] // nodes i−1 … i+2
	tm, t1, t2 := t+1, t-1, t-2
	// Lagrange weights w₋₁ = −a(t−2)/6, w₀ = b(t−1)/2, w₁ = −bt/2,
	// w₂ = a(t+1)/6 with a = t(t−1), b = (t+1)(t−2); the divisions are
	// folded into constants (a division costs as much as the rest).
	a, b := t*t1, tm*t2
	return a*(tm*y[3]-t2*y[0])*(1.0/6) + b*(t1*y[1]-t*y[2])*0.5
}

// feet replaces each x in xs by the foot of its characteristic: RK4 as in
// Characteristics.Foot, specialised to a table. The step loop is outside the
// point loop so that the independent characteristics overlap in the CPU's
// pipeline; one alone is a chain of dependent latencies.
func (p *periodicTable) feet(c Characteristics, xs []float64) error {
	dt := c.T / float64(c.Steps)
	// Points start a step in [0,1) and move back by at most dt·vmax per
	// stage; under half a period keeps every read in [−1, 2).
	if dt*p.vmax >= 0.5 {
		return fmt.Errorf("problems: advection: %d RK4 steps are too few for velocities up to %g over T = %g (need Steps > 2·T·max a = %g)",
			c.Steps, p.vmax, c.T, 2*c.T*p.vmax)
	}
	for range c.Steps {
		for j, x := range xs {
			k1 := -p.at(x)
			k2 := -p.at(x + dt/2*k1)
			k3 := -p.at(x + dt/2*k2)
			k4 := -p.at(x + dt*k3)
			x += dt / 6 * (k1 + 2*k2 + 2*k3 + k4)
			if x < 0 {
				x++
			}
			xs[j] = min(x, math.Nextafter(1, 0))
		}
	}
	for j, x := range xs {
		xs[j] = wrap(x)
	}
	return nil
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
