package table

import (
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Markdown writes a GitHub-flavoured Markdown table. Cells are
// written as given: no case change, no wrapping.
func Markdown(w io.Writer, header []string, rows [][]string) error {
	return writeTable(w, renderer.NewMarkdown(), header, rows)
}

// Text writes a plain-text table for a terminal.
func Text(w io.Writer, header []string, rows [][]string) error {
	return writeTable(w, renderer.NewBlueprint(), header, rows)
}

func writeTable(w io.Writer, r tw.Renderer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	t.Header(toAny(header)...)
	for _, row := range rows {
		if err := t.Append(toAny(row)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
