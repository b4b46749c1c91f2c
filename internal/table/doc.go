// Package table renders tables of strings as Markdown or as plain text for a
// terminal. It is the one place that touches tablewriter (v1), whose API has
// changed between major versions, and it depends on nothing else of
// opscale, so that the report, the commands and the GEMM benchmark tooling
// can all draw tables without importing one another.
package table
