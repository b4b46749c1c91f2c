//go:build !purego

package vec

import "golang.org/x/sys/cpu"

// haveAsm reports whether the CPU runs the AVX2 kernels; HasAVX2 is false as
// well when the OS does not save the YMM registers.
func haveAsm() bool { return cpu.X86.HasAVX2 }
