package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPartsMatchFullKernel checks each part kernel of each assembly set, in
// its five forms, against the top-left corner of its full kernel on the
// same panels, bit for bit (the forms reading B in place against the full
// kernel reading A as they do, and B from the packed panel, as the full
// B-in-place kernels are too): unrolled and remainder k steps, α and β, with and
// without bias and ReLU. C sits in NaN guard bands with a row stride wider
// than the part, and op(A) read in place holds only the part's rows, so a
// kernel writing or reading past its corner fails too.
func TestPartsMatchFullKernel(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testParts(t, asmF64) })
	t.Run("float32", func(t *testing.T) { testParts(t, asmF32) })
}

func testParts[T Float](t *testing.T, sets []*impl[T]) {
	rnd := rand.New(rand.NewPCG(31, 32))
	tested := 0
	for _, im := range sets {
		if len(im.parts) == 0 {
			t.Errorf("%s: no part kernels", im.name)
		}
		mr, nr := im.mr, im.nr
		for _, pt := range im.parts {
			for _, k := range []int{1, 3, 4, 9, 130} {
				// A as op(A) = A (row i at i·lda), the same rows as
				// op(A) = Aᵀ (step p at p·lda), and packed.
				lda := k + 2
				rowsA := newMatrix[T](rnd, mr, k, 2)
				packed := make([]T, mr*k)
				colsA := newMatrix[T](rnd, k, mr, 3)
				for i := range mr {
					for p := range k {
						packed[p*mr+i] = rowsA.at(i, p)
						colsA.view()[p*colsA.ld+i] = rowsA.at(i, p)
					}
				}
				// The part's own A holds only its rows.
				partRows := newMatrix[T](rnd, pt.rows, k, lda-k)
				partCols := newMatrix[T](rnd, k, pt.rows, colsA.ld-pt.rows)
				for i := range pt.rows {
					for p := range k {
						partRows.view()[i*partRows.ld+p] = rowsA.at(i, p)
						partCols.view()[p*partCols.ld+i] = rowsA.at(i, p)
					}
				}
				b := make([]T, nr*k)
				for i := range b {
					b[i] = T(rnd.Float64()*2 - 1)
				}
				// B in place: the full tile's columns, and the part's only.
				bFull := newMatrix[T](rnd, k, nr, 3)
				bPart := newMatrix[T](rnd, k, pt.cols, 5)
				for p := range k {
					copy(bFull.view()[p*bFull.ld:p*bFull.ld+nr], b[p*nr:])
					copy(bPart.view()[p*bPart.ld:p*bPart.ld+pt.cols], b[p*nr:])
				}
				bias := newMatrix[T](rnd, 1, nr, 0).view()
				keep := keepMatrix[T](rnd, mr, nr)
				c0 := newMatrix[T](rnd, mr, nr, 0).view()
				for _, ab := range [][2]float64{{1, 0}, {-0.7, 0.5}} {
					alpha, beta := T(ab[0]), T(ab[1])
					for e := range 4 {
						var bp, kp *T
						ldk := 0
						switch e {
						case 1, 2:
							bp = &bias[0]
						case 3:
							kp, ldk = &keep.view()[0], keep.ld
						}
						relu := e == 2
						forms := []struct {
							name       string
							full, part func(c []T, ldc int)
						}{
							{"packed",
								func(c []T, ldc int) { im.kernel(k, packed, b, c, ldc, alpha, beta, bp, relu, kp, ldk, 1) },
								func(c []T, ldc int) { pt.kernel(k, packed, b, c, ldc, alpha, beta, bp, relu, kp, ldk, 1) }},
							{"direct",
								func(c []T, ldc int) {
									im.kernelDirect(k, rowsA.view(), rowsA.ld, b, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								},
								func(c []T, ldc int) {
									pt.direct(k, partRows.view(), partRows.ld, b, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								}},
							{"directT",
								func(c []T, ldc int) {
									im.kernelDirectT(k, colsA.view(), colsA.ld, b, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								},
								func(c []T, ldc int) {
									pt.directT(k, partCols.view(), partCols.ld, b, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								}},
							{"directB",
								func(c []T, ldc int) {
									im.kernelDirectB(k, rowsA.view(), rowsA.ld, bFull.view(), bFull.ld, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								},
								func(c []T, ldc int) {
									pt.directB(k, partRows.view(), partRows.ld, bPart.view(), bPart.ld, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								}},
							{"directTB",
								func(c []T, ldc int) {
									im.kernelDirectTB(k, colsA.view(), colsA.ld, bFull.view(), bFull.ld, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								},
								func(c []T, ldc int) {
									pt.directTB(k, partCols.view(), partCols.ld, bPart.view(), bPart.ld, c, ldc, alpha, beta, bp, relu, kp, ldk, 1)
								}},
						}
						// The full kernels reading B in place against
						// the same kernels on its packed panel.
						for _, f := range forms[3:] {
							full, packedB := slices.Clone(c0), slices.Clone(c0)
							f.full(full, nr)
							forms[1+len(f.name)-len("directB")].full(packedB, nr)
							for i := range full {
								if math.Float64bits(float64(full[i])) != math.Float64bits(float64(packedB[i])) {
									t.Fatalf("%s full %s k=%d α,β=%v epilogue %d: c[%d] = %v, from the packed panel %v", im.name, f.name, k, ab, e, i, full[i], packedB[i])
								}
							}
						}
						for _, f := range forms {
							where := fmt.Sprintf("%s %d×%d %s k=%d α,β=%v epilogue %d", im.name, pt.rows, pt.cols, f.name, k, ab, e)
							full := slices.Clone(c0)
							f.full(full, nr)
							c := newMatrix[T](rnd, pt.rows, pt.cols, 5)
							for i := range pt.rows {
								copy(c.view()[i*c.ld:i*c.ld+pt.cols], c0[i*nr:])
							}
							f.part(c.view(), c.ld)
							for i := range pt.rows {
								for j := range pt.cols {
									got, want := c.at(i, j), full[i*nr+j]
									if math.Float64bits(float64(got)) != math.Float64bits(float64(want)) {
										t.Fatalf("%s: c[%d][%d] = %v, full kernel %v", where, i, j, got, want)
									}
								}
							}
							checkBands(t, where, c)
							tested++
						}
					}
				}
			}
		}
	}
	if tested == 0 && len(sets) > 0 {
		t.Fatal("no part kernel tested")
	}
}

// TestMaskedPartsMatchFullKernel checks each masked part kernel, in its five
// forms, against the top-left corner of its full kernel, bit for bit, for
// masks of one lane, about half and all of the last vector: C, the bias and B
// read in place are exactly the part's width inside NaN guard bands, so a
// kernel writing past its mask fails, and one reading past it would bring a
// NaN into the lanes it keeps.
func TestMaskedPartsMatchFullKernel(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testMaskedParts(t, asmF64) })
	t.Run("float32", func(t *testing.T) { testMaskedParts(t, asmF32) })
}

func testMaskedParts[T Float](t *testing.T, sets []*impl[T]) {
	rnd := rand.New(rand.NewPCG(33, 34))
	tested := 0
	for _, im := range sets {
		if len(im.masked) == 0 {
			continue
		}
		mr, nr := im.mr, im.nr
		lanes := im.masked[0].cols
		for _, mp := range im.masked {
			for _, m := range []int{1, lanes/2 + 1, lanes} {
				cols := mp.cols - lanes + m
				mask := 1<<m - 1
				for _, k := range []int{1, 3, 4, 9, 130} {
					rowsA := newMatrix[T](rnd, mr, k, 2)
					packed := make([]T, mr*k)
					for i := range mr {
						for p := range k {
							packed[p*mr+i] = rowsA.at(i, p)
						}
					}
					partRows := newMatrix[T](rnd, mp.rows, k, 3)
					partCols := newMatrix[T](rnd, k, mp.rows, 4)
					colsA := newMatrix[T](rnd, k, mr, 3)
					for i := range mr {
						for p := range k {
							colsA.view()[p*colsA.ld+i] = rowsA.at(i, p)
							if i < mp.rows {
								partRows.view()[i*partRows.ld+p] = rowsA.at(i, p)
								partCols.view()[p*partCols.ld+i] = rowsA.at(i, p)
							}
						}
					}
					// The packed panel is full width; B in place holds
					// only the part's columns.
					b := make([]T, nr*k)
					for i := range b {
						b[i] = T(rnd.Float64()*2 - 1)
					}
					bPart := newMatrix[T](rnd, k, cols, 5)
					for p := range k {
						copy(bPart.view()[p*bPart.ld:p*bPart.ld+cols], b[p*nr:])
					}
					biasFull := newMatrix[T](rnd, 1, nr, 0).view()
					biasPart := newMatrix[T](rnd, 1, cols, 0)
					copy(biasPart.view(), biasFull[:cols])
					keepFull := keepMatrix[T](rnd, mr, nr)
					keepPart := newMatrix[T](rnd, mp.rows, cols, 3)
					for i := range mp.rows {
						copy(keepPart.view()[i*keepPart.ld:i*keepPart.ld+cols], keepFull.view()[i*keepFull.ld:])
					}
					c0 := newMatrix[T](rnd, mr, nr, 0).view()
					for _, ab := range [][2]float64{{1, 0}, {-0.7, 0.5}} {
						alpha, beta := T(ab[0]), T(ab[1])
						for e := range 4 {
							var bf, bp, kf, kp *T
							ldkf, ldkp := 0, 0
							switch e {
							case 1, 2:
								bf, bp = &biasFull[0], &biasPart.view()[0]
							case 3:
								kf, ldkf = &keepFull.view()[0], keepFull.ld
								kp, ldkp = &keepPart.view()[0], keepPart.ld
							}
							relu := e == 2
							full := slices.Clone(c0)
							im.kernel(k, packed, b, full, nr, alpha, beta, bf, relu, kf, ldkf, 1)
							forms := []struct {
								name string
								run  func(c []T, ldc int)
							}{
								{"packed", func(c []T, ldc int) { mp.kernel(k, packed, b, c, ldc, alpha, beta, bp, relu, kp, ldkp, 1, mask) }},
								{"direct", func(c []T, ldc int) {
									mp.direct(k, partRows.view(), partRows.ld, b, c, ldc, alpha, beta, bp, relu, kp, ldkp, 1, mask)
								}},
								{"directT", func(c []T, ldc int) {
									mp.directT(k, partCols.view(), partCols.ld, b, c, ldc, alpha, beta, bp, relu, kp, ldkp, 1, mask)
								}},
								{"directB", func(c []T, ldc int) {
									mp.directB(k, partRows.view(), partRows.ld, bPart.view(), bPart.ld, c, ldc, alpha, beta, bp, relu, kp, ldkp, 1, mask)
								}},
								{"directTB", func(c []T, ldc int) {
									mp.directTB(k, partCols.view(), partCols.ld, bPart.view(), bPart.ld, c, ldc, alpha, beta, bp, relu, kp, ldkp, 1, mask)
								}},
							}
							for _, f := range forms {
								where := fmt.Sprintf("%s masked %d×%d (%d columns) %s k=%d α,β=%v epilogue %d", im.name, mp.rows, mp.cols, cols, f.name, k, ab, e)
								c := newMatrix[T](rnd, mp.rows, cols, 3)
								for i := range mp.rows {
									copy(c.view()[i*c.ld:i*c.ld+cols], c0[i*nr:])
								}
								f.run(c.view(), c.ld)
								for i := range mp.rows {
									for j := range cols {
										got, want := c.at(i, j), full[i*nr+j]
										if math.Float64bits(float64(got)) != math.Float64bits(float64(want)) {
											t.Fatalf("%s: c[%d][%d] = %v, full kernel %v", where, i, j, got, want)
										}
									}
								}
								checkBands(t, where, c)
								tested++
							}
						}
					}
				}
			}
		}
	}
	if tested == 0 && len(sets) > 0 && len(sets[0].masked) > 0 {
		t.Fatal("no masked part tested")
	}
}

// keepMatrix returns an r×c ReLU mask for the kernels' keep argument, inside
// NaN guard bands: positive, negative and zero values, and a NaN, which
// must zero its element as a non-positive one does.
func keepMatrix[T Float](rnd *rand.Rand, r, c int) matrix[T] {
	x := newMatrix[T](rnd, r, c, 3)
	v := x.view()
	for i := range r {
		for j := range c {
			switch (i*c + j) % 7 {
			case 3:
				v[i*x.ld+j] = 0
			case 5:
				v[i*x.ld+j] = T(math.NaN())
			}
		}
	}
	return x
}
