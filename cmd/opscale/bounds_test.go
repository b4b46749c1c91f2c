package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestBoundsCommand(t *testing.T) {
	var out bytes.Buffer
	if err := runBounds([]string{"-d1", "1", "-d2", "1", "-bu", "2", "-d", "3", "-markdown", "-eps", "0.1"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	// b_U = 2, d2 = 1: approximation 1/3, generalization 2/5; d = 3 gives
	// the same for the ReLU theorems; a log-rate shows its convention.
	rows := map[string]string{
		"T-don-approx-low": "| 0.3333 ",
		"T-don-gen-low":    "| 0.4 ",
		"T-relu-approx":    "| 0.3333 ",
		"T-relu-gen":       "| 0.4 ",
		"T-don-gen":        "| 0 (log-rate) ",
		"R-sk-smooth":      "| reference ",
	}
	for id, want := range rows {
		found := false
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(line, "| "+id+" ") {
				found = true
				if !strings.Contains(line, want) {
					t.Errorf("%s row lacks %q: %s", id, want, line)
				}
				break
			}
		}
		if !found {
			t.Errorf("no %s row in:\n%s", id, s)
		}
	}
	if !strings.Contains(s, "N(ε)") {
		t.Errorf("no prescription table:\n%s", s)
	}
}

func TestBoundsCommandRejects(t *testing.T) {
	wantRejected(t, runBounds, []flagCase{
		{[]string{"-bu", "0"}, "-bu"},
		{[]string{"-d1", "-2"}, "-d1"},
		{[]string{"-d2", "0"}, "-d2"},
		{[]string{"-d", "0"}, "-d"},
		{[]string{"-nx", "0"}, "-nx"},
		{[]string{"-s", "-1"}, "-s"},
		{[]string{"-lo", "1"}, "-lo"},
		{[]string{"-eps", "1.5"}, "-eps"},
	})
}
