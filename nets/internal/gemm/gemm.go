package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Float is the element type of the matrices gemm multiplies.
type Float interface{ float32 | float64 }

// Gemm computes C = α·op(A)·op(B) + β·C, where op(A) is m×k, op(B) is k×n and
// C is m×n, all row-major with leading dimensions lda, ldb and ldc. op(X) is
// Xᵀ when the matching transpose flag is set. When β is zero C is not read, so
// it may hold NaNs. It panics on negative sizes, leading dimensions too small
// for their rows, or slices too short for the shapes.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	check(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float64:
		gonum.Implementation{}.Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	case []float32:
		gonum.Implementation{}.Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	}
}

// check validates the arguments of Gemm in the order gonum's Dgemm does, so
// that the first problem found is the one reported.
func check(transA, transB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	if m < 0 {
		panic(errNegM)
	}
	if n < 0 {
		panic(errNegN)
	}
	if k < 0 {
		panic(errNegK)
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if lda < max(1, colsA) {
		panic(errBadLdA)
	}
	if ldb < max(1, colsB) {
		panic(errBadLdB)
	}
	if ldc < max(1, n) {
		panic(errBadLdC)
	}
	if rowsA > 0 && colsA > 0 && lenA < lda*(rowsA-1)+colsA {
		panic(errShortA)
	}
	if rowsB > 0 && colsB > 0 && lenB < ldb*(rowsB-1)+colsB {
		panic(errShortB)
	}
	if m > 0 && n > 0 && lenC < ldc*(m-1)+n {
		panic(errShortC)
	}
}
