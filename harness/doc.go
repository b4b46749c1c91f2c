// Package harness runs opscale's experiments: it reads suites, sweeps model
// and data size, records every finished run in results/runs.jsonl, fits the
// measured exponents (whole range, tail and local slopes) with seed-cluster
// bootstrap intervals, sets the tail beside the theorems of package bounds,
// and renders the tables, plots and REPORT.md from the recorded runs alone.
// docs/METHOD.md describes the method.
package harness
