//go:build !amd64 || purego

package vec

func haveAsm() bool { return false }

// The assembly kernels' signatures, never called: useAsm is false here.

func addF32(x, y []float32)          { panic("vec: no assembly") }
func addF64(x, y []float64)          { panic("vec: no assembly") }
func reluBiasF32(x, b []float32)     { panic("vec: no assembly") }
func reluBiasF64(x, b []float64)     { panic("vec: no assembly") }
func maskSumF32(dz, h, db []float32) { panic("vec: no assembly") }
func maskSumF64(dz, h, db []float64) { panic("vec: no assembly") }
func lossGradF32(dst, out, v []float32, b0, scale float32) (sq, sum float32) {
	panic("vec: no assembly")
}
func lossGradF64(dst, out, v []float64, b0, scale float64) (sq, sum float64) {
	panic("vec: no assembly")
}
func adamF32(p, g, m, v []float32, b1, b2, c1, c2, step, eps float32) { panic("vec: no assembly") }
func adamF64(p, g, m, v []float64, b1, b2, c1, c2, step, eps float64) { panic("vec: no assembly") }
func sumRowsF32(s, x []float32, rows, cols int)                       { panic("vec: no assembly") }
func sumRowsF64(s, x []float64, rows, cols int)                       { panic("vec: no assembly") }

func addRowsF32(x []float32, rows, cols, ld int, b []float32)      { panic("vec: no assembly") }
func addRowsF64(x []float64, rows, cols, ld int, b []float64)      { panic("vec: no assembly") }
func reluBiasRowsF32(x []float32, rows, cols, ld int, b []float32) { panic("vec: no assembly") }
func reluBiasRowsF64(x []float64, rows, cols, ld int, b []float64) { panic("vec: no assembly") }
func maskRowsF32(x []float32, rows, cols, ld int, h []float32, ldh int) {
	panic("vec: no assembly")
}
func maskRowsF64(x []float64, rows, cols, ld int, h []float64, ldh int) {
	panic("vec: no assembly")
}
