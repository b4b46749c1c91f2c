//go:build !amd64 || purego

package gemm

// asmImpls returns none: without amd64 assembly (other CPUs, or -tags
// purego) Gemm uses the pure-Go kernel.
func asmImpls() ([]*impl[float64], []*impl[float32]) { return nil, nil }
