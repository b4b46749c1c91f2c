package harness

import (
	"os"
	"strings"
	"testing"
)

// Every run records which matrix-product kernels it used and how they were
// chosen; OPSCALE_GEMM, when it names a set, shows in both.
func TestEnvRecordsKernels(t *testing.T) {
	e := CurrentEnv()
	if e.GEMM == "" || e.GEMMChoice == "" {
		t.Fatalf("kernels not recorded: gemm %q, gemm_choice %q", e.GEMM, e.GEMMChoice)
	}
	if v := os.Getenv("OPSCALE_GEMM"); v == "purego" && (e.GEMM != "purego" || !strings.Contains(e.GEMMChoice, "OPSCALE_GEMM")) {
		t.Fatalf("OPSCALE_GEMM=purego: gemm %q, gemm_choice %q", e.GEMM, e.GEMMChoice)
	}
}
