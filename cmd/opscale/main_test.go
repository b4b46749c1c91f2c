package main

import (
	"bytes"
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
