package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// JointLaw is e(N, n) = A·(N/N0)^{−αN} + B·(n/n0)^{−αn} + C: a model term
// that parameters remove, a data term that functions remove, and a floor
// neither removes (optimisation, precision, noise in the targets). Sizes are
// taken relative to the proof of concept's largest, N0 and n0, so that A and
// B are the two terms' shares of the error there.
//
// The additive form is the one the theorems' own error splits take
// (approximation plus estimation, DESIGN.md §1) and the one scaling studies
// fit (Rosenfeld et al. 2020, Hoffmann et al. 2022). It is identifiable from
// the planner's L-shaped grid: the model sweep fixes A and αN and the sum
// B + C, the data sweep B and αn and A + C.
type JointLaw struct {
	A, AlphaN, B, AlphaD, C float64
	N0, D0                  float64
}

// At is the law's error at N parameters and n training functions.
func (l JointLaw) At(N, n float64) float64 {
	return l.A*math.Pow(N/l.N0, -l.AlphaN) + l.B*math.Pow(n/l.D0, -l.AlphaD) + l.C
}

// lawPoint is the mean error at one grid point, one value per seed.
type lawPoint struct {
	N, D   float64
	Values []float64
}

// The exponent scan: coarse over (0, lawMaxAlpha], then twice finer
// around the optimum so far. The fine step (0.004) is below the intervals'
// usual width, so the scan's resolution does not show in them.
const (
	lawMaxAlpha   = 3.0
	lawCoarseStep = 0.1
	lawMidStep    = 0.02
	lawFineStep   = 0.004
)

// fitJointLaw fits the law to the means of the points by minimising the
// relative residual Σ((law − e)/e)², as the floor fit of a single sweep
// does. For fixed exponents the law is linear in (A, B, C) ≥ 0, solved
// exactly by trying every active set; the exponents are scanned.
func fitJointLaw(pts []lawPoint, n0, d0 float64) (JointLaw, error) {
	es := make([]float64, len(pts))
	for i, p := range pts {
		es[i] = meanOf(p.Values)
	}
	return fitJointLawMeans(pts, es, n0, d0)
}

