package site_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/site"
	"github.com/shopspring/decimal"
)

// pageData is the filter data block of a built page.
type pageData struct {
	Periods []string `json:"periods"`
	Days    []string `json:"days"`
	Cubes   map[string]struct {
		Dims   []string `json:"dims"`
		Fields []string `json:"fields"`
		Rows   []int64  `json:"rows"` // flat: one row after the other
	} `json:"cubes"`
}

var dataBlock = regexp.MustCompile(`(?s)<script id="filter-data" type="application/json">(.*?)</script>`)

func readPageData(t *testing.T, page []byte) pageData {
	t.Helper()
	m := dataBlock.FindSubmatch(page)
	if m == nil {
		t.Fatal("page has no filter data")
	}
	var d pageData
	if err := json.Unmarshal(m[1], &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// sumBy sums fields of a cube by the value of its first dimension (a period
// or a day), in cents, written back as exact decimals.
func (d pageData) sumBy(t *testing.T, cube string, fields ...string) map[string][]string {
	t.Helper()
	c, ok := d.Cubes[cube]
	if !ok {
		t.Fatalf("no cube %s", cube)
	}
	sums := map[string][]int64{}
	n := len(c.Dims) + len(c.Fields)
	if len(c.Rows)%n != 0 {
		t.Fatalf("cube %s has %d values, not whole rows of %d", cube, len(c.Rows), n)
	}
	for i := 0; i < len(c.Rows); i += n {
		r := c.Rows[i : i+n]
		key := ""
		if c.Dims[0] == "day" {
			key = d.Days[r[0]]
		} else {
			key = d.Periods[r[0]]
		}
		if sums[key] == nil {
			sums[key] = make([]int64, len(fields))
		}
		for i, f := range fields {
			for j, name := range c.Fields {
				if name == f {
					sums[key][i] += r[len(c.Dims)+j]
				}
			}
		}
	}
	out := map[string][]string{}
	for k, v := range sums {
		for _, n := range v {
			out[k] = append(out[k], decimal.New(n, -2).StringFixed(2))
		}
	}
	return out
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// The data a page ships for its filters sums, with no filter, to the figures
// the page shows from the views (its CSV downloads): the browser starts
// from the same numbers, to the cent.
func TestFilterDataSumsToThePage(t *testing.T) {
	_, files := cleanSite(t)
	cases := []struct {
		page, csv, cube string
		fields          []string
		cols            []int // the CSV's columns holding the same figures
		money           []bool
	}{
		{"en/collection.html", "en/data/collection_month.csv", "collection", []string{"billed", "collected", "on_time"}, []int{1, 2, 4}, []bool{true, true, true}},
		{"en/arrears.html", "en/data/arrears_month.csv", "arrears", []string{"opening_arrears", "recovered"}, []int{1, 2}, []bool{true, true}},
		{"en/reconciliation.html", "en/data/recon_daily.csv", "reconciliation", []string{"items", "matched", "discrepancies", "discrepancy_amount"}, []int{1, 2, 3, 4}, []bool{false, false, false, true}},
	}
	for _, c := range cases {
		t.Run(c.page, func(t *testing.T) {
			d := readPageData(t, files[c.page])
			sums := d.sumBy(t, c.cube, c.fields...)
			rows := readCSV(t, files[c.csv])
			checked := 0
			for _, r := range rows {
				if r[0] == "Total" {
					continue
				}
				got := sums[r[0]]
				for i, col := range c.cols {
					want := r[col]
					g := "0.00"
					if got != nil {
						g = got[i]
					}
					if !c.money[i] {
						// counts travel as plain integers, not cents
						g = decimal.RequireFromString(g).Shift(2).StringFixed(0)
					}
					if g != want {
						t.Errorf("%s %s: cube sums to %s, the page shows %s", r[0], c.fields[i], g, want)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Error("nothing compared")
			}
		})
	}
}

// One day into a new month: the overview shows the last complete month on
// every card, none blank, with the month to date beside it, and the arrears
// of the new month are carried in from the months before.
func TestOneDayIntoANewMonth(t *testing.T) {
	dir := t.TempDir()
	m, store := openFixture(t, dir, func(dir string) {
		path := filepath.Join(dir, "payments.csv")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bom := bytes.HasPrefix(raw, []byte("\ufeff"))
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, r := range recs[1:] {
			if r[col["bill_id"]] != "" && r[col["status"]] == "completed" {
				n := append([]string(nil), r...)
				n[col["txn_id"]], n[col["paid_at"]], n[col["amount"]], n[col["receipt_no"]] = "NEWMONTH1", "2026-04-01 10:00", "1.00", ""
				recs = append(recs, n)
				break
			}
		}
		var b bytes.Buffer
		if bom {
			b.WriteString("\ufeff")
		}
		w := csv.NewWriter(&b)
		w.WriteAll(recs)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	defer store.Close()
	out := filepath.Join(dir, "site")
	if _, err := site.Build(context.Background(), m, site.Options{Out: out, Now: fixtureNow, Langs: []string{"en"}}); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, out)
	overview := string(files["en/index.html"])
	if !strings.Contains(overview, "1 Apr 2026") {
		t.Fatalf("the build is not as of 1 Apr 2026")
	}
	values := regexp.MustCompile(`<p class="kpi-value">([^<]*)</p>`).FindAllStringSubmatch(overview, -1)
	if len(values) != 8 {
		t.Fatalf("overview has %d KPI cards, want 8", len(values))
	}
	for _, v := range values {
		if v[1] == "—" || v[1] == "" {
			t.Errorf("a KPI card is blank: %q", v[1])
		}
	}
	if n := strings.Count(overview, "Month to date, 1 day:"); n != 6 {
		t.Errorf("overview shows the month to date on %d cards, want 6 (all but the two current counts)", n)
	}
	if !strings.Contains(overview, `<option value="2026-03" selected>Mar 2026</option>`) || !strings.Contains(overview, "Apr 2026 (month to date, 1 day)") {
		t.Error("the month picker does not show March, with April to date beside it")
	}

	var april []string
	for _, r := range readCSV(t, files["en/data/arrears_month.csv"]) {
		if r[0] == "2026-04" {
			april = r
		}
	}
	if april == nil {
		t.Fatal("arrears by month has no row for April")
	}
	if open := decimal.RequireFromString(april[1]); !open.IsPositive() {
		t.Errorf("April's arrears at month start = %s, want those carried in from March", april[1])
	}
	if april[4] != "0" || april[6] != "" {
		t.Errorf("April billed no household: got %v", april)
	}
}
