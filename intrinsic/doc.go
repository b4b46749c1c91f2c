// Package intrinsic estimates the intrinsic dimension of a sample: the number
// of parameters its points really vary in, whatever the number of
// coordinates they are written in. The scaling theorems' exponents depend on
// it (for operators, on the dimension of the input family), so opscale
// measures it for every input family and for any matrix a user brings
// (`opscale dim`).
//
// Three estimators, each in a file of its name, look at different things:
//
//	pca.go         PCASpectrum: energies of the principal components; counts
//	               the components holding 99% and 99.9%. Exact for a linear
//	               family, too high for a curved one.
//	twonn.go       TwoNN (Facco, d'Errico, Rodriguez, Laio 2017): from the
//	               ratio of each point's second to first neighbour distance.
//	mle.go         Levina–Bickel maximum likelihood with k = 20 neighbours,
//	               harmonic-mean aggregation (MacKay and Ghahramani).
//
// Measure runs all three. The neighbour search (neighbours.go) is brute
// force, O(n²·D), meant for a few thousand rows, and its result does not
// depend on the number of threads.
package intrinsic
