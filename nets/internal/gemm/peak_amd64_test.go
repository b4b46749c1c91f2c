//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// The FMA-throughput loops generated beside the kernels, for the peak
// measurements of bench_test.go.
func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		fmaLoops["avx2"] = fmaLoop{fmaPeakF64, 4}
	}
	if cpu.X86.HasAVX512F {
		fmaLoops["avx512"] = fmaLoop{fmaPeakF64x512, 8}
	}
}
