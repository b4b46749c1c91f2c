package main

import (
	"strings"
	"testing"
)

func TestSplitCPU(t *testing.T) {
	for _, tc := range []struct {
		in   string
		name string
		n    int
	}{
		{"BenchmarkGemm/f64/square/64x64x64/avx2", "BenchmarkGemm/f64/square/64x64x64/avx2", 1},
		{"BenchmarkGemm/f64/square/64x64x64/avx2-2", "BenchmarkGemm/f64/square/64x64x64/avx2", 2},
		{"BenchmarkFMAPeak/avx512-16", "BenchmarkFMAPeak/avx512", 16},
	} {
		name, n := splitCPU(tc.in)
		if name != tc.name || n != tc.n {
			t.Errorf("splitCPU(%q) = %q, %d; want %q, %d", tc.in, name, n, tc.name, tc.n)
		}
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3 = %v, want 2", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median of 4 = %v, want 2.5", m)
	}
	if m := median(nil); m != 0 {
		t.Errorf("median of none = %v, want 0", m)
	}
}

// TestRun feeds two runs of one shape and checks the medians, ratios and
// shares of peak that the table prints.
func TestRun(t *testing.T) {
	in := `goos: linux
BenchmarkGemm/f64/square/512x512x512/avx2   	 10	 1 ns/op	 40.0 GFLOP/s	 50.0 peak-GFLOP/s
BenchmarkGemm/f64/square/512x512x512/avx2   	 10	 1 ns/op	 44.0 GFLOP/s	 50.0 peak-GFLOP/s
BenchmarkGemm/f64/square/512x512x512/avx2   	 10	 1 ns/op	 42.0 GFLOP/s	 50.0 peak-GFLOP/s
BenchmarkGemm/f64/square/512x512x512/gonum  	 10	 1 ns/op	 6.0 GFLOP/s
BenchmarkGemm/f64/fwd/1024x64x64/avx2       	 10	 1 ns/op	 21.0 GFLOP/s	 50.0 peak-GFLOP/s
BenchmarkGemm/f64/fwd/1024x64x64/gonum      	 10	 1 ns/op	 3.0 GFLOP/s
BenchmarkFMAPeak/avx2                       	 10	 1 ns/op	 48.0 GFLOP/s
PASS
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"42.0", "6.00", "7.0×", "84%", "21.0", "50%", "avx2 FMA peak, 1 thread(s): 48.0"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if err := run(strings.NewReader("PASS\n"), &out); err == nil {
		t.Error("no benchmark lines gave no error")
	}
}
