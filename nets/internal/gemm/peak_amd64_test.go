//go:build !purego

package gemm

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// BenchmarkFMAPeak measures the float64 FMA throughput of this machine, the
// ceiling against which GEMM rates are read: 12 independent vector FMAs an
// iteration, no memory traffic, on GOMAXPROCS goroutines at once, with YMM
// (avx2) and ZMM (avx512) registers. Single precision does twice the flops
// per instruction.
func BenchmarkFMAPeak(b *testing.B) {
	for _, c := range []struct {
		name  string
		has   bool
		lanes int
		loop  func(int)
	}{
		{"avx2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, 4, fmaPeakF64},
		{"avx512", cpu.X86.HasAVX512F, 8, fmaPeakF64x512},
	} {
		b.Run(c.name, func(b *testing.B) {
			if !c.has {
				b.Skip("CPU lacks " + c.name)
			}
			const iters = 1 << 16
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c.loop(iters)
				}
			})
			b.ReportMetric(float64(iters)*12*float64(c.lanes)*2*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
