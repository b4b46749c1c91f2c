package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"opscale/nets"
)

// fakeRun is a run record whose metrics are a function of its key, so that
// two writers of one key write the same record.
func fakeRun(exp string, size int, seed uint64) Run {
	return Run{
		Experiment: exp, ConfigHash: "abc", Size: size, Seed: seed,
		Metrics: nets.Metrics{MeanSqL2: float64(size) + float64(seed)/10, MeanSup: 1 / float64(size)},
		Train:   TrainRecord{Steps: size},
	}
}

func marshalLine(t *testing.T, r Run) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// countKeys reads the runs file strictly and counts each key.
func countKeys(t *testing.T, path string) map[runKey]int {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := ParseRuns(path, raw)
	if err != nil {
		t.Fatalf("runs file is not clean: %v", err)
	}
	n := map[runKey]int{}
	for i := range runs {
		n[runs[i].key()]++
	}
	return n
}

func TestStoreAppendsInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(fakeRun("e", 1, 1)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	for i := 2; i <= 5; i++ {
		if err := s.Append(fakeRun("e", i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := os.Stat(path)
	// A rewrite through a temporary file and a rename would give the name
	// a new inode at every append.
	if !os.SameFile(before, after) {
		t.Error("appending replaced the runs file instead of appending to it")
	}
	if n := len(countKeys(t, path)); n != 5 {
		t.Errorf("%d runs on disk, want 5", n)
	}
	if err := s.Append(fakeRun("e", 3, 1)); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(must(os.ReadFile(path)), []byte("\n")); n != 5 {
		t.Errorf("appending a recorded run again wrote it: %d lines", n)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// writeRuns appends runs size 1..n of experiment exp, seeds 1 and 2, through
// its own Store, as one sweep would.
func writeRuns(path, exp string, n int) error {
	s, err := OpenStore(path)
	if err != nil {
		return err
	}
	defer s.Close()
	for i := 1; i <= n; i++ {
		for seed := uint64(1); seed <= 2; seed++ {
			if err := s.Append(fakeRun(exp, i, seed)); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestStoreConcurrentWritersInOneProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, 4)
	// Two writers of their own runs and two of the same runs: every run
	// must land exactly once.
	for w, exp := range []string{"a", "b", "shared", "shared"} {
		wg.Go(func() { errs[w] = writeRuns(path, exp, n) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkEachOnce(t, path, []string{"a", "b", "shared"}, n)
}

func checkEachOnce(t *testing.T, path string, exps []string, n int) {
	t.Helper()
	got := countKeys(t, path)
	if len(got) != len(exps)*n*2 {
		t.Errorf("%d distinct runs recorded, want %d", len(got), len(exps)*n*2)
	}
	for _, exp := range exps {
		for i := 1; i <= n; i++ {
			for seed := uint64(1); seed <= 2; seed++ {
				r := fakeRun(exp, i, seed)
				if c := got[r.key()]; c != 1 {
					t.Errorf("%s recorded %d times", r.key(), c)
				}
			}
		}
	}
}

// TestStoreWriterProcess is the body of a writer process started by
// TestStoreConcurrentWriterProcesses; on its own it does nothing.
func TestStoreWriterProcess(t *testing.T) {
	path, exp := os.Getenv("OPSCALE_TEST_RUNS"), os.Getenv("OPSCALE_TEST_EXP")
	if path == "" {
		t.Skip("started only as a writer process")
	}
	n, _ := strconv.Atoi(os.Getenv("OPSCALE_TEST_N"))
	if err := writeRuns(path, exp, n); err != nil {
		t.Fatal(err)
	}
}

func TestStoreConcurrentWriterProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	const n = 60
	var cmds []*exec.Cmd
	for _, exp := range []string{"a", "b", "shared", "shared"} {
		c := exec.Command(os.Args[0], "-test.run=^TestStoreWriterProcess$", "-test.count=1")
		c.Env = append(os.Environ(), "OPSCALE_TEST_RUNS="+path, "OPSCALE_TEST_EXP="+exp, "OPSCALE_TEST_N="+strconv.Itoa(n))
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(out.String())
			}
		})
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("writer process: %v", err)
		}
	}
	checkEachOnce(t, path, []string{"a", "b", "shared"}, n)
}

func TestSweepTwoShardsIntoOneFolderAtOnce(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for shard := range 2 {
		wg.Go(func() {
			store, err := OpenStore(path)
			if err != nil {
				errs[shard] = err
				return
			}
			defer store.Close()
			errs[shard] = Sweep(s, store, SweepOptions{Workers: 1, Shard: shard, Shards: 2})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := countKeys(t, path)
	if len(got) != 6 {
		t.Errorf("%d of the 6 runs recorded", len(got))
	}
	for k, c := range got {
		if c != 1 {
			t.Errorf("%s recorded %d times", k, c)
		}
	}
}

func TestStoreSetsAsideMalformedLines(t *testing.T) {
	r1, r2, r3 := fakeRun("e", 1, 1), fakeRun("e", 2, 1), fakeRun("e", 3, 1)
	l1, l2, l3 := marshalLine(t, r1), marshalLine(t, r2), marshalLine(t, r3)
	half := l2[:len(l2)/2]
	for _, tc := range []struct {
		name     string
		content  string
		keep     []Run // runs the store must hold after opening
		rejected int   // pieces set aside
		strictOK bool  // ParseRuns accepts it
	}{
		{"torn last line", l1 + "\n" + half, []Run{r1}, 1, false},
		{"last line without its newline", l1 + "\n" + l2, []Run{r1, r2}, 0, true},
		{"record plus half a record", l1 + half + "\n" + l3 + "\n", []Run{r1, r3}, 1, false},
		{"half a record glued to a record", half + l1 + "\n" + l3 + "\n", []Run{r1, r3}, 1, false},
		{"two records on one line", l1 + l2 + "\n", []Run{r1, r2}, 0, false},
		{"junk line in the middle", l1 + "\nnot json\n" + l3 + "\n", []Run{r1, r3}, 1, false},
		{"two JSON values on one line", l1 + " {}\n", []Run{r1}, 1, false},
		{"a record without a key", l1 + "\n{}\n", []Run{r1}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "runs.jsonl")
			os.WriteFile(path, []byte(tc.content), 0o644)
			_, err := ParseRuns(path, []byte(tc.content))
			if (err == nil) != tc.strictOK {
				t.Errorf("strict ParseRuns: %v", err)
			}
			var log bytes.Buffer
			s, err := OpenStoreLog(path, &log)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := s.Runs()
			if len(got) != len(tc.keep) {
				t.Fatalf("store holds %d runs, want %d", len(got), len(tc.keep))
			}
			for i := range got {
				if got[i].key() != tc.keep[i].key() {
					t.Errorf("run %d is %s, want %s", i, got[i].key(), tc.keep[i].key())
				}
			}
			rej, _ := os.ReadFile(path + rejectedSuffix)
			n := 0
			for _, l := range strings.Split(string(rej), "\n") {
				if strings.HasPrefix(l, "# ") {
					n++
				}
			}
			if n != tc.rejected {
				t.Errorf("%d pieces set aside, want %d:\n%s", n, tc.rejected, rej)
			}
			if tc.rejected > 0 && !strings.Contains(log.String(), "set aside") {
				t.Errorf("no message about the line set aside: %q", log.String())
			}
			// The next append lands on a line of its own, and the file
			// is clean: every run once, one record per line.
			if err := s.Append(fakeRun("e", 9, 1)); err != nil {
				t.Fatal(err)
			}
			if got := countKeys(t, path); len(got) != len(tc.keep)+1 {
				t.Errorf("after an append the file holds %d runs, want %d", len(got), len(tc.keep)+1)
			}
		})
	}
}

func TestStoreTornByAnotherWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Append(fakeRun("e", 1, 1))
	// Another writer crashes half way through its line.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	l := marshalLine(t, fakeRun("e", 2, 1))
	f.WriteString(l[:len(l)/3])
	f.Close()
	if err := s.Append(fakeRun("e", 3, 1)); err != nil {
		t.Fatal(err)
	}
	got := countKeys(t, path)
	r3 := fakeRun("e", 3, 1)
	if len(got) != 2 || got[r3.key()] != 1 {
		t.Errorf("after a torn line the file holds %v", got)
	}
}

func TestStoreCollapsesDuplicateLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	l := marshalLine(t, fakeRun("e", 1, 1))
	os.WriteFile(path, []byte(l+"\n"+l+"\n"), 0o644)
	var log bytes.Buffer
	s, err := OpenStoreLog(path, &log)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := len(s.Runs()); n != 1 {
		t.Errorf("a run written twice counts %d times", n)
	}
	if !strings.Contains(log.String(), "duplicate") || !strings.Contains(log.String(), "runs.jsonl:2") {
		t.Errorf("no warning naming the duplicate line: %q", log.String())
	}
}

func TestOpenStoreNeedsAWritableFolder(t *testing.T) {
	// A regular file where the folder should be: unwritable even as root.
	file := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(file, nil, 0o644)
	_, err := OpenStore(filepath.Join(file, "results", "runs.jsonl"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(file, "results")) || !strings.Contains(err.Error(), "not writable") {
		t.Errorf("error %v does not say the folder is not writable", err)
	}
}

func ExampleSource() {
	fmt.Println(Source{"a/runs.jsonl", 3})
	// Output: a/runs.jsonl:3
}
