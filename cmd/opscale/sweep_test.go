package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i, k int
	}{{"0/1", 0, 1}, {"0/2", 0, 2}, {"2/3", 2, 3}, {"11/12", 11, 12}} {
		i, k, err := parseShard(tc.in)
		if err != nil || i != tc.i || k != tc.k {
			t.Errorf("%q: %d/%d, %v; want %d/%d", tc.in, i, k, err, tc.i, tc.k)
		}
	}
	for _, in := range []string{"1/2x", "0/2/5", "2/2", "-1/2", "0/0", "1", "", "/2", "1/", " 1/2", "+1/2", "01/2", "0x1/2", "1/-2"} {
		if _, _, err := parseShard(in); err == nil || !strings.Contains(err.Error(), "-shard") {
			t.Errorf("%q: error %v does not name -shard", in, err)
		}
	}
}

func TestSweepRejectsUnwritableResultsBeforeTraining(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(file, nil, 0o644)
	var out bytes.Buffer
	err := runSweep([]string{"-suite", "../../harness/suites/quick.toml", "-results", filepath.Join(file, "res")}, &out)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(file, "res")) {
		t.Errorf("error %v does not name the results folder", err)
	}
	if out.Len() > 0 {
		t.Errorf("the sweep started: %s", out.String())
	}
}
