//go:build !amd64 || purego

package gemm

// widestFMALoop returns none: there is no assembly FMA loop here.
func widestFMALoop() (func(n int), int) { return nil, 0 }
