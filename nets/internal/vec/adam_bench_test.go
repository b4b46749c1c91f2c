package vec

import (
	"fmt"
	"math"
	"testing"
)

// BenchmarkAdam times one Adam update of a network-sized parameter vector,
// with normal second moments and with second moments decayed to float32
// subnormals (weights whose gradients have long been tiny), which x86
// executes through slow microcode assists unless flushed.
func BenchmarkAdam(b *testing.B) {
	const n = 87041
	for _, tc := range []struct {
		name string
		v    float32
	}{{"normal", 1e-6}, {"subnormal", 1e-40}} {
		b.Run(fmt.Sprintf("f32/%s", tc.name), func(b *testing.B) {
			p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range v {
				v[i] = tc.v
				g[i] = float32(math.Sqrt(float64(tc.v)))
			}
			b.SetBytes(16 * n)
			for b.Loop() {
				Adam(p, g, m, v, 0.9, 0.999, 0.1, 0.001, 1e-3, 1e-8)
			}
		})
	}
}

// TestAdamFlushesSubnormalsAndRestoresMXCSR checks both halves of the
// assembly's contract: moments in the subnormal range come out as zero, and
// the caller's floating-point mode is back when it returns, so that Go code
// after it still makes subnormals.
func TestAdamFlushesSubnormalsAndRestoresMXCSR(t *testing.T) {
	if !useAsm {
		t.Skip("no assembly on this machine")
	}
	tiny := float32(1e-40) // subnormal: below 1.18e-38
	p, g, m, v := []float32{1, 1}, []float32{0, 1}, []float32{tiny, 0.5}, []float32{tiny, 0.25}
	Adam(p, g, m, v, 0.9, 0.999, 0.1, 0.001, 1e-3, 1e-8)
	if m[0] != 0 || v[0] != 0 {
		t.Errorf("subnormal moments m = %g, v = %g after the update; want both flushed to 0", m[0], v[0])
	}
	if p[0] != 1 {
		t.Errorf("p[0] = %v: a weight with zero gradient and flushed moments must not move", p[0])
	}
	wantM := float32(0.9)*0.5 + 0.1*1
	if m[1] != wantM {
		t.Errorf("m[1] = %v, want %v: normal values must be updated exactly as before", m[1], wantM)
	}
	x := []float32{1e-30}
	if y := x[0] * 1e-10; y == 0 {
		t.Errorf("1e-30·1e-10 = 0 in float32 after Adam: the flush-to-zero mode leaked to the caller")
	}
}
