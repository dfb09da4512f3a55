package site

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/templates"
	"github.com/shopspring/decimal"
)

// kind says how a value is shown on a page and written to a CSV.
type kind int

const (
	kText  kind = iota // free text from the data
	kEnum              // a domain word, translated
	kMoney             // an amount: 2 places, thousands separators; CSV exact
	kRate              // a fraction shown as a percent; CSV the exact fraction
	kInt               // a count
	kDays              // days with 1 place
	kNum               // a decimal with 2 places (scores, per-1000 figures)
	kDate              // a day
	kMonth             // a period YYYY-MM
)

// val is one typed cell: one source for the page's table and the CSV.
type val struct {
	kind  kind
	text  string // kText, kEnum (the code), kMonth
	dec   decimal.Decimal
	valid bool // kRate, kDays, kNum: false is NULL
	n     int
	day   time.Time
	class string
	delta bool // a change: shown signed, a rate's in percentage points
	mark  bool // kMonth: the month is still collecting (shown, not in the CSV)
	href  string
}

func vText(s string) val            { return val{kind: kText, text: s} }
func vEnum(family, code string) val { return val{kind: kEnum, text: family + "\x00" + code} }
func vMoney(d decimal.Decimal) val  { return val{kind: kMoney, dec: d, valid: true} }
func vRate(r analytics.Rate) val    { return val{kind: kRate, dec: r.Value, valid: r.Valid} }
func vInt(n int) val                { return val{kind: kInt, n: n} }
func vDays(r analytics.Rate) val    { return val{kind: kDays, dec: r.Value, valid: r.Valid} }
func vNum(r analytics.Rate) val     { return val{kind: kNum, dec: r.Value, valid: r.Valid} }
func vDate(d time.Time) val         { return val{kind: kDate, day: d} }
func vMonth(p string) val           { return val{kind: kMonth, text: p} }
func (v val) with(class string) val { v.class = class; return v }

// linked is the value as a drill-down link.
func (v val) linked(href string) val { v.href = href; return v }

// vDelta is a change of an improvement metric.
func vDelta(metric string, r analytics.Rate) val {
	v := vMetric(metric, r)
	v.delta = true
	return v
}
func vMetric(metric string, r analytics.Rate) val {
	switch metricKind(metric) {
	case kRate:
		return vRate(r)
	case kMoney:
		return val{kind: kMoney, dec: r.Value, valid: r.Valid}
	}
	return vNum(r)
}

// metricKind is how an improvement metric's values read.
func metricKind(metric string) kind {
	switch metric {
	case "collection_rate", "on_time_rate", "match_rate", "reissue_rate":
		return kRate
	case "discrepancy_amount":
		return kMoney
	}
	return kNum
}

func (v val) numeric() bool {
	switch v.kind {
	case kMoney, kRate, kInt, kDays, kNum:
		return true
	}
	return false
}

// display is the value as the page shows it.
func (v val) display(t *tr) string {
	if v.delta && v.valid {
		switch v.kind {
		case kRate:
			return t.Points(v.dec)
		case kMoney:
			return signed(t.Money(v.dec))
		}
		return signed(group(v.dec.StringFixed(2)))
	}
	switch v.kind {
	case kEnum:
		family, code, _ := strings.Cut(v.text, "\x00")
		return t.Enum(family, code)
	case kMoney:
		if !v.valid {
			return "—"
		}
		return t.Money(v.dec)
	case kRate:
		return t.Percent(analytics.Rate{Value: v.dec, Valid: v.valid})
	case kInt:
		return t.Int(v.n)
	case kDays:
		return t.Fixed(analytics.Rate{Value: v.dec, Valid: v.valid}, 1)
	case kNum:
		return t.Fixed(analytics.Rate{Value: v.dec, Valid: v.valid}, 2)
	case kDate:
		return t.Date(v.day)
	case kMonth:
		if v.mark {
			return t.Collecting(t.Month(v.text))
		}
		return t.Month(v.text)
	}
	return v.text
}

// raw is the value as the CSV holds it: numbers exact and unformatted, days
// ISO, text as shown (and neutralised by the CSV writer).
func (v val) raw(t *tr) string {
	switch v.kind {
	case kMoney:
		if !v.valid {
			return ""
		}
		return fixed2(v.dec)
	case kRate:
		if !v.valid {
			return ""
		}
		return v.dec.StringFixed(4)
	case kDays, kNum:
		if !v.valid {
			return ""
		}
		return v.dec.String()
	case kInt:
		return strconv.Itoa(v.n)
	case kDate:
		if v.day.IsZero() {
			return ""
		}
		return v.day.Format(time.DateOnly)
	case kMonth:
		return v.text
	}
	return v.display(t)
}

