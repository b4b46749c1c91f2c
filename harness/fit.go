package harness

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/montanaflynn/stats"
	"gonum.org/v1/gonum/stat"
)

// Point is the error measured at one size of a sweep, one value per seed.
type Point struct {
	Size   float64
	Values []float64
}

// Aggregate reduces the per-seed errors of a point to one.
type Aggregate int

const (
	Mean Aggregate = iota // data-size sweeps: the expected error
	Best                  // model-size sweeps: approximation is an infimum
)

func (a Aggregate) of(v []float64) float64 {
	if a == Best {
		m := v[0]
		for _, x := range v[1:] {
			m = min(m, x)
		}
		return m
	}
	return stat.Mean(v, nil)
}

// Fit is a power law e ≈ A·x^{−α} fitted by least squares on log e against
// log x, with a bootstrap confidence interval over seeds.
type Fit struct {
	Exponent   float64 // α̂, the decay exponent (minus the slope)
	LogA       float64 // intercept, ln A
	CILo, CIHi float64 // 95% bootstrap interval of α̂
	Lo, Hi     float64 // the fit range: smallest and largest size used
	Used       []bool  // which points entered the fit
	Saturated  []bool  // points taken to sit on a floor, excluded from the fit
	Floor      FloorFit
}

// FloorFit is e ≈ A·x^{−α} + c, shown beside the pure power law.
type FloorFit struct {
	A, Alpha, C float64
	// Preferred is set when the floor term explains the data clearly better
	// than the pure power law (relative residual at most half of it).
	Preferred bool
}

// bootstrapReps is the number of bootstrap resamples. 2000 puts the Monte
// Carlo error of a 2.5% quantile well below the interval's own width.
const bootstrapReps = 2000

// FitPowerLaw fits the aggregated errors of the points, which must have
// increasing positive sizes and positive values. Points on a detected floor
// are excluded while at least three remain. The bootstrap resamples seeds
// with replacement within each size, with a fixed generator so that a report
// is reproducible.
func FitPowerLaw(points []Point, agg Aggregate) (Fit, error) {
	if len(points) < 2 {
		return Fit{}, fmt.Errorf("harness: %d sizes: need at least 2 to fit a slope", len(points))
	}
	xs := make([]float64, len(points))
	ys := make([]float64, len(points))
	for i, p := range points {
		if len(p.Values) == 0 {
			return Fit{}, fmt.Errorf("harness: size %g has no values", p.Size)
		}
		xs[i], ys[i] = p.Size, agg.of(p.Values)
		if !(p.Size > 0 && ys[i] > 0) {
			return Fit{}, fmt.Errorf("harness: size %g, error %g: both must be positive to fit on log scales", p.Size, ys[i])
		}
	}
	f := Fit{Used: make([]bool, len(points)), Saturated: make([]bool, len(points))}
	f.Floor = fitFloor(xs, ys)
	used := 0
	for i := range points {
		f.Saturated[i] = f.Floor.Preferred && f.Floor.C >= ys[i]/2
		if !f.Saturated[i] {
			used++
		}
	}
	for i := range points {
		f.Used[i] = used < 3 || !f.Saturated[i]
		if used < 3 {
			f.Saturated[i] = false
		}
	}
	lx, ly := logsOf(xs, ys, f.Used)
	f.LogA, f.Exponent = lineFit(lx, ly)
	f.Lo, f.Hi = math.Inf(1), math.Inf(-1)
	for i, u := range f.Used {
		if u {
			f.Lo, f.Hi = min(f.Lo, xs[i]), max(f.Hi, xs[i])
		}
	}

	rng := rand.New(rand.NewPCG(2024, 10))
	reps := make([]float64, bootstrapReps)
	sample := make([]float64, 0, 16)
	by := make([]float64, len(ys))
	for b := range reps {
		for i, p := range points {
			sample = sample[:0]
			for range p.Values {
				sample = append(sample, p.Values[rng.IntN(len(p.Values))])
			}
			by[i] = agg.of(sample)
		}
		bx, bly := logsOf(xs, by, f.Used)
		_, reps[b] = lineFit(bx, bly)
	}
	lo, err := stats.Percentile(reps, 2.5)
	if err != nil {
		return Fit{}, err
	}
	hi, err := stats.Percentile(reps, 97.5)
	if err != nil {
		return Fit{}, err
	}
	f.CILo, f.CIHi = lo, hi
	return f, nil
}

