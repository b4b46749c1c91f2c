// Package kernelenv names the environment variable that chooses the
// compute kernels, so that gemm and vec, which both obey it and import
// neither the other, spell it in one place.
package kernelenv

// Var picks the kernel path when set: "purego" for the pure-Go kernels of
// gemm and vec, "avx2" or "avx512" for that GEMM kernel where the CPU has it.
const Var = "OPSCALE_GEMM"
