package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every bad invocation exits non-zero with a message naming what is wrong.
func TestCommandErrorsNameTheProblem(t *testing.T) {
	suite := filepath.Join(t.TempDir(), "s.toml")
	os.WriteFile(suite, []byte("name = \"x\"\nbogus = 1\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"sweep", "-bogus"}, "-bogus"},
		{[]string{"sweep", "-workers", "x"}, "-workers"},
		{[]string{"sweep", "-workers", "-2"}, "-workers"},
		{[]string{"sweep", "-shard", "3/2"}, "-shard"},
		{[]string{"sweep", "stray"}, `"stray"`},
		{[]string{"sweep", "-suite", "/nonexistent/suite.toml"}, "/nonexistent/suite.toml"},
		{[]string{"sweep", "-suite", suite}, "bogus"},
		{[]string{"report", "-results", t.TempDir()}, "runs"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: stderr %q does not mention %q", tc.args, errb.String(), tc.want)
		}
	}
}

// The help lists every command with its summary in one aligned column, and a
// command's flag errors and help go to the stderr run was given.
func TestHelpAlignedAndFlagOutputToStderr(t *testing.T) {
	var out, errb bytes.Buffer
	run([]string{"help"}, &out, &errb)
	col := -1
	for line := range strings.Lines(errb.String()) {
		for name, c := range commands {
			if strings.HasPrefix(line, "  "+name+" ") {
				at := strings.Index(line, c.summary)
				if col >= 0 && at != col {
					t.Errorf("summary of %s starts at column %d, others at %d:\n%s", name, at, col, errb.String())
				}
				col = at
			}
		}
	}
	if col < 0 {
		t.Fatalf("no command listed:\n%s", errb.String())
	}
	for _, name := range []string{"gen", "train", "dim", "bounds", "benchtrain", "report"} {
		out.Reset()
		errb.Reset()
		if code := run([]string{name, "-h"}, &out, &errb); code != 0 {
			t.Errorf("%s -h: exit %d", name, code)
		}
		if !strings.Contains(errb.String(), "-") || out.Len() != 0 {
			t.Errorf("%s -h: stdout %q, stderr %q; want the flags on stderr", name, out.String(), errb.String())
		}
	}
}

// flagCase is an invocation of a command that must fail with an error
// naming want.
type flagCase struct {
	args []string
	want string
}

// wantRejected runs each case and checks that it fails, names what is wrong
// and printed nothing first.
func wantRejected(t *testing.T, run func([]string, io.Writer) error, cases []flagCase) {
	t.Helper()
	for _, tc := range cases {
		var out bytes.Buffer
		err := run(tc.args, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %q", tc.args, err, tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed before failing:\n%s", tc.args, out.String())
		}
	}
}
