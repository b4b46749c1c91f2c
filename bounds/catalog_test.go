package bounds

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// base reads every dimension; each is small enough that bumping it by one
// stays in range.
var base = Dims{D: 3, D1: 2, D2: 1, BU: 2, S: 1, NX: 10}

func TestCatalogHoldsEveryTheorem(t *testing.T) {
	want := []string{"T-relu-approx", "T-relu-gen", "T-don-approx", "T-don-gen", "T-don-approx-low", "T-don-gen-low"}
	got := Catalog()
	if len(got) != len(want) {
		t.Fatalf("catalog has %d theorems, want %d", len(got), len(want))
	}
	for i, th := range got {
		if th.ID != want[i] {
			t.Errorf("catalog[%d] = %s, want %s", i, th.ID, want[i])
		}
		if th.Reference || th.Source != paper || th.Statement == "" || len(th.Assumptions) == 0 || th.Formula() == "" || th.params == nil {
			t.Errorf("%s: incomplete entry %+v", th.ID, th)
		}
		// Approximation bounds are sup errors in N; generalization bounds
		// are squared L² errors in n.
		approx := strings.Contains(th.ID, "approx")
		if approx != (th.Quantity == SupError) || approx != (th.Swept == ModelSize) {
			t.Errorf("%s: quantity %v swept %v", th.ID, th.Quantity, th.Swept)
		}
	}
	for _, r := range References() {
		if !r.Reference || r.params != nil || !strings.HasPrefix(r.ID, "R-") {
			t.Errorf("%s: a reference must be marked and prescribe nothing", r.ID)
		}
		if _, err := r.Prescribe(base, 0.1); err == nil {
			t.Errorf("%s: reference prescribed a network", r.ID)
		}
	}
	for _, th := range append(Catalog(), References()...) {
		got, err := Lookup(th.ID)
		if err != nil || got.ID != th.ID {
			t.Errorf("Lookup(%s) = %s, %v", th.ID, got.ID, err)
		}
	}
}

