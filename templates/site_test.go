package templates

import (
	"context"
	"strings"
	"testing"
)

// A chart option and every text are data: whatever they hold, the page
// keeps them inert.
func TestPageEscapesDataAndOptions(t *testing.T) {
	evil := `</script><script>alert(1)</script>`
	p := SitePage{
		Lang: "en", Title: evil, SiteName: "feeflow", Assets: "../assets/",
		Nav: []Link{{Label: "Overview", Href: "index.html", Current: true}},
		Sections: []Section{{ID: "s", Heading: `<img src=x onerror=alert(1)>`, Blocks: []Block{{
			Chart: &Chart{ID: "c1", Label: evil, Unit: "percent", Option: map[string]any{"series": []any{map[string]any{"name": evil}}, "f": "__f__function(){alert(1)}__f__"}},
			Table: Table{Caption: "t", Columns: []Column{{Label: "Fee item"}, {Label: "Billed", Num: true}}, Rows: [][]Cell{{{Text: evil}, {Text: "1,234.00", Num: true}}}},
			CSV:   "data/c1.csv",
			SQL:   "SELECT '</pre>' AS x",
		}}}},
	}
	var b strings.Builder
	if err := Page(p).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script>alert", "<img src=x", "SELECT '</pre>'"} {
		if strings.Contains(out, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	if n, m := strings.Count(out, "<script"), strings.Count(out, "</script>"); n != m || n != 4 {
		t.Errorf("page has %d script openings and %d closings, want 4 each (echarts, charts.js, tables.js, one option)", n, m)
	}
	for _, want := range []string{
		`<div id="c1" class="chart" data-option="c1_option" data-unit="percent" role="img"`,
		`<script id="c1_option" type="application/json">`,
		`\u003c/script\u003e`,
		`<th scope="col" class="num">Billed</th>`,
		`&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</th>`,
		`<a href="index.html" aria-current="page">`,
		`href="data/c1.csv" download`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestPageWithoutChartsLoadsNoScript(t *testing.T) {
	var b strings.Builder
	p := SitePage{Lang: "zh-Hant", Title: "月報", Print: true, Sections: []Section{{ID: "f", Heading: "財務摘要", Facts: []Fact{{Label: "應收", Value: "1,000.00"}}}}}
	if err := Page(p).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script") {
		t.Error("a page without charts loads a script")
	}
	if !strings.Contains(b.String(), `class="print-report"`) || !strings.Contains(b.String(), `lang="zh-Hant"`) {
		t.Error("report page lacks its print class or language")
	}
}