// col is a column: its heading's catalog key and whether it holds figures.
type col struct {
	key string
	num bool
}

// searchRows is the longest table without a search box.
const searchRows = 12

// dataTable is the numbers behind one chart or list.
type dataTable struct {
	caption string
	cols    []col
	rows    [][]val
	foot    [][]val

	// A list too long to hold as values is made by long: rows then holds
	// its first rows only (those a page shows), all counts every row, and
	// record appends row i's cells to rec as the CSV writes them (val.raw).
	all    int
	record func(i int, rec []string) []string
}

// long makes d a long list of n rows, row appending row i's cells to r:
// the rows a page shows are kept as values, and the CSV writes every row
// as it goes, through one buffer, straight into its file (csvFile; at 10 M
// payments, 90 k open exceptions kept as values took 100 MB a language).
func (d *dataTable) long(t *tr, n int, row func(i int, r []val) []val) {
	for i := range min(n, listPageRows) {
		d.rows = append(d.rows, row(i, nil))
	}
	d.all = n
	var buf []val
	d.record = func(i int, rec []string) []string {
		buf = row(i, buf[:0])
		for _, v := range buf {
			rec = append(rec, v.raw(t))
		}
		return rec
	}
}

// count is how many rows the table has.
func (d dataTable) count() int {
	if d.record != nil {
		return d.all
	}
	return len(d.rows)
}

func cols(keys ...string) []col {
	out := make([]col, len(keys))
	for i, k := range keys {
		out[i] = col{key: "col." + strings.TrimPrefix(k, "#"), num: strings.HasPrefix(k, "#")}
	}
	return out
}

// heading is column i's label; a column of amounts names the currency.
func (d dataTable) heading(t *tr, i int) string {
	label := t.T(d.cols[i].key)
	money := false
	for _, rows := range [][][]val{d.rows, d.foot} {
		for _, r := range rows {
			if i >= len(r) || r[i].kind == kText && r[i].text == "" {
				continue
			}
			if r[i].kind != kMoney {
				return label
			}
			money = true
		}
	}
	if money {
		return t.InCurrency(label)
	}
	return label
}

func (d dataTable) render(t *tr) templates.Table {
	out := templates.Table{Caption: d.caption, Empty: t.T("table.empty"), Search: len(d.rows) > searchRows}
	for i, c := range d.cols {
		out.Columns = append(out.Columns, templates.Column{Label: d.heading(t, i), Num: c.num})
	}
	conv := func(rows [][]val) [][]templates.Cell {
		var cells [][]templates.Cell
		for _, r := range rows {
			row := make([]templates.Cell, len(r))
			for i, v := range r {
				row[i] = templates.Cell{Text: v.display(t), Num: v.numeric(), Class: v.class, Href: v.href}
				if v.kind == kDate || v.kind == kMonth {
					// days and months sort by their ISO form; figures by
					// their text (tables.js reads the number in it)
					row[i].Sort = v.raw(t)
				}
			}
			cells = append(cells, row)
		}
		return cells
	}
	out.Rows, out.Foot = conv(d.rows), conv(d.foot)
	return out
}

// csv is the table as a CSV file (writeCSV), for a table held as values.
func (d dataTable) csv(t *tr) []byte {
	var b bytes.Buffer
	b.Grow(64 * (len(d.rows) + len(d.foot) + 1)) // a table's records run to about this many bytes each
	d.writeCSV(t, &b)                            // a bytes.Buffer takes every write
	return b.Bytes()
}

// writeCSV writes the table as a CSV file: UTF-8 with a BOM (Excel then
// reads Chinese correctly), a header row, the rows and then the totals. A
// long list (record set) writes its rows from record, and its totals from
// foot.
func (d dataTable) writeCSV(t *tr, out io.Writer) error {
	if _, err := io.WriteString(out, "\ufeff"); err != nil {
		return err
	}
	w := csv.NewWriter(out)
	rec := make([]string, 0, len(d.cols))
	for i := range d.cols {
		rec = append(rec, neutralise(d.heading(t, i)))
	}
	w.Write(rec)
	values := func(r []val) {
		rec = rec[:0]
		for _, v := range r {
			s := v.raw(t)
			if !v.numeric() {
				s = neutralise(s)
			}
			rec = append(rec, s)
		}
		w.Write(rec)
	}
	if d.record == nil {
		for _, r := range d.rows {
			values(r)
		}
	} else {
		for i := range d.all {
			rec = d.record(i, rec[:0])
			for j := range rec {
				if !d.cols[j].num {
					rec[j] = neutralise(rec[j])
				}
			}
			w.Write(rec)
		}
	}
	for _, r := range d.foot {
		values(r)
	}
	w.Flush()
	return w.Error()
}

func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
