package harness

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteMarkdownTable(t *testing.T) {
	var b bytes.Buffer
	err := WriteMarkdownTable(&b, []string{"n", "error α"}, [][]string{{"32", "1.5e-3"}, {"2048", "a long cell that must not wrap at all"}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header, rule and 2 rows, got:\n%s", b.String())
	}
	if !strings.Contains(lines[0], "error α") || strings.Contains(lines[0], "ERROR") {
		t.Errorf("header changed: %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "|") || !strings.Contains(lines[1], "---") {
		t.Errorf("no markdown rule: %q", lines[1])
	}
	if !strings.Contains(lines[3], "a long cell that must not wrap at all") {
		t.Errorf("cell wrapped: %q", lines[3])
	}
}
