package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanErrorsNameTheProblem(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	if err := runGen([]string{"-problem", "poisson1d", "-family", "subspace", "-bu", "2", "-n", "200",
		"-sensors", "8", "-points", "8", "-grid", "64", "-out", data}, &out); err != nil {
		t.Fatal(err)
	}
	small := t.TempDir()
	if err := runGen([]string{"-problem", "poisson1d", "-family", "subspace", "-bu", "2", "-n", "100",
		"-sensors", "8", "-points", "8", "-grid", "64", "-out", small}, &out); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plan"}, "give -data DIR"},
		{[]string{"plan", "-data", data, "-problem", "poisson1d"}, "one or the other"},
		{[]string{"plan", "-check", "-data", data}, "-check runs on a built-in problem"},
		{[]string{"plan", "-data", filepath.Join(data, "none")}, "U.npy: file not found"},
		{[]string{"plan", "-data", small}, "needs at least 160"},
		{[]string{"plan", "-data", data, "-budget", "1ms"}, "budget too small"},
		{[]string{"plan", "-data", data, "-metric", "l1"}, `metric "l1"`},
		{[]string{"plan", "-data", data, "-seeds", "2"}, "at least 3"},
		{[]string{"plan", "-data", data, "-threads", "-1"}, "-threads"},
		{[]string{"plan", "-problem", "poisson1d", "-family", "nope"}, "nope"},
	} {
		var o, e bytes.Buffer
		if code := run(tc.args, &o, &e); code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		if !strings.Contains(e.String(), tc.want) {
			t.Errorf("%v: stderr %q does not mention %q", tc.args, e.String(), tc.want)
		}
		if strings.Contains(o.String(), "[2/4]") {
			t.Errorf("%v: training started", tc.args)
		}
	}
}

// TestPlanOnExportedData runs the whole command on a dataset written by
// gen, with few steps: the flow, not the numbers, is under test.
func TestPlanOnExportedData(t *testing.T) {
	data, dest := t.TempDir(), t.TempDir()
	var out bytes.Buffer
	if err := runGen([]string{"-problem", "poisson1d", "-family", "subspace", "-bu", "2", "-n", "200",
		"-sensors", "8", "-points", "8", "-grid", "64", "-out", data}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	var errb bytes.Buffer
	if code := run([]string{"plan", "-data", data, "-budget", "1h", "-steps", "20", "-target", "1e-3", "-out", dest}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, w := range []string{"intrinsic dimension", "[2/4]", "2× data", "4× parameters", "Target 0.001", "wrote"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	for _, f := range []string{"plan.md", "plan.svg"} {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			t.Error(err)
		}
	}
}
