package problems

// Operator maps an input function to its output on a set of points.
type Operator interface {
	// Name identifies the operator, as in a results file.
	Name() string
	// InDim is d1, the dimension of the input functions' domain.
	InDim() int
	// OutDim is d2, the dimension of the output points.
	OutDim() int
	// Apply writes G(u) at the P points y (P×d2, row-major) into dst[:P].
	Apply(dst []float64, u Func, y []float64) error
}
