// Package problems generates operator-learning datasets: seeded input-function
// families, the operators that map them to outputs with verified numerical
// solvers, and datasets in the aligned layout that the networks train on.
//
// # Datasets
//
// A Dataset holds n input functions sampled at m sensors (U, n×m), P output
// points (Y, P×d2) and the operator's values there (V, n×P), all row-major
// float64. It is a pure function of (operator, family, sizes, n, seed): the
// i-th function of a set depends only on (seed, split, i), so the first n
// functions of a larger set are the set of size n, and a data-size sweep sees
// nested training sets. Test sets come from their own seed stream and carry no
// noise.
//
// # Domains
//
// Input functions live on [0,1]^d1 and outputs on [0,1]^d2. Sensors and output
// points are equispaced and include the end points.
package problems
