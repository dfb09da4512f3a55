package site_test

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/site"
	"github.com/shopspring/decimal"
	"golang.org/x/net/html"
)

// shownBlock is a block of a built page as a reader sees it: its table's
// rows and totals, cell by cell as rendered, and the SQL shown with it.
type shownBlock struct {
	page, id   string
	rows, foot [][]string
	sql        string
}

// shownBlocks reads every block (chart or table with its SQL) of a page;
// the lists of customers and open items are not blocks.
func shownBlocks(t *testing.T, page string, body []byte) []shownBlock {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	var out []shownBlock
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "div" && hasClass(n, "block") && !hasClass(n, "list") {
			b := shownBlock{page: page, id: attr(n, "data-block")}
			each(n, func(c *html.Node) {
				switch {
				case c.Data == "tr" && c.Parent != nil && c.Parent.Data == "tbody":
					b.rows = append(b.rows, cells(c))
				case c.Data == "tr" && c.Parent != nil && c.Parent.Data == "tfoot":
					b.foot = append(b.foot, cells(c))
				case c.Data == "code" && c.Parent != nil && c.Parent.Data == "pre":
					b.sql = text(c)
				}
			})
			out = append(out, b)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func each(n *html.Node, f func(*html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			f(c)
			each(c, f)
		}
	}
}

func cells(tr *html.Node) []string {
	var out []string
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
			out = append(out, strings.TrimSpace(text(c)))
		}
	}
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// figure is a rendered cell read back as a number: its digits, how many
// places it shows, and whether it is a percent. ok is false for text,
// dates, months and "—".
type figure struct {
	value   decimal.Decimal
	places  int32
	percent bool
}

func readFigure(cell string) (figure, bool) {
	s := strings.ReplaceAll(strings.ReplaceAll(cell, ",", ""), "−", "-")
	var f figure
	if strings.HasSuffix(s, "%") {
		s, f.percent = strings.TrimSuffix(s, "%"), true
	}
	if s == "" || strings.ContainsAny(s, " +eE") {
		return f, false
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return f, false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		f.places = int32(len(s) - i - 1)
	}
	f.value = v
	return f, true
}

// shows says whether a value of a result, rendered as the figure is (to its
// places, as a percent when it is one), reads as the figure.
func (f figure) shows(v any) bool {
	var d decimal.Decimal
	switch x := v.(type) {
	case data.DecimalText:
		var err error
		if d, err = decimal.NewFromString(string(x)); err != nil {
			return false
		}
	case int64:
		d = decimal.NewFromInt(x)
	case int32:
		d = decimal.NewFromInt(int64(x))
	default:
		return false
	}
	if f.percent {
		d = d.Shift(2)
	}
	return d.StringFixed(f.places) == f.value.StringFixed(f.places)
}

// figuresOf checks that the figures of a rendered row are values of the
// result row, in the order of its columns (the table shows them in the
// query's order).
func figuresOf(rendered []string, row []any) error {
	next := 0
	for _, cell := range rendered {
		f, ok := readFigure(cell)
		if !ok {
			continue
		}
		found := false
		for next < len(row) && !found {
			found = f.shows(row[next])
			next++
		}
		if !found {
			return fmt.Errorf("%q is not among the values %v, in order", cell, row)
		}
	}
	return nil
}

// subsetBlocks show some rows of their query's result: the calendar marks
// the days with discrepancies of the daily reconciliation.
var subsetBlocks = map[string]bool{"recon_calendar": true}

