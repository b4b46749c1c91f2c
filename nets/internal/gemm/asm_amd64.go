//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// asmImpls returns the assembly kernels this CPU can run, fastest first.
// x/sys/cpu reports AVX2 and AVX-512 only when the OS saves their registers.
func asmImpls() (f64s []*impl[float64], f32s []*impl[float32]) {
	if cpu.X86.HasAVX512F {
		f64 := newImpl("avx512", zen5, 6, 32, asmKC, kernelF64x512)
		f64.copyA, f64.copyB = copyRowsF64x6, copyRowsF64x32
		f64.transB = blockedTrans(transRowsF64x32, 32, 4)
		f64.kernelDirect, f64.kernelDirectT = kernelF64x512Direct, kernelF64x512DirectT
		f64.kernelDirectB, f64.kernelDirectTB = kernelF64x512DirectB, kernelF64x512DirectTB
		f64.parts, f64.masked = partsF64x512, maskedF64x512
		f32 := newImpl("avx512", zen5, 6, 64, asmKC, kernelF32x512)
		f32.copyA, f32.copyB = copyRowsF32x6, copyRowsF32x64
		f32.transB = blockedTrans(transRowsF32x64, 64, 8)
		f32.kernelDirect, f32.kernelDirectT = kernelF32x512Direct, kernelF32x512DirectT
		f32.kernelDirectB, f32.kernelDirectTB = kernelF32x512DirectB, kernelF32x512DirectTB
		f32.parts, f32.masked = partsF32x512, maskedF32x512
		f64s, f32s = append(f64s, f64), append(f32s, f32)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		f64 := newImpl("avx2", zen3, 6, 8, asmKC, kernelF64)
		f64.copyA, f64.copyB = copyRowsF64x6, copyRowsF64x8
		f64.transB = blockedTrans(transRowsF64x8, 8, 4)
		f64.kernelDirect, f64.kernelDirectT = kernelF64Direct, kernelF64DirectT
		f64.kernelDirectB, f64.kernelDirectTB = kernelF64DirectB, kernelF64DirectTB
		f64.parts = partsF64
		f32 := newImpl("avx2", zen3, 6, 16, asmKC, kernelF32)
		f32.copyA, f32.copyB = copyRowsF32x6, copyRowsF32x16
		f32.transB = blockedTrans(transRowsF32x16, 16, 8)
		f32.kernelDirect, f32.kernelDirectT = kernelF32Direct, kernelF32DirectT
		f32.kernelDirectB, f32.kernelDirectTB = kernelF32DirectB, kernelF32DirectTB
		f32.parts = partsF32
		f64s, f32s = append(f64s, f64), append(f32s, f32)
	}
	return f64s, f32s
}
