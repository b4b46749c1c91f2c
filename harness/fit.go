package harness

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/montanaflynn/stats"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Point is the error measured at one size of a sweep, one value per seed.
type Point struct {
	Size   float64
	Values []float64
	// Seeds names the seed of each value, so that the bootstrap can match a
	// seed's runs across sizes; nil numbers the values 0, 1, … in order.
	Seeds []uint64
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

// Slope is a power law e ≈ A·x^{−α} fitted by least squares on log e against
// log x over consecutive points First…Last, with a seed-cluster bootstrap
// interval (docs/METHOD.md, "Intervals").
type Slope struct {
	Exponent    float64 // α̂, the decay exponent (minus the slope)
	LogA        float64 // intercept, ln A
	CILo, CIHi  float64 // 95% interval of α̂; ±Inf from a single seed
	Lo, Hi      float64 // the smallest and largest size used
	First, Last int     // indices of the points used, inclusive
}

// Fit holds the three slopes of docs/METHOD.md: the whole range, the tail
// and the local slopes. The embedded Slope is the tail, the one verdicts use.
type Fit struct {
	Slope // the tail: the largest decade, or the last 4 sizes if it has more
	Whole Slope
	// Local are the slopes of each window of 3 consecutive sizes, in order.
	Local []Slope
	// Flat is set when the tail's (finite) interval contains 0: the tail
	// cannot be told from flat, and only then is a floor declared.
	Flat bool
	// Clusters is the number of distinct seeds the bootstrap resamples.
	Clusters int
	// Short counts bootstrap replicates in which some slope had fewer than
	// two sizes with a drawn seed (possible only when seeds are missing at
	// some sizes); such a replicate is left out of that slope's interval.
	Short int
}

// bootstrapReps is the number of bootstrap resamples. 2000 puts the Monte
// Carlo error of a 2.5% quantile well below the interval's own width.
const bootstrapReps = 2000

// localWindow is the number of consecutive sizes in a local slope.
const localWindow = 3

// tailWindow returns the first index of the tail of sizes xs (increasing):
// the sizes within a decade of the largest, or the last 4, whichever holds
// more points; all of them when there are fewer than 4.
func tailWindow(xs []float64) int {
	n := len(xs)
	if n <= 4 {
		return 0
	}
	first := n - 4
	for i := range xs {
		if xs[i] >= xs[n-1]/10 {
			return min(i, first)
		}
	}
	return first
}

// FitPowerLaw fits the aggregated errors of the points, which must have
// increasing positive sizes and positive values. No point is dropped: the
// whole range, the tail and every window of three sizes get a slope and an
// interval. The bootstrap resamples seeds as clusters: each replicate draws
// seed indices once and uses them at every size, because a seed's runs share
// data, initialisation and batch order. A size where none of the drawn seeds
// has a value (they diverged or are missing there) is left out of that
// replicate, and the tail is re-chosen from the sizes the replicate has. The
// generator is fixed, so a report is reproducible.
func FitPowerLaw(points []Point, agg Aggregate) (Fit, error) {
	if len(points) < 2 {
		return Fit{}, fmt.Errorf("harness: %d sizes: need at least 2 to fit a slope", len(points))
	}
	xs := make([]float64, len(points))
	ys := make([]float64, len(points))
	cluster := map[uint64]int{}
	for i, p := range points {
		if len(p.Values) == 0 {
			return Fit{}, fmt.Errorf("harness: size %g has no values", p.Size)
		}
		if p.Seeds != nil && len(p.Seeds) != len(p.Values) {
			return Fit{}, fmt.Errorf("harness: size %g has %d values but %d seeds", p.Size, len(p.Values), len(p.Seeds))
		}
		if i > 0 && !(p.Size > xs[i-1]) {
			return Fit{}, fmt.Errorf("harness: sizes %g, %g: they must increase", xs[i-1], p.Size)
		}
		xs[i], ys[i] = p.Size, agg.of(p.Values)
		if !(p.Size > 0 && ys[i] > 0) {
			return Fit{}, fmt.Errorf("harness: size %g, error %g: both must be positive to fit on log scales", p.Size, ys[i])
		}
		for j := range p.Values {
			if _, ok := cluster[seedOf(p, j)]; !ok {
				cluster[seedOf(p, j)] = len(cluster)
			}
		}
	}
	// vals[i][k] is seed k's error at size i, NaN where it has none.
	K := len(cluster)
	vals := make([][]float64, len(points))
	for i, p := range points {
		vals[i] = make([]float64, K)
		for k := range vals[i] {
			vals[i][k] = math.NaN()
		}
		for j, v := range p.Values {
			vals[i][cluster[seedOf(p, j)]] = v
		}
	}

	lx := make([]float64, len(xs))
	ly := make([]float64, len(xs))
	for i := range xs {
		lx[i], ly[i] = math.Log(xs[i]), math.Log(ys[i])
	}
	all := make([]bool, len(xs))
	for i := range all {
		all[i] = true
	}
	windows := slopeWindows(lx, all)
	f := Fit{Clusters: K}
	slopes := make([]*Slope, len(windows))
	f.Whole = pointSlope(lx, ly, xs, windows[0])
	f.Slope = pointSlope(lx, ly, xs, windows[1])
	f.Local = make([]Slope, len(windows)-2)
	slopes[0], slopes[1] = &f.Whole, &f.Slope
	for j := range f.Local {
		f.Local[j] = pointSlope(lx, ly, xs, windows[j+2])
		slopes[j+2] = &f.Local[j]
	}

	rng := rand.New(rand.NewPCG(2024, 10))
	reps := make([][]float64, len(windows))
	weight := make([]int, K)
	by := make([]float64, len(xs))
	have := make([]bool, len(xs))
	for range bootstrapReps {
		clear(weight)
		for range K {
			weight[rng.IntN(K)]++
		}
		for i := range xs {
			by[i], have[i] = replicateAt(vals[i], weight, agg)
			if have[i] {
				by[i] = math.Log(by[i])
			}
		}
		short := false
		for j, w := range slopeWindows(lx, have) {
			if s, ok := slopeOver(lx, by, w, have); ok {
				reps[j] = append(reps[j], s)
			} else {
				short = true
			}
		}
		if short {
			f.Short++
		}
	}
	widen := smallSampleFactor(K)
	for j, s := range slopes {
		if math.IsInf(widen, 1) || len(reps[j]) == 0 {
			s.CILo, s.CIHi = math.Inf(-1), math.Inf(1)
			continue
		}
		lo, err := stats.Percentile(reps[j], 2.5)
		if err != nil {
			return Fit{}, err
		}
		hi, err := stats.Percentile(reps[j], 97.5)
		if err != nil {
			return Fit{}, err
		}
		// Widen about the estimate, keeping the percentile interval's
		// asymmetry. The interval must contain the estimate itself, which a
		// biased bootstrap distribution might not.
		s.CILo = s.Exponent - widen*max(s.Exponent-lo, 0)
		s.CIHi = s.Exponent + widen*max(hi-s.Exponent, 0)
	}
	// One seed gives no interval, and no floor can be told from it.
	f.Flat = K > 1 && f.CILo <= 0 && 0 <= f.CIHi
	return f, nil
}

func seedOf(p Point, j int) uint64 {
	if p.Seeds == nil {
		return uint64(j)
	}
	return p.Seeds[j]
}

// smallSampleFactor widens a percentile interval from K clusters. The
// bootstrap variance of a mean over K clusters is (K−1)/K times the usual
// estimate, and with few clusters the mean is Student-t with K−1 degrees of
// freedom, not normal: the factor √(K/(K−1))·t_{K−1}(0.975)/z(0.975) turns a
// normal-width percentile interval into the t interval (1.58 for 5 seeds,
// 1.22 for 10). It is +Inf for one cluster: one seed gives no interval.
func smallSampleFactor(K int) float64 {
	if K < 2 {
		return math.Inf(1)
	}
	k := float64(K)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: k - 1}.Quantile(0.975)
	z := distuv.UnitNormal.Quantile(0.975)
	return math.Sqrt(k/(k-1)) * t / z
}