// TestTheSQLShownIsTheSQLThatRan runs the SQL shown beside every block of
// the built site, as an analyst would paste it into feeflow sql, and checks
// that it gives the block's table: as many rows, and the first and last rows'
// figures as rendered, in the query's column order; its total rows (total =
// true), or the totals on its rows, give the table's totals. A report page's
// blocks read every month at once: their rows are the result's rows of the
// page's month. The site is built twice: as of the data's last day, and as
// of a day inside its second month, with a new tariff version, so that what
// lies after the as-of day must be cut by the SQL shown.
func TestTheSQLShownIsTheSQLThatRan(t *testing.T) {
	t.Run("as of the last day", func(t *testing.T) {
		_, files := cleanSite(t)
		checkShownSQL(t, clean.store, files)
	})
	t.Run("as of a day inside the data", func(t *testing.T) {
		dir := t.TempDir()
		m, store := openFixture(t, dir, addTariffVersionAndNames(t))
		defer store.Close()
		out := filepath.Join(dir, "site")
		asOf := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
		if _, err := site.Build(context.Background(), m, site.Options{Out: out, AsOf: asOf, Now: fixtureNow, Langs: []string{"en"}}); err != nil {
			t.Fatal(err)
		}
		files := readTree(t, out)
		if _, ok := files["en/reports/2026-03/index.html"]; ok {
			t.Errorf("the report of a month after the as-of day is published")
		}
		if !strings.Contains(string(files["en/data/fees_history.csv"]), "7.20,0.70,2026-03-01") {
			t.Errorf("the tariff history lacks the new version and its change")
		}
		if strings.Contains(string(files["en/data/fees.csv"]), "7.20") {
			t.Errorf("the tariff of 2026-02-20 shows the version of 2026-03-01")
		}
		checkShownSQL(t, store, files)
	})
}

func checkShownSQL(t *testing.T, store *data.Store, files map[string][]byte) {
	ctx := context.Background()
	var blocks []shownBlock
	for _, name := range sortedNames(files) {
		if strings.HasPrefix(name, "en/") && strings.HasSuffix(name, ".html") {
			blocks = append(blocks, shownBlocks(t, name, files[name])...)
		}
	}
	checked := 0
	for _, b := range blocks {
		if b.sql == "" {
			continue
		}
		t.Run(b.page+"#"+b.id, func(t *testing.T) {
			results, err := analytics.Query(ctx, store, b.sql, analytics.QueryOptions{MaxBytes: -1})
			if err != nil {
				t.Fatalf("the SQL shown does not run: %v\n%s", err, b.sql)
			}
			month := ""
			if dir := path.Dir(b.page); strings.HasPrefix(dir, "en/reports/") {
				month = path.Base(dir)
			}
			rows, foot := split(results, month)
			if subsetBlocks[b.id] {
				for _, r := range b.rows {
					if !anyRow(r, rows) {
						t.Errorf("row %v is in no row of the result", r)
					}
				}
				return
			}
			if len(rows) != len(b.rows) {
				t.Fatalf("the SQL gives %d rows, the table shows %d\n%s", len(rows), len(b.rows), b.sql)
			}
			if n := len(rows); n > 0 {
				for _, i := range []int{0, n - 1} {
					if err := figuresOf(b.rows[i], rows[i]); err != nil {
						t.Errorf("row %d: %v", i+1, err)
					}
				}
			}
			for i, f := range b.foot {
				if i >= len(foot) {
					t.Errorf("total %v: the SQL gives no total", f)
					continue
				}
				if err := figuresOf(f, foot[i]); err != nil {
					t.Errorf("total %d: %v", i+1, err)
				}
			}
		})
		checked++
	}
	if checked < 20 {
		t.Errorf("checked %d blocks; the site shows more", checked)
	}
}

// split sorts a block's results into the rows of its table and its totals:
// with two statements the second gives the totals; with one, its rows
// marked total = true are the totals, and otherwise the totals every row
// carries (the first row's) stand for the table's totals. On a report page
// (month set) only the month's rows count.
func split(results []*analytics.Result, month string) (rows, foot [][]any) {
	inMonth := func(r *analytics.Result, row []any) bool {
		if month == "" {
			return true
		}
		for i, c := range r.Columns {
			if c.Name == "period" {
				s, _ := row[i].(string)
				return s == month
			}
		}
		return true
	}
	isTotal := func(r *analytics.Result, row []any) bool {
		for i, c := range r.Columns {
			if c.Name == "total" {
				b, _ := row[i].(bool)
				return b
			}
		}
		return false
	}
	for si, r := range results {
		for _, row := range r.Rows {
			if !inMonth(r, row) {
				continue
			}
			switch {
			case si > 0 || isTotal(r, row):
				foot = append(foot, row)
			default:
				rows = append(rows, row)
			}
		}
	}
	if len(foot) == 0 && len(rows) > 0 {
		foot = [][]any{rows[0], rows[0]}
	}
	return rows, foot
}

func anyRow(rendered []string, rows [][]any) bool {
	for _, r := range rows {
		if figuresOf(rendered, r) == nil {
			return true
		}
	}
	return false
}
