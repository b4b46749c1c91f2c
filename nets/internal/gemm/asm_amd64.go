//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// asmImpls returns the AVX2/FMA kernels, or nils on a CPU without them.
// HasAVX2 is false as well when the OS does not save the YMM registers.
func asmImpls() (*impl[float64], *impl[float32]) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return nil, nil
	}
	return newImpl("avx2", 6, 8, kernelF64), newImpl("avx2", 6, 16, kernelF32)
}