// replicateAt aggregates one size's errors over the drawn seeds, each
// counted as often as it was drawn; ok is false when none of them has a
// value there.
func replicateAt(v []float64, weight []int, agg Aggregate) (e float64, ok bool) {
	var sum float64
	var n int
	best := math.Inf(1)
	for k, w := range weight {
		if w == 0 || math.IsNaN(v[k]) {
			continue
		}
		sum += float64(w) * v[k]
		n += w
		best = min(best, v[k])
	}
	if n == 0 {
		return 0, false
	}
	if agg == Best {
		return best, true
	}
	return sum / float64(n), true
}

// window is a run of consecutive point indices, inclusive.
type window struct{ first, last int }

// slopeWindows returns the windows of the whole range, the tail and each
// local slope, over the indices where have is set: the tail is chosen from
// the sizes present, so a replicate that lacks a size re-makes the choice.
// Local windows keep their place (the j-th local slope is always sizes j…j+2)
// so that replicates line up with the estimate.
func slopeWindows(lx []float64, have []bool) []window {
	var idx []int
	var x []float64
	for i, h := range have {
		if h {
			idx = append(idx, i)
			x = append(x, math.Exp(lx[i]))
		}
	}
	ws := make([]window, 2, 2+max(len(lx)-localWindow+1, 0))
	if len(idx) > 0 {
		ws[0] = window{idx[0], idx[len(idx)-1]}
		ws[1] = window{idx[tailWindow(x)], idx[len(idx)-1]}
	}
	for j := 0; j+localWindow <= len(lx); j++ {
		ws = append(ws, window{j, j + localWindow - 1})
	}
	return ws
}

func pointSlope(lx, ly, xs []float64, w window) Slope {
	a, b := lineOver(lx, ly, w, nil)
	return Slope{Exponent: -b, LogA: a, Lo: xs[w.first], Hi: xs[w.last], First: w.first, Last: w.last}
}

// slopeOver returns minus the least-squares slope over the window's points
// that have a value; ok is false with fewer than two.
func slopeOver(lx, ly []float64, w window, have []bool) (float64, bool) {
	n := 0
	for i := w.first; i <= w.last; i++ {
		if have[i] {
			n++
		}
	}
	if n < 2 {
		return 0, false
	}
	_, b := lineOver(lx, ly, w, have)
	return -b, true
}

// lineOver is the least-squares line through the window's points (those
// with have set, or all if have is nil): intercept a and slope b.
func lineOver(lx, ly []float64, w window, have []bool) (a, b float64) {
	var n, sx, sy float64
	for i := w.first; i <= w.last; i++ {
		if have == nil || have[i] {
			n++
			sx += lx[i]
			sy += ly[i]
		}
	}
	mx, my := sx/n, sy/n
	var sxx, sxy float64
	for i := w.first; i <= w.last; i++ {
		if have == nil || have[i] {
			dx := lx[i] - mx
			sxx += dx * dx
			sxy += dx * (ly[i] - my)
		}
	}
	b = sxy / sxx
	return my - b*mx, b
}