// TestHandExponents checks the exponents against values worked out by hand
// from the formulas of docs/METHOD.md, "Theorems", and of the references.
func TestHandExponents(t *testing.T) {
	for _, tc := range []struct {
		id    string
		d     Dims
		alpha float64 // Exponent
		power float64 // RatePower
	}{
		{"T-don-approx-low", Dims{BU: 2, D2: 1}, 1.0 / 3, 1.0 / 3},
		{"T-don-gen-low", Dims{BU: 2, D2: 1}, 2.0 / 5, 2.0 / 5},
		{"T-don-approx-low", Dims{BU: 4, D2: 2}, 1.0 / 6, 1.0 / 6},
		{"T-don-gen-low", Dims{BU: 4, D2: 2}, 1.0 / 4, 1.0 / 4},
		{"T-relu-approx", Dims{D: 3}, 1.0 / 3, 1.0 / 3},
		{"T-relu-gen", Dims{D: 3}, 2.0 / 5, 2.0 / 5},
		{"T-relu-gen", Dims{D: 1}, 2.0 / 3, 2.0 / 3},
		// Log-rates: Exponent is 0 by convention, RatePower is β.
		{"T-don-approx", Dims{D1: 1}, 0, 1},
		{"T-don-approx", Dims{D1: 2}, 0, 1.0 / 2},
		{"T-don-gen", Dims{D1: 1}, 0, 2},
		{"T-don-gen", Dims{D1: 4}, 0, 1.0 / 2},
		{"R-holder-minimax", Dims{S: 1, D: 2}, 1.0 / 2, 1.0 / 2},
		{"R-holder-minimax", Dims{S: 2, D: 3}, 4.0 / 7, 4.0 / 7},
		{"R-sk-smooth", Dims{D: 4}, 1, 1},
		{"R-sk-lipschitz", Dims{D: 4}, 1.0 / 2, 1.0 / 2},
		{"R-mc-barrier", Dims{}, 1.0 / 2, 1.0 / 2},
		{"R-variance-limited", Dims{}, 1, 1},
	} {
		th, err := Lookup(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		a, err := th.Exponent(tc.d)
		if err != nil {
			t.Fatalf("%s %+v: %v", tc.id, tc.d, err)
		}
		p, _ := th.RatePower(tc.d)
		if math.Abs(a-tc.alpha) > 1e-15 || math.Abs(p-tc.power) > 1e-15 {
			t.Errorf("%s %+v: exponent %g power %g, want %g and %g", tc.id, tc.d, a, p, tc.alpha, tc.power)
		}
		af, err := th.ExponentAt(tc.d.Float())
		if err != nil || af != a {
			t.Errorf("%s: ExponentAt = %g, %v; Exponent = %g", tc.id, af, err, a)
		}
	}
}

// TestHandRates checks Rate against values computed with bc -l from the
// closed forms.
func TestHandRates(t *testing.T) {
	for _, tc := range []struct {
		id   string
		d    Dims
		x    float64
		want float64
	}{
		// (ln 1e6 / ln ln 1e6)^{−1/2} = 5.261464353591^{−1/2}
		{"T-don-approx", Dims{D1: 2}, 1e6, 0.43596004004249189967},
		// 1e4^{−1/3}
		{"T-don-approx-low", Dims{BU: 2, D2: 1}, 1e4, 0.04641588833612778892},
		// 1e4^{−2/5}·(ln 1e4)³
		{"T-don-gen-low", Dims{BU: 2, D2: 1}, 1e4, 19.62578514610558376274},
		// 1e4^{−1/4}
		{"R-sk-lipschitz", Dims{D: 8}, 1e4, 0.1},
	} {
		th, _ := Lookup(tc.id)
		got, err := th.Rate(tc.d, tc.x)
		if err != nil {
			t.Fatal(err)
		}
		// A few roundings in exp and log: 1e-14 relative.
		if math.Abs(got-tc.want) > 1e-14*tc.want {
			t.Errorf("%s: Rate(%g) = %.17g, want %.17g", tc.id, tc.x, got, tc.want)
		}
	}
}

func TestRateDomain(t *testing.T) {
	low, _ := Lookup("T-don-gen-low")
	gen, _ := Lookup("T-don-gen")
	for _, tc := range []struct {
		th Theorem
		x  float64
	}{{low, 1}, {low, 0.5}, {low, math.NaN()}, {low, math.Inf(1)}, {gen, 2}, {gen, math.E}} {
		if _, err := tc.th.Rate(base, tc.x); err == nil {
			t.Errorf("%s: size %g accepted", tc.th.ID, tc.x)
		}
	}
	if _, err := gen.Rate(base, 3); err != nil {
		t.Errorf("%s: size 3 > e rejected: %v", gen.ID, err)
	}
}

// TestMonotoneInEveryDimension: a larger dimension gives a smaller exponent
// and, at a fixed size, a larger bound; larger smoothness the reverse; a
// dimension a theorem does not read changes nothing.
func TestMonotoneInEveryDimension(t *testing.T) {
	bump := map[string]func(*Dims){
		DimD:  func(d *Dims) { d.D++ },
		DimD1: func(d *Dims) { d.D1++ },
		DimD2: func(d *Dims) { d.D2++ },
		DimBU: func(d *Dims) { d.BU++ },
		DimS:  func(d *Dims) { d.S++ },
	}
	const x = 1e4
	for _, th := range append(Catalog(), References()...) {
		p0, err := th.RatePower(base)
		if err != nil {
			t.Fatal(err)
		}
		r0, _ := th.Rate(base, x)
		for name, f := range bump {
			d := base
			f(&d)
			p1, _ := th.RatePower(d)
			r1, _ := th.Rate(d, x)
			reads := false
			for _, n := range th.Reads {
				reads = reads || n == name
			}
			switch {
			case !reads:
				if p1 != p0 || r1 != r0 {
					t.Errorf("%s: %s does not enter the rate but changed it", th.ID, name)
				}
			case name == DimS:
				if !(p1 > p0 && r1 < r0) {
					t.Errorf("%s: smoother target: power %g → %g, rate %g → %g", th.ID, p0, p1, r0, r1)
				}
			default:
				if !(p1 < p0 && r1 > r0) {
					t.Errorf("%s: larger %s: power %g → %g, rate %g → %g", th.ID, name, p0, p1, r0, r1)
				}
			}
		}
	}
}

func TestInvalidDimsNamed(t *testing.T) {
	set := map[string]func(*Dims, int){
		DimD:  func(d *Dims, v int) { d.D = v },
		DimD1: func(d *Dims, v int) { d.D1 = v },
		DimD2: func(d *Dims, v int) { d.D2 = v },
		DimBU: func(d *Dims, v int) { d.BU = v },
		DimS:  func(d *Dims, v int) { d.S = float64(v) },
		DimNX: func(d *Dims, v int) { d.NX = v },
	}
	for _, th := range append(Catalog(), References()...) {
		names := append(append([]string(nil), th.Reads...), th.paramReads...)
		for _, name := range names {
			for _, v := range []int{0, -1} {
				d := base
				set[name](&d, v)
				_, err := th.Prescribe(d, 0.1)
				if th.params == nil {
					_, err = th.Exponent(d)
				}
				if err == nil || !errors.Is(err, ErrDims) || !strings.Contains(err.Error(), " "+name+" = ") {
					t.Errorf("%s: %s = %d: error %v does not name it", th.ID, name, v, err)
				}
				if contains(th.Reads, name) {
					for _, call := range []func() error{
						func() error { _, err := th.Exponent(d); return err },
						func() error { _, err := th.Rate(d, 100); return err },
						func() error { _, err := th.EffectiveExponent(d, 100, 1000); return err },
						func() error { _, err := th.ExponentAt(d.Float()); return err },
					} {
						if err := call(); err == nil || !strings.Contains(err.Error(), " "+name+" = ") {
							t.Errorf("%s: %s = %d accepted or not named: %v", th.ID, name, v, err)
						}
					}
				}
			}
		}
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestExponentAtMeasuredDimension(t *testing.T) {
	th, _ := Lookup("T-don-gen-low")
	// An intrinsic dimension of 2.5 measured on a nominal b_U = 2 family:
	// 2/(2 + 2.5 + 1) = 4/11.
	got, err := th.ExponentAt(DimsF{BU: 2.5, D2: 1})
	if err != nil || math.Abs(got-4.0/11) > 1e-15 {
		t.Errorf("ExponentAt(b_U = 2.5) = %g, %v; want 4/11", got, err)
	}
	for _, bu := range []float64{0, -0.5, math.NaN(), math.Inf(1)} {
		if _, err := th.ExponentAt(DimsF{BU: bu, D2: 1}); err == nil || !strings.Contains(err.Error(), "b_U") {
			t.Errorf("b_U = %g: %v", bu, err)
		}
	}
}

// TestEffectiveExponentLogRate checks the secant of a log-rate against the
// closed form β·[ln q(hi) − ln q(lo)]/(ln hi − ln lo), q(x) = ln x/ln ln x.
func TestEffectiveExponentLogRate(t *testing.T) {
	th, _ := Lookup("T-don-approx")
	lo, hi := 32.0, 2048.0
	got, err := th.EffectiveExponent(Dims{D1: 1}, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	q := func(x float64) float64 { return math.Log(x) / math.Log(math.Log(x)) }
	want := (math.Log(q(hi)) - math.Log(q(lo))) / (math.Log(hi) - math.Log(lo))
	if math.Abs(got-want) > 1e-14 || !(got > 0 && got < 0.1) {
		t.Errorf("effective exponent %g, want %g (small and positive)", got, want)
	}
	if _, err := th.EffectiveExponent(Dims{D1: 1}, 2, 100); err == nil {
		t.Error("fit range reaching below e accepted")
	}
}

func TestDecreasingFrom(t *testing.T) {
	for _, tc := range []struct {
		id   string
		d    Dims
		want float64
	}{
		{"T-don-gen-low", Dims{BU: 2, D2: 1}, math.Exp(7.5)}, // λ/α = 3/(2/5)
		{"T-relu-gen", Dims{D: 1}, math.Exp(4.5)},            // 3/(2/3)
		{"T-don-gen", Dims{D1: 1}, math.Exp(math.E)},
		{"T-don-approx-low", Dims{BU: 2, D2: 1}, 1},
	} {
		th, _ := Lookup(tc.id)
		x, err := th.DecreasingFrom(tc.d)
		if err != nil || math.Abs(x-tc.want) > 1e-13*tc.want {
			t.Errorf("%s: DecreasingFrom = %g, %v; want %g", tc.id, x, err, tc.want)
		}
		if tc.want == 1 {
			continue
		}
		// The rate peaks there: below it rises, above it falls.
		r, _ := th.Rate(tc.d, x)
		rlo, _ := th.Rate(tc.d, 0.9*x)
		rhi, _ := th.Rate(tc.d, 1.1*x)
		if !(rlo < r && rhi < r) {
			t.Errorf("%s: rate %g, %g, %g around %g: not a peak", tc.id, rlo, r, rhi, x)
		}
	}
}
