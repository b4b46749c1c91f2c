// Package problems generates operator-learning datasets: seeded input-function
// families, the operators that map them to outputs with verified numerical
// solvers, and datasets in the aligned layout that the networks train on.
// It also holds the function-regression problems of the deep-ReLU theorems.
// The intrinsic dimension of a sample is measured by package intrinsic.
//
// # Input families
//
// NewFamily builds them by name from Params; each documents its sup bound,
// Lipschitz constant and nominal dimension (those with hard bounds implement
// Bounded, and the tests check them):
//
//	subspace   Subspace: b_U sines (1D, 2D) or Karhunen–Loève modes, c ~ U[−1,1]^b_U
//	grf        GRF: Gaussian field, squared-exponential or Matérn, length ℓ (1D, 2D)
//	manifold   Manifold: d-parameter sums of Gaussian bumps (curved, PCA-spread)
//	rough      Rough: random piecewise-linear functions
//
// # Operators
//
// NewOperator builds them by name; every solver has a convergence test at its
// theoretical order against an exact or manufactured solution:
//
//	antiderivative      u ↦ ∫₀ˣ u, trapezoid, order 2
//	poisson1d           −w” = f, zero Dirichlet, 3-point FD + Thomas, order 2
//	poisson2d           −Δw = f on the square, 5-point FD by fast sine transform, order 2
//	advection           w(·,0) ↦ w(·,T) for w_t + a(x)w_x = 0, characteristics, RK4 order 4
//	advection-velocity  a ↦ w(·,T), a = A·exp(Amplitude·u), same solver
//	darcy1d             a ↦ w for −(a w')' = 1, a = A·exp(Amplitude·u), order 2
//	pendulum            u ↦ θ for θ” = −k sin θ + u, RK4 order 4
//	tightness           a synthetic operator Lipschitz and no better at every scale
//
// # Datasets
//
// A Dataset holds n input functions sampled at m sensors (U, n×m), P output
// points (Y, P×d2) and the operator's values there (V, n×P), all row-major
// float64. It is a pure function of (operator, family, sizes, n, seed): the
// i-th function of a set depends only on (seed, split, i), so the first n
// functions of a larger set are the set of size n, and a data-size sweep sees
// nested training sets. Test sets come from their own seed stream and carry no
// noise. Cache stores datasets in checksummed files written atomically and
// regenerates a damaged one; Dataset.WriteNPY and ReadDatasetNPY exchange them
// with NumPy as X.npy, U.npy, Y.npy and V.npy (the format itself is in
// opscale/internal/npy).
//
// # Domains
//
// Input functions live on [0,1]^d1 and outputs on [0,1]^d2. Sensors and output
// points are equispaced and include the end points.
package problems
