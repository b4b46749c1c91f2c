// Package bounds holds the theorems under test as code: for each, the error
// quantity it bounds, the variable it is swept in, its exponent as a function
// of the dimensions, its log factors, its rate, the networks its proof
// builds, and the verdict that sets a measured exponent beside it.
//
// # Catalog
//
// Catalog returns the six theorems of docs/METHOD.md (Liu, Zhang, Liao,
// Schaeffer, arXiv:2410.00357): T-relu-approx, T-relu-gen, T-don-approx,
// T-don-gen, T-don-approx-low and T-don-gen-low. References returns rates
// from other work shown beside them (the Hölder minimax rate on a manifold,
// the Sharma–Kaplan model-size exponents, the Monte-Carlo barrier and the
// variance-limited slope); each is marked Reference and is not a theorem of
// the paper. Lookup finds either by id.
//
// # Rates
//
// A rate is the right-hand side of a bound without its unknown constant, a
// function of the swept size x (N parameters or n training pairs). It is
// either a power law x^{−α}·(log x)^λ or, for a general Lipschitz operator,
// a log-rate (log x/log log x)^{−β}. Logs are natural. A measured error that
// decays as x^{−a} is compared with α: a larger a decays faster than the
// bound. Exponent returns α, and 0 for a log-rate, which decays more slowly
// than any power; RatePower returns α or β. EffectiveExponent is the slope
// the rate itself shows over a fit range, log factors included: the number a
// finite-range fit should be held against. ExponentAt takes real dimensions,
// for predictions from a measured intrinsic dimension.
//
// # Prescriptions
//
// Prescribe returns the depths, widths, nonzero weights and number of basis
// terms the proof uses for accuracy ε, and the parameter count N(ε), with the
// unknown constants of every O(·) set to 1. Balance minimises
// ε² + N(ε)·log n/n, the bias–variance sum of docs/METHOD.md, and
// PrescribedError inverts N(ε); the tests show that their log–log slopes
// approach the catalog's exponents. BalanceWeighted weights the variance
// term by an O(1) constant κ, and CalibrateBalance finds the κ and ε that
// make a given network the prescribed one at a given n.
//
// # Verdicts
//
// JudgeRange gives the verdict of docs/METHOD.md for a slope fitted over a
// range of sizes: faster than, at or slower than the bound over that range,
// log factor included (a log-rate on its own scale), or uninformative where
// the bound does not decrease there. Judge compares an interval with one
// exponent. Envelope gives the smallest constant C with
// e_i ≤ C·Rate(x_i) over measured errors, a check that needs no fitted
// constant.
package bounds
