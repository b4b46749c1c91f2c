//go:build !purego

package gemm

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// BenchmarkFMAPeak measures the AVX2 float64 FMA throughput of this machine,
// the ceiling against which GEMM rates are read: 12 independent 4-wide FMAs an
// iteration, no memory traffic, on GOMAXPROCS goroutines at once. Single
// precision does twice the flops per instruction.
func BenchmarkFMAPeak(b *testing.B) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		b.Skip("no AVX2/FMA")
	}
	const iters = 1 << 16
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fmaPeakF64(iters)
		}
	})
	b.ReportMetric(float64(iters)*12*4*2*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
