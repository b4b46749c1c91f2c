// Package bounds holds the theorems under test as code: for each, the error
// quantity it bounds, the variable it is swept in, its exponent as a function
// of the dimensions, its log factors and its rate, and the verdict that sets a
// measured exponent beside it.
//
// # Rates
//
// A rate is the right-hand side of a bound without its unknown constant,
// written x^{−α}·(log x)^λ for power laws. A measured error that decays as
// x^{−a} is compared with α: a larger a decays faster than the bound.
package bounds
