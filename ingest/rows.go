package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest/parse"
	"github.com/feeflow/feeflow/ingest/profiles"
	"github.com/shopspring/decimal"
)

// RowError is one problem of one row, as the user must see it to fix it.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// converter turns the text fields of a row into the typed values staged for
// the kind, in column order.
type converter struct {
	kind *Kind
	idx  []int // field index per column, -1 when the file lacks it
	loc  *time.Location
	xlsx bool // numbers and dates come as XLSX raw cell values
	// plan, when set, reads each line through a profile first.
	plan *profiles.Plan
}

// convert validates one row. It returns the values (nil when the row is
// rejected) and every problem found in it.
func (cv *converter) convert(row int, fields []string) ([]any, []RowError) {
	// Room for the batch ID and the source row the appender adds.
	vals := make([]any, len(cv.kind.columns), len(cv.kind.columns)+2)
	var errs []RowError
	for ci, c := range cv.kind.columns {
		raw := ""
		if i := cv.idx[ci]; i >= 0 && i < len(fields) {
			raw = fields[i]
		}
		v, err := cv.value(c, raw)
		if err != nil {
			errs = append(errs, RowError{Row: row, Column: c.name, Value: clip(raw), Message: err.Error()})
			continue
		}
		vals[ci] = v
	}
	for ci, c := range cv.kind.columns {
		if c.fallback != "" && vals[ci] == nil {
			vals[ci] = vals[cv.kind.columnIndex(c.fallback)]
		}
	}
	if len(errs) == 0 {
		errs = cv.kind.crossCheck(row, vals)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return vals, nil
}

var (
	errRequired  = errors.New("required")
	errLineBreak = errors.New("contains a line break")
)

// value reads one cell by its column's type; nil means NULL.
func (cv *converter) value(c column, raw string) (any, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		s = c.def
	}
	if s == "" {
		if c.required {
			return nil, errRequired
		}
		return nil, nil
	}
	switch c.typ {
	case textCol:
		t, err := parse.Text(s, maxText)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(t, "\r\n") {
			if !c.multiline {
				return nil, errLineBreak
			}
			t = strings.ReplaceAll(strings.ReplaceAll(t, "\r\n", "\n"), "\r", "\n")
		}
		return t, nil
	case idDocCol:
		t, err := parse.Text(s, maxText)
		if err != nil {
			return nil, err
		}
		return maskID(t), nil
	case moneyCol, signedMoneyCol:
		var d decimal.Decimal
		var err error
		signed := c.typ == signedMoneyCol
		switch {
		case cv.xlsx && signed:
			d, err = parse.XLSXSignedAmount(s)
		case cv.xlsx:
			d, err = parse.XLSXAmount(s)
		case signed:
			d, err = parse.SignedAmount(s)
		default:
			d, err = parse.Amount(s)
		}
		if err != nil {
			return nil, err
		}
		return d, nil
	case targetCol:
		d, err := parse.Decimal(s, 4)
		if err != nil {
			return nil, err
		}
		return data.Scaled{Value: d, Scale: 4}, nil
	case timeCol:
		if cv.xlsx && isNumber(s) {
			return parse.ExcelSerial(s, cv.loc)
		}
		return parse.Timestamp(s, cv.loc)
	case dateCol:
		if cv.xlsx && isNumber(s) {
			t, err := parse.ExcelSerial(s, time.UTC)
			if err != nil {
				return nil, err
			}
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		}
		return parse.Date(s)
	case periodCol:
		return parse.Period(s)
	case enumCol:
		return c.enum.Parse(s)
	case boolCol:
		return parse.Bool(s)
	case scoreCol:
		return parse.Int(s, 1, 5)
	}
	return nil, fmt.Errorf("column %s has no reader", c.name)
}

// columnIndex is the position of the named column; kinds.go names only
// columns that exist (TestKindsAreWellFormed).
func (k *Kind) columnIndex(name string) int {
	for i, c := range k.columns {
		if c.name == name {
			return i
		}
	}
	panic("ingest: kind " + k.Name + " has no column " + name)
}

// crossCheck applies the rules that span columns of one row.
func (k *Kind) crossCheck(row int, vals []any) []RowError {
	get := func(name string) any {
		for i, c := range k.columns {
			if c.name == name {
				return vals[i]
			}
		}
		return nil
	}
	var errs []RowError
	bad := func(column string, v any, msg string) {
		errs = append(errs, RowError{Row: row, Column: column, Value: show(v), Message: msg})
	}
	after := func(later, earlier string) {
		l, ok1 := get(later).(time.Time)
		e, ok2 := get(earlier).(time.Time)
		if ok1 && ok2 && l.Before(e) {
			bad(later, l, fmt.Sprintf("is before %s (%s)", earlier, show(e)))
		}
	}
	switch k.Name {
	case "fee_items":
		after("effective_to", "effective_from")
	case "bills":
		due, _ := get("amount_due").(decimal.Decimal)
		if disc, ok := get("discount").(decimal.Decimal); ok && disc.GreaterThan(due) {
			bad("discount", disc, fmt.Sprintf("is larger than amount_due (%s)", due.StringFixed(2)))
		}
	case "refunds":
		after("reviewed_at", "requested_at")
		after("executed_at", "requested_at")
		after("executed_at", "reviewed_at")
		if get("executed_at") != nil && get("decision") != "approved" {
			bad("executed_at", get("executed_at"), fmt.Sprintf("a refund can be executed only when approved (decision is %s)", get("decision")))
		}
	case "settlements":
		// A refund line pays money back for one payment: it must name it.
		amt, _ := get("amount").(decimal.Decimal)
		if amt.IsNegative() && get("txn_ref") == nil {
			bad("txn_ref", nil, "a refund line (negative amount) must name the refunded payment in txn_ref")
		}
		if r := get("refund_ref"); r != nil && !amt.IsNegative() {
			bad("refund_ref", r, "only a refund line (negative amount) carries a refund_ref")
		}
	case "exceptions":
		after("resolved_at", "occurred_at")
	case "invoices":
		if r := get("reissue_of"); r != nil && r == get("invoice_no") {
			bad("reissue_of", r, "an invoice cannot reissue itself")
		}
	}
	return errs
}

// maskID keeps only the last 4 characters of an identity number: the rest is
// personal data feeflow never needs.
func maskID(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return "****" + string(r[len(r)-4:])
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

// show formats a typed value as the user wrote it, for messages.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format(time.RFC3339)
	case decimal.Decimal:
		return x.StringFixed(2)
	default:
		return fmt.Sprint(x)
	}
}

// clip keeps reported values short: a 64 KiB cell does not belong in a report.
func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}
