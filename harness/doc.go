// Package harness runs opscale's experiments: it reads suites, sweeps model
// and data size, records every finished run in results/runs.jsonl, fits the
// measured exponents with bootstrap confidence intervals, sets them beside the
// theorems of package bounds, and renders the tables and REPORT.md from the
// recorded runs alone.
package harness
