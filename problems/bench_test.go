package problems

import "testing"

// The speed target: 10,000 Poisson-2D samples on a 64×64 grid and 10,000
// advection samples at 256 points each, each set in under 30 s on 2 cores.
// Run with -benchtime=1x; the reported ns/op is the time for the whole set.
func BenchmarkGenerate10000(b *testing.B) {
	cases := []struct {
		name    string
		op      string
		opP     Params
		fam     string
		famP    Params
		sensors int
		points  int
	}{
		{"poisson2d/grid64/grf2d_l0.1/sensors32x32/points32x32", "poisson2d", Params{Grid: 64}, "grf", Params{Dim: 2, Length: 0.1}, 32, 32},
		{"poisson2d/grid64/subspace2d_bU8/sensors32x32/points64x64", "poisson2d", Params{Grid: 64}, "subspace", Params{Dim: 2, BU: 8}, 32, 64},
		{"advection/grf_l0.1/sensors128/points256", "advection", Params{Epsilon: 0.5}, "grf", Params{Length: 0.1}, 128, 256},
		{"advection-velocity/grf_l0.1/sensors128/points256", "advection-velocity", Params{}, "grf", Params{Length: 0.1}, 128, 256},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			op, err := NewOperator(c.op, c.opP)
			if err != nil {
				b.Fatal(err)
			}
			newFam := NewFamily
			if needsPeriodic(op) {
				newFam = NewPeriodicFamily
			}
			fam, err := newFam(c.fam, c.famP)
			if err != nil {
				b.Fatal(err)
			}
			s := Spec{Operator: op, Family: fam, Sensors: c.sensors, Points: c.points}
			for b.Loop() {
				if _, err := Generate(s, benchN, 1, Train, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/set")
		})
	}
}

// benchN is the set size of BenchmarkGenerate10000; profiling runs shrink it.
var benchN = 10000

// The characteristic tracer of advection-velocity alone: 256 points, 64 RK4
// steps, table of 1024 nodes. ns/eval is the cost of one velocity read.
func BenchmarkAdvectionFeet_P256_Steps64(b *testing.B) {
	tab := make([]float64, 1024)
	for i := range tab {
		tab[i] = 1 + 0.5*float64(i%7)/7
	}
	p := newPeriodicTable(tab)
	c := Characteristics{T: 0.5, Steps: 64}
	y := Grid(256, 1)
	xs := make([]float64, 256)
	for b.Loop() {
		copy(xs, y)
		p.feet(c, xs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(256*64*4), "ns/eval")
}