func logsOf(xs, ys []float64, used []bool) (lx, ly []float64) {
	for i, u := range used {
		if u {
			lx = append(lx, math.Log(xs[i]))
			ly = append(ly, math.Log(ys[i]))
		}
	}
	return lx, ly
}

// lineFit returns the intercept and minus the slope of the least-squares
// line through (x, y).
func lineFit(x, y []float64) (intercept, exponent float64) {
	a, b := stat.LinearRegression(x, y, nil, false)
	return a, -b
}

// fitFloor fits e = A·x^{−α} + c with A, c ≥ 0 by minimising the relative
// residual Σ((model − e)/e)². For fixed α the model is linear in (A, c), so
// a scan over α with a two-unknown non-negative least squares at each value
// finds the global optimum to the scan's resolution.
func fitFloor(xs, ys []float64) FloorFit {
	best := FloorFit{}
	bestCost := math.Inf(1)
	for k := 1; k <= 400; k++ {
		alpha := float64(k) * 0.01
		a, c, cost := floorLS(xs, ys, alpha)
		if cost < bestCost {
			bestCost, best = cost, FloorFit{A: a, Alpha: alpha, C: c}
		}
	}
	// The pure power law is the same model with c = 0, fitted in the same
	// relative metric, so the two residuals compare like with like.
	pureCost := math.Inf(1)
	for k := 1; k <= 400; k++ {
		_, cost := floorLSA(xs, ys, float64(k)*0.01)
		pureCost = min(pureCost, cost)
	}
	best.Preferred = best.C > 0 && bestCost <= pureCost/2
	return best
}

// floorLS solves min Σ((A·x^{−α} + c − e)/e)² over A, c ≥ 0.
func floorLS(xs, ys []float64, alpha float64) (a, c, cost float64) {
	// Normal equations of the weighted problem with columns u = x^{−α}/e and
	// v = 1/e and right-hand side 1.
	var uu, uv, vv, u1, v1 float64
	for i, x := range xs {
		u := math.Pow(x, -alpha) / ys[i]
		v := 1 / ys[i]
		uu += u * u
		uv += u * v
		vv += v * v
		u1 += u
		v1 += v
	}
	det := uu*vv - uv*uv
	if det > 0 {
		a = (u1*vv - v1*uv) / det
		c = (uu*v1 - uv*u1) / det
	}
	if det <= 0 || a < 0 || c < 0 {
		a, cost = floorLSA(xs, ys, alpha)
		ca := max(v1/vv, 0)
		if costC := relCost(xs, ys, 0, 0, ca); costC < cost {
			return 0, ca, costC
		}
		return a, 0, cost
	}
	return a, c, relCost(xs, ys, alpha, a, c)
}

// floorLSA solves the same problem with c = 0.
func floorLSA(xs, ys []float64, alpha float64) (a, cost float64) {
	var uu, u1 float64
	for i, x := range xs {
		u := math.Pow(x, -alpha) / ys[i]
		uu += u * u
		u1 += u
	}
	a = max(u1/uu, 0)
	return a, relCost(xs, ys, alpha, a, 0)
}

func relCost(xs, ys []float64, alpha, a, c float64) float64 {
	var s float64
	for i, x := range xs {
		r := (a*math.Pow(x, -alpha) + c - ys[i]) / ys[i]
		s += r * r
	}
	return s
}
