// Package gemm computes the general matrix product C = α·op(A)·op(B) + β·C for
// float32 and float64 matrices, the one product every network in opscale is
// built from.
//
// # Layout
//
// Matrices are row-major with leading dimensions: element (i, j) of an r×c
// matrix A with leading dimension lda is a[i*lda+j], and lda ≥ max(1, c).
// op(X) is X or Xᵀ as the transpose flags say; op(A) is m×k, op(B) is k×n and
// C is m×n.
//
// # Errors
//
// Bad dimensions, leading dimensions or short slices are programmer errors and
// panic with the constant messages of errors.go.
package gemm
