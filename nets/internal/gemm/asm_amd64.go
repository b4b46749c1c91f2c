//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// asmImpls returns the AVX2/FMA kernels, or nils on a CPU without them.
// HasAVX2 is false as well when the OS does not save the YMM registers.
func asmImpls() (*impl[float64], *impl[float32]) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return nil, nil
	}
	f64 := newImpl("avx2", 6, 8, kernelF64)
	f64.copyA, f64.copyB = copyRowsF64x6, copyRowsF64x8
	f32 := newImpl("avx2", 6, 16, kernelF32)
	f32.copyA, f32.copyB = copyRowsF32x6, copyRowsF32x16
	return f64, f32
}