func meanOf(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func fitJointLawMeans(pts []lawPoint, es []float64, n0, d0 float64) (JointLaw, error) {
	if len(pts) < 4 {
		return JointLaw{}, fmt.Errorf("harness: %d grid points: the joint law has 5 unknowns and needs at least 4 points with distinct sizes", len(pts))
	}
	for i, e := range es {
		if !(e > 0) || math.IsInf(e, 0) {
			return JointLaw{}, fmt.Errorf("harness: error %g at N=%g, n=%g: errors must be positive and finite", e, pts[i].N, pts[i].D)
		}
	}
	lx := make([]float64, len(pts))
	ly := make([]float64, len(pts))
	for i, p := range pts {
		lx[i], ly[i] = math.Log(p.N/n0), math.Log(p.D/d0)
	}
	best := JointLaw{N0: n0, D0: d0}
	bestCost := math.Inf(1)
	// The columns depend on one exponent each: tabulate them once per scan.
	powers := func(l []float64, lo, hi, step float64) (alphas []float64, cols [][]float64) {
		for k := 0; ; k++ {
			al := lo + float64(k)*step
			if al > hi+1e-12 {
				break
			}
			if al <= 0 {
				continue
			}
			col := make([]float64, len(l))
			for i, v := range l {
				col[i] = math.Exp(-al * v)
			}
			alphas, cols = append(alphas, al), append(cols, col)
		}
		return alphas, cols
	}
	scan := func(aLo, aHi, bLo, bHi, step float64) {
		ans, xs := powers(lx, aLo, aHi, step)
		ads, ys := powers(ly, bLo, bHi, step)
		for i, an := range ans {
			for j, ad := range ads {
				a, b, c, cost := lawNNLSCols(xs[i], ys[j], es)
				if cost < bestCost {
					bestCost = cost
					best.A, best.B, best.C, best.AlphaN, best.AlphaD = a, b, c, an, ad
				}
			}
		}
	}
	scan(lawCoarseStep, lawMaxAlpha, lawCoarseStep, lawMaxAlpha, lawCoarseStep)
	// Each refinement spans two steps of the level above either side: the
	// amplitudes trade off against the exponents, so an optimum on a coarse
	// grid can sit a step beyond the nearest point to the true one.
	for _, lv := range [][2]float64{{lawMidStep, 2 * lawCoarseStep}, {lawFineStep, 2 * lawMidStep}} {
		step, reach := lv[0], lv[1]
		an, ad := best.AlphaN, best.AlphaD
		scan(an-reach, min(an+reach, lawMaxAlpha), ad-reach, min(ad+reach, lawMaxAlpha), step)
	}
	if math.IsInf(bestCost, 1) {
		return JointLaw{}, fmt.Errorf("harness: the joint law has no non-negative fit to these errors")
	}
	return best, nil
}

// lawNNLS solves min Σ((A·x_i + B·y_i + C − e_i)/e_i)² over A, B, C ≥ 0 with
// x_i = e^{−αN·lx_i}, y_i = e^{−αn·ly_i}: the unconstrained optimum of each
// of the seven non-empty active sets, keeping the best feasible one (one of
// them is the constrained optimum, the problem being convex). Everything
// comes from the 3×3 Gram matrix of the weighted columns and their sums,
// the right-hand side being all ones.
func lawNNLS(lx, ly, es []float64, an, ad float64) (a, b, c, cost float64) {
	x, y := make([]float64, len(es)), make([]float64, len(es))
	for i := range es {
		x[i], y[i] = math.Exp(-an*lx[i]), math.Exp(-ad*ly[i])
	}
	return lawNNLSCols(x, y, es)
}

// lawNNLSCols is lawNNLS with the powers x_i and y_i given.
func lawNNLSCols(xs, ys, es []float64) (a, b, c, cost float64) {
	var g [3][3]float64
	var r [3]float64
	for i, e := range es {
		col := [3]float64{xs[i] / e, ys[i] / e, 1 / e}
		for j := range 3 {
			r[j] += col[j]
			for k := j; k < 3; k++ {
				g[j][k] += col[j] * col[k]
			}
		}
	}
	for j := range 3 {
		for k := range j {
			g[j][k] = g[k][j]
		}
	}
	n := float64(len(es))
	cost = math.Inf(1)
	for set := 1; set < 8; set++ {
		var buf [3]int
		idx := buf[:0]
		for k := range 3 {
			if set&(1<<k) != 0 {
				idx = append(idx, k)
			}
		}
		coef, ok := solveGram(&g, &r, idx)
		if !ok {
			continue
		}
		var x [3]float64
		feasible := true
		for j, k := range idx {
			x[k] = coef[j]
			feasible = feasible && coef[j] >= 0
		}
		if !feasible {
			continue
		}
		// ‖Jx − 1‖² = xᵀGx − 2xᵀr + n.
		var q float64
		for j := range 3 {
			q -= 2 * x[j] * r[j]
			for k := range 3 {
				q += x[j] * g[j][k] * x[k]
			}
		}
		q = max(q+n, 0)
		if q < cost {
			cost, a, b, c = q, x[0], x[1], x[2]
		}
	}
	return a, b, c, cost
}

// solveGram solves the normal equations restricted to the columns idx by
// Gaussian elimination with partial pivoting; ok is false for a
// (numerically) singular system.
func solveGram(gram *[3][3]float64, rhs *[3]float64, idx []int) ([3]float64, bool) {
	k := len(idx)
	var g [3][4]float64
	scale := 0.0
	for i, a := range idx {
		for j, b := range idx {
			g[i][j] = gram[a][b]
		}
		g[i][k] = rhs[a]
		scale = max(scale, g[i][i])
	}
	for p := range k {
		piv := p
		for r := p + 1; r < k; r++ {
			if math.Abs(g[r][p]) > math.Abs(g[piv][p]) {
				piv = r
			}
		}
		// Columns nearly collinear (an exponent near 0 makes its term a
		// second constant) leave a pivot at rounding level: no unique fit.
		if math.Abs(g[piv][p]) <= 1e-10*scale {
			return [3]float64{}, false
		}
		g[p], g[piv] = g[piv], g[p]
		for r := p + 1; r < k; r++ {
			f := g[r][p] / g[p][p]
			for s := p; s <= k; s++ {
				g[r][s] -= f * g[p][s]
			}
		}
	}
	var x [3]float64
	for r := k - 1; r >= 0; r-- {
		v := g[r][k]
		for s := r + 1; s < k; s++ {
			v -= g[r][s] * x[s]
		}
		x[r] = v / g[r][r]
	}
	return x, true
}

// lawReps is the number of bootstrap replicates of the joint law. Each
// refits the law (a few milliseconds); 400 put the Monte Carlo error of a
// 2.5% quantile at about a tenth of the interval's width.
const lawReps = 400

// bootstrapLaw refits the law on replicates that draw seeds with
// replacement, one draw per replicate used at every grid point: a seed's
// runs share their data subset, initialisation and batch order, so seeds
// are the independent units. Replicates whose fit fails are left out.
func bootstrapLaw(pts []lawPoint, seeds int, n0, d0 float64, seed uint64) []JointLaw {
	rng := rand.New(rand.NewPCG(seed, 0x6c6177)) // "law"
	out := make([]JointLaw, 0, lawReps)
	es := make([]float64, len(pts))
	pick := make([]int, seeds)
	for range lawReps {
		for i := range pick {
			pick[i] = rng.IntN(seeds)
		}
		for i, p := range pts {
			var s float64
			for _, k := range pick {
				s += p.Values[k]
			}
			es[i] = s / float64(seeds)
		}
		if l, err := fitJointLawMeans(pts, es, n0, d0); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// Interval is a value with its 95% bootstrap interval.
type Interval struct {
	V, Lo, Hi float64
}

// percentiles returns the 2.5% and 97.5% quantiles (nearest rank) of v;
// +Inf entries (an unreachable size in that replicate) sort last.
func percentiles(v []float64) (lo, hi float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return q(0.025), q(0.975)
}

func intervalOf(point float64, reps []JointLaw, f func(JointLaw) float64) Interval {
	v := make([]float64, len(reps))
	for i, l := range reps {
		v[i] = f(l)
	}
	lo, hi := percentiles(v)
	return Interval{V: point, Lo: lo, Hi: hi}
}

// halvingFactor is the factor by which data (or parameters) must grow, the
// other held, to halve the law's error at (N0, n0); +Inf when that term is
// not half the error.
func (l JointLaw) halvingFactor(data bool) float64 {
	e0 := l.A + l.B + l.C
	term, alpha := l.A, l.AlphaN
	if data {
		term, alpha = l.B, l.AlphaD
	}
	if term <= e0/2 {
		return math.Inf(1)
	}
	return math.Pow(term/(term-e0/2), 1/alpha)
}

// sizesFor returns the sizes, relative to (N0, n0), that reach error
// target when the margin above the floor is split evenly between the two
// terms; +Inf when the floor is at or above the target.
func (l JointLaw) sizesFor(target float64) (kN, kD float64) {
	m := target - l.C
	if m <= 0 {
		return math.Inf(1), math.Inf(1)
	}
	kN, kD = 1, 1
	if l.A > 0 {
		kN = max(math.Pow(2*l.A/m, 1/l.AlphaN), 0)
	}
	if l.B > 0 {
		kD = max(math.Pow(2*l.B/m, 1/l.AlphaD), 0)
	}
	return kN, kD
}

// alone returns the factor of one resource alone, the other held at the
// proof of concept's, that reaches target; +Inf when it cannot.
func (l JointLaw) alone(target float64, data bool) float64 {
	other, term, alpha := l.B, l.A, l.AlphaN
	if data {
		other, term, alpha = l.A, l.B, l.AlphaD
	}
	m := target - l.C - other
	if m <= 0 {
		return math.Inf(1)
	}
	if term <= m {
		return 1
	}
	return math.Pow(term/m, 1/alpha)
}
