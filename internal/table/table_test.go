package table

import (
	"bytes"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	err := Markdown(&b, []string{"n", "error α"}, [][]string{{"32", "1.5e-3"}, {"2048", "a long cell that must not wrap at all"}})
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

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, []string{"a", "bb"}, [][]string{{"1", "22"}, {"333", "4"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a", "bb", "333", "22"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text table lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "---|") {
		t.Errorf("text table is Markdown:\n%s", b.String())
	}
}
