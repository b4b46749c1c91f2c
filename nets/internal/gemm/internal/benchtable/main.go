// Command benchtable reads the output of the gemm benchmarks on standard
// input and prints, for each shape and thread count, the median GFLOP/s of
// each of our paths (avx512, avx2: whichever the CPU has) and of gonum, each
// path's ratio to gonum and share of its own FMA peak (measured right after
// each run, since other load on a shared machine moves it), and for training
// shapes the share of the median square rate (n ≥ 512) of the same path, type
// and thread count.
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

	"opscale/internal/table"

	"github.com/montanaflynn/stats"
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
	rates := map[key]map[string][]float64{}   // key → implementation → GFLOP/s
	rowPeak := map[key]map[string][]float64{} // key → implementation → peak measured beside it
	peak := map[string]map[int][]float64{}    // ISA → threads → float64 FMA GFLOP/s
	var order []key
	var paths []string // ours, in order of appearance
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		// After the name and the iteration count come value-unit pairs.
		metrics := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("line %q: %v", sc.Text(), err)
			}
			metrics[f[i+1]] = v
		}
		v, ok := metrics["GFLOP/s"]
		if !ok {
			continue
		}
		name, threads := splitCPU(f[0])
		parts := strings.Split(name, "/")
		switch {
		case parts[0] == "BenchmarkFMAPeak" && len(parts) == 2:
			if peak[parts[1]] == nil {
				peak[parts[1]] = map[int][]float64{}
			}
			peak[parts[1]][threads] = append(peak[parts[1]][threads], v)
		case parts[0] == "BenchmarkGemm" && len(parts) == 5:
			k := key{parts[1], parts[2] + " " + parts[3], threads}
			if rates[k] == nil {
				rates[k] = map[string][]float64{}
				rowPeak[k] = map[string][]float64{}
				order = append(order, k)
			}
			impl := parts[4]
			if impl != "gonum" && !slices.Contains(paths, impl) {
				paths = append(paths, impl)
			}
			rates[k][impl] = append(rates[k][impl], v)
			if pk, ok := metrics["peak-GFLOP/s"]; ok {
				rowPeak[k][impl] = append(rowPeak[k][impl], pk)
			}
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

	// The square rates that training shapes are held to.
	square := map[string][]float64{}
	sqID := func(path string, k key) string { return fmt.Sprint(path, k.typ, k.threads) }
	for _, k := range order {
		var n int
		if _, err := fmt.Sscanf(k.shape, "square %dx", &n); err == nil && n >= 512 {
			for _, p := range paths {
				square[sqID(p, k)] = append(square[sqID(p, k)], median(rates[k][p]))
			}
		}
	}

	header := []string{"type", "shape (m×n×k)", "threads"}
	for _, p := range paths {
		header = append(header, p+" GFLOP/s")
	}
	header = append(header, "gonum GFLOP/s")
	for _, p := range paths {
		header = append(header, p+"/gonum")
	}
	for _, p := range paths {
		header = append(header, p+" % of peak")
	}
	for _, p := range paths {
		header = append(header, p+" % of square")
	}
	var rows [][]string
	for _, k := range order {
		gonum := median(rates[k]["gonum"])
		row := []string{k.typ, k.shape, strconv.Itoa(k.threads)}
		for _, p := range paths {
			row = append(row, fmt.Sprintf("%.1f", median(rates[k][p])))
		}
		row = append(row, fmt.Sprintf("%.2f", gonum))
		for _, p := range paths {
			row = append(row, fmt.Sprintf("%.1f×", median(rates[k][p])/gonum))
		}
		for _, p := range paths {
			// The ratio of medians over the same runs; the peak measured
			// beside each run where there is one, else the FMAPeak
			// benchmark.
			pk := median(rowPeak[k][p])
			if pk == 0 {
				pk = median(peak[p][k.threads])
				if k.typ == "f32" {
					pk *= 2
				}
			}
			row = append(row, fmt.Sprintf("%.0f%%", 100*median(rates[k][p])/pk))
		}
		for _, p := range paths {
			sq := "-"
			if s := median(square[sqID(p, k)]); s > 0 && !strings.HasPrefix(k.shape, "square") {
				sq = fmt.Sprintf("%.0f%%", 100*median(rates[k][p])/s)
			}
			row = append(row, sq)
		}
		rows = append(rows, row)
	}
	if err := table.Text(w, header, rows); err != nil {
		return err
	}
	for _, isa := range slices.Sorted(mapKeys(peak)) {
		for _, t := range slices.Sorted(mapKeys(peak[isa])) {
			v := peak[isa][t]
			fmt.Fprintf(w, "%s FMA peak, %d thread(s): %.1f GFLOP/s float64, %.1f float32 (median of %d)\n", isa, t, median(v), 2*median(v), len(v))
		}
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

// median is the median of x, 0 for none.
func median(x []float64) float64 {
	m, err := stats.Median(x)
	if err != nil {
		return 0
	}
	return m
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
