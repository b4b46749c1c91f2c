// Command benchtable reads the output of the gemm benchmarks on standard
// input and prints, for each shape and thread count, the median GFLOP/s of
// ours and of gonum, their ratio, ours as a share of the FMA peak measured in
// the same run, and for training shapes ours as a share of the median square
// rate (n ≥ 512) of the same type and thread count.
//
//	go test -run '^$' -bench 'Gemm|FMAPeak' -count 3 -cpu 1,2 ./nets/internal/gemm | go run ./nets/internal/gemm/internal/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"opscale/harness"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

type key struct {
	typ, shape string
	threads    int
}

func run(r io.Reader, w io.Writer) error {
	rates := map[key]map[string][]float64{} // key → implementation → GFLOP/s
	peak := map[int][]float64{}             // threads → float64 FMA GFLOP/s
	var order []key
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || f[len(f)-1] != "GFLOP/s" {
			continue
		}
		v, err := strconv.ParseFloat(f[len(f)-2], 64)
		if err != nil {
			return fmt.Errorf("line %q: %v", sc.Text(), err)
		}
		name, threads := splitCPU(f[0])
		parts := strings.Split(name, "/")
		switch {
		case parts[0] == "BenchmarkFMAPeak":
			peak[threads] = append(peak[threads], v)
		case parts[0] == "BenchmarkGemm" && len(parts) == 5:
			k := key{parts[1], parts[2] + " " + parts[3], threads}
			if rates[k] == nil {
				rates[k] = map[string][]float64{}
				order = append(order, k)
			}
			rates[k][parts[4]] = append(rates[k][parts[4]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(order) == 0 {
		return fmt.Errorf("no BenchmarkGemm lines with GFLOP/s on standard input")
	}
	slices.SortStableFunc(order, func(a, b key) int {
		if c := strings.Compare(a.typ, b.typ); c != 0 {
			return -c // f64 first
		}
		return a.threads - b.threads
	})

	// The square rate that training shapes are held to.
	square := map[[2]any][]float64{}
	for _, k := range order {
		var n int
		if _, err := fmt.Sscanf(k.shape, "square %dx", &n); err == nil && n >= 512 {
			id := [2]any{k.typ, k.threads}
			square[id] = append(square[id], median(rates[k]["ours"]))
		}
	}

	header := []string{"type", "shape (m×n×k)", "threads", "ours GFLOP/s", "gonum GFLOP/s", "ours/gonum", "% of FMA peak", "% of square rate"}
	var rows [][]string
	for _, k := range order {
		ours, gonum := median(rates[k]["ours"]), median(rates[k]["gonum"])
		p := median(peak[k.threads])
		if k.typ == "f32" {
			p *= 2
		}
		sq := "-"
		if !strings.HasPrefix(k.shape, "square") {
			if s := median(square[[2]any{k.typ, k.threads}]); s > 0 {
				sq = fmt.Sprintf("%.0f%%", 100*ours/s)
			}
		}
		rows = append(rows, []string{
			k.typ, k.shape, strconv.Itoa(k.threads),
			fmt.Sprintf("%.1f", ours), fmt.Sprintf("%.2f", gonum),
			fmt.Sprintf("%.1f×", ours/gonum), fmt.Sprintf("%.0f%%", 100*ours/p), sq,
		})
	}
	if err := harness.WriteTextTable(w, header, rows); err != nil {
		return err
	}
	for _, t := range slices.Sorted(mapKeys(peak)) {
		fmt.Fprintf(w, "AVX2 FMA peak, %d thread(s): %.1f GFLOP/s float64, %.1f float32 (median of %d)\n", t, median(peak[t]), 2*median(peak[t]), len(peak[t]))
	}
	return nil
}

// splitCPU splits the -N suffix that go test adds for GOMAXPROCS N > 1.
func splitCPU(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i > strings.LastIndexByte(name, '/') {
		if n, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i], n
		}
	}
	return name, 1
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
