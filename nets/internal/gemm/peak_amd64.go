//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// widestFMALoop returns the FMA-throughput loop of the widest vectors this
// CPU has (n iterations of 12 independent FMAs) and its float64 lanes.
func widestFMALoop() (func(n int), int) {
	switch {
	case cpu.X86.HasAVX512F:
		return fmaPeakF64x512, 8
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return fmaPeakF64, 4
	}
	return nil, 0
}
