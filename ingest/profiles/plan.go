package profiles

import (
	"crypto/sha256"

	"encoding/hex"
	"fmt"
	"github.com/shopspring/decimal"
	"golang.org/x/text/width"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ColumnType is how a feeflow column is read, as far as a profile cares.
type ColumnType int

// The column types a profile treats apart.
const (
	Text  ColumnType = iota
	Money            // amounts: signs, currency marks, debit/credit
	Time             // instants: date and time forms, zones
	Date             // calendar dates
)

// TargetColumn is one column of the record kind a profile fills.
type TargetColumn struct {
	Name     string
	Aliases  []string // the headers feeflow knows it by
	Required bool
	Type     ColumnType
}

// Target is the record kind a profile fills, as the caller defines it.
type Target struct {
	Kind    string
	Key     string // the key column, filled by DeriveKey
	Amount  string // the signed amount column refunds make negative, "" if none
	Columns []TargetColumn
}

func (t Target) index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Outcome is what becomes of one data line.
type Outcome int

// The outcomes of Plan.Apply.
const (
	Keep   Outcome = iota // a row of the kind: the values are filled
	Drop                  // a real row that is not one of the kind's rows (a failed order, money paid out)
	Skip                  // not a row at all (a footer, a summary line)
	Reject                // a row feeflow cannot read: an error
)

// Verdict is the outcome of one line and why.
type Verdict struct {
	Outcome Outcome
	Reason  string // Drop, Skip: why; Reject: the message
	Column  string // Reject: the feeflow column (or file header) at fault
	Value   string // Reject: the value at fault
}

// Mapping says where one feeflow column comes from, for the answer.
type Mapping struct {
	Column string `json:"column"`
	From   string `json:"from"`
}

type source int

const (
	none source = iota
	field
	dateTime
	creditDebit
	direction
	constant
	sum
)

type colPlan struct {
	src       source
	idx, idx2 int // field; date and time; credit and debit; amount and direction
	in, out   *Matcher
	constant  string
	values    *ValueMap
	typ       ColumnType
	header    string
	negate    bool
	parts     []int // sum
}

type rulePlan struct {
	idx    int
	header string
	values *Matcher
	reason string
}

// Plan is a profile bound to one file's header, ready to read its rows.
// It is safe for concurrent use.
type Plan struct {
	p           *Profile
	t           Target
	header      []string
	cols        []colPlan
	refund      []colPlan // per target column; src none when not overridden
	statusIdx   int
	keep, drop  []rulePlan
	zoneIdx     int
	curIdx      int
	currency    string
	xlsx        bool
	negative    string
	amountIdx   int
	keyIdx      int
	reach       int // lines with fewer cells than this are short (footers)
	footer      []string
	footerWords map[string]string // lowercased word -> word
	used        []bool
	mapping     []Mapping
}

// MaxHeaderSearch is how many lines the header is looked for in.
const MaxHeaderSearch = 60

// NormHeader folds a header for matching: case, spaces around it, the
// marks exports wrap cells in, and " ", "-", "_" are the same.
// Full-width letters, digits and brackets (（+元）) are their ASCII forms.
func NormHeader(h string) string {
	return headerFolder.Replace(strings.ToLower(width.Fold.String(CleanCell(h))))
}

// headerFolder is never changed after it is built.
var headerFolder = strings.NewReplacer(" ", "_", "-", "_", "\u3000", "_")

// headerIndex maps folded header cells to their first position.
func headerIndex(header []string) map[string]int {
	m := make(map[string]int, len(header))
	for i, h := range header {
		n := NormHeader(h)
		if n == "" {
			continue
		}
		if _, dup := m[n]; !dup {
			m[n] = i
		}
	}
	return m
}

// Options are the organisation's settings a plan needs.
type Options struct {
	// Currency is the organisation's currency; "" takes the profile's
	// default, else CNY.
	Currency string
	// XLSX: amounts may be the raw text of number cells (12.300000000000001),
	// which the kind's XLSX reader judges.
	XLSX bool
}

// Compile binds the profile to a file's header. Target columns the profile
// does not name are read from headers that carry their own name or alias,
// as without a profile. All problems are reported at once.
func (p *Profile) Compile(t Target, header []string, o Options) (*Plan, error) {
	if p == nil {
		p = &Profile{Columns: map[string]Column{}}
	}
	pl := &Plan{p: p, t: t, header: header, statusIdx: -1, zoneIdx: -1, curIdx: -1, keyIdx: -1,
		amountIdx: t.index(t.Amount), used: make([]bool, len(header))}
	idx := headerIndex(header)
	var problems []string
	find := func(h string) int {
		i, ok := idx[NormHeader(h)]
		if !ok {
			problems = append(problems, fmt.Sprintf("the file has no column %q", h))
			return -1
		}
		pl.used[i] = true
		return i
	}
	findAny := func(hs []string) (int, string) {
		for _, h := range hs {
			if i, ok := idx[NormHeader(h)]; ok {
				pl.used[i] = true
				return i, h
			}
		}
		if len(hs) == 1 {
			problems = append(problems, fmt.Sprintf("the file has no column %q", hs[0]))
		} else {
			problems = append(problems, fmt.Sprintf("the file has none of the columns %s", quoteList(hs)))
		}
		return -1, ""
	}
	for name := range p.Columns {
		if t.index(name) < 0 {
			problems = append(problems, fmt.Sprintf("columns names %q, which %s does not have", name, t.Kind))
		}
	}
	for name := range p.Refund {
		if t.index(name) < 0 {
			problems = append(problems, fmt.Sprintf("refund names %q, which %s does not have", name, t.Kind))
		}
	}
	for name := range p.Constants {
		if t.index(name) < 0 {
			problems = append(problems, fmt.Sprintf("constants names %q, which %s does not have", name, t.Kind))
		}
	}
	for name := range p.Values {
		if t.index(name) < 0 {
			problems = append(problems, fmt.Sprintf("values names %q, which %s does not have", name, t.Kind))
		}
	}
	bind := func(tc TargetColumn, c Column) colPlan {
		cp := colPlan{typ: tc.Type, idx: -1, idx2: -1}
		switch {
		case c.Date != "":
			cp.src, cp.idx = dateTime, find(c.Date)
			cp.header = c.Date
			if c.Time != "" {
				cp.idx2 = find(c.Time)
				cp.header += " + " + c.Time
			}
		case c.Credit != "" || c.Debit != "":
			cp.src = creditDebit
			if c.Credit != "" {
				cp.idx = find(c.Credit)
			}
			if c.Debit != "" {
				cp.idx2 = find(c.Debit)
			}
			cp.header = fmt.Sprintf("credit %q, debit %q", c.Credit, c.Debit)
		case len(c.Sum) > 0:
			cp.src = sum
			for _, h := range c.Sum {
				cp.parts = append(cp.parts, find(h))
			}
			cp.header = "sum of " + quoteList(c.Sum)
		case c.Direction != "":
			cp.src = direction
			cp.idx, cp.header = findAny(c.Headers)
			cp.idx2 = find(c.Direction)
			var err error
			if cp.in, err = NewMatcher(c.In); err == nil {
				cp.out, err = NewMatcher(c.Out)
			}
			if err != nil {
				problems = append(problems, err.Error())
			}
			cp.header = fmt.Sprintf("%s, signed by %s", cp.header, c.Direction)
		default:
			cp.src = field
			cp.idx, cp.header = findAny(c.Headers)
		}
		cp.negate = c.Negate
		if c.Negate {
			cp.header += ", sign flipped"
		}
		return cp
	}
	pl.cols = make([]colPlan, len(t.Columns))
	pl.refund = make([]colPlan, len(t.Columns))
	for ti, tc := range t.Columns {
		cp := colPlan{src: none, typ: tc.Type, idx: -1, idx2: -1}
		c, named := p.Columns[tc.Name]
		k, isConst := p.Constants[tc.Name]
		switch {
		case named:
			cp = bind(tc, c)
		case isConst:
			cp = colPlan{src: constant, constant: k, typ: tc.Type, header: "constant"}
		case p.DeriveKey && tc.Name == t.Key:
			pl.keyIdx = ti
			cp.header = "derived from the row's content and its occurrence"
		}
		pl.cols[ti] = cp
		if rc, ok := p.Refund[tc.Name]; ok {
			pl.refund[ti] = bind(tc, rc)
		}
	}
	// Columns the profile does not mention are read by feeflow's own
	// headers, from what the profile left unread.
	for ti, tc := range t.Columns {
		_, inRefund := p.Refund[tc.Name]
		if pl.cols[ti].src != none || pl.keyIdx == ti || inRefund || pl.p.Status != nil && tc.Name == "status" {
			continue
		}
		for _, h := range append([]string{tc.Name}, tc.Aliases...) {
			if i, ok := idx[NormHeader(h)]; ok && !pl.used[i] && !p.reads(h) {
				pl.cols[ti] = colPlan{src: field, idx: i, idx2: -1, typ: tc.Type, header: header[i]}
				pl.used[i] = true
				break
			}
		}
	}
	for ti, tc := range t.Columns {
		if vm, ok := p.Values[tc.Name]; ok {
			vm := vm
			pl.cols[ti].values = &vm
			pl.refund[ti].values = &vm
		}
		if pl.cols[ti].src == none && tc.Required && pl.keyIdx != ti && pl.refund[ti].src == none {
			problems = append(problems, fmt.Sprintf("required column %s is missing: name its header in columns, give it in constants%s (headers accepted: %s)",
				tc.Name, map[bool]string{true: " or set derive_key", false: ""}[tc.Name == t.Key], strings.Join(append([]string{tc.Name}, tc.Aliases...), ", ")))
		}
	}
	if s := p.Status; s != nil {
		pl.statusIdx = find(s.Column)
	}
	for _, r := range p.Keep {
		pl.keep = append(pl.keep, rulePlan{idx: find(r.Column), header: r.Column, values: r.Values, reason: r.Reason})
	}
	for _, r := range p.Drop {
		pl.drop = append(pl.drop, rulePlan{idx: find(r.Column), header: r.Column, values: r.Values, reason: r.Reason})
	}
	if p.Dates.ZoneColumn != "" {
		pl.zoneIdx = find(p.Dates.ZoneColumn)
	}
	pl.xlsx = o.XLSX
	pl.currency = strings.ToUpper(o.Currency)
	if c := p.Currency; c != nil {
		if c.Column != "" {
			pl.curIdx = find(c.Column)
		}
		if pl.currency == "" {
			pl.currency = strings.ToUpper(c.Default)
		}
	}
	if pl.currency == "" {
		pl.currency = "CNY"
	}
	pl.negative = p.Negative
	if pl.negative == "" {
		pl.negative = "refund"
		if pl.amountIdx >= 0 && (pl.cols[pl.amountIdx].src == creditDebit || pl.cols[pl.amountIdx].src == direction) || p.DeriveKey {
			pl.negative = "drop"
		}
	}
	// A status the profile does not read would let refunds and closed
	// orders pass for money received.
	ignored := map[string]bool{}
	for _, h := range p.Ignore {
		ignored[NormHeader(h)] = true
	}
	for i, h := range header {
		if !pl.used[i] && statusLike(h) && !ignored[NormHeader(h)] {
			problems = append(problems, fmt.Sprintf("the file has a status column %q that the profile does not read: map its values in \"status\" (received, refund, drop), name it in a keep/drop rule, or list it in \"ignore\"", CleanCell(h)))
		}
	}
	// A line too short to reach a required column is a
	// totals line under a wide table, not a row.
	for ti, cp := range pl.cols {
		if !t.Columns[ti].Required || cp.src == none || cp.src == constant {
			continue
		}
		for _, i := range append([]int{cp.idx, cp.idx2}, cp.parts...) {
			if i+1 > pl.reach {
				pl.reach = i + 1
			}
		}
	}
	pl.footer = append(append([]string{}, footerWords...), p.Footer...)
	pl.footerWords = map[string]string{}
	for _, w := range pl.footer {
		pl.footerWords[lowerASCII(w)] = w
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, &CompileError{Problems: dedupe(problems)}
	}
	for ti, tc := range t.Columns {
		from := pl.cols[ti].describe(header)
		if r := pl.refund[ti]; r.src != none {
			if from == "" {
				from = "(empty)"
			}
			from += "; refund rows: " + r.describe(header)
		}
		if from != "" {
			pl.mapping = append(pl.mapping, Mapping{Column: tc.Name, From: from})
		}
	}
	return pl, nil
}

func (cp colPlan) describe(header []string) string {
	switch cp.src {
	case field:
		return fmt.Sprintf("%q", CleanCell(header[cp.idx]))
	case constant:
		return fmt.Sprintf("constant %q", cp.constant)
	case none:
		return cp.header
	}
	return cp.header
}

// CompileError lists everything wrong between a profile and a file.
type CompileError struct{ Problems []string }

func (e *CompileError) Error() string { return strings.Join(e.Problems, "; ") }

func dedupe(l []string) []string {
	var out []string
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// statusLike reports whether a header names a status: 状态 or 狀態 in it,
// the word status, or state alone (not State/Province).
func statusLike(h string) bool {
	n := NormHeader(h)
	if strings.Contains(n, "状态") || strings.Contains(n, "狀態") || n == "state" {
		return true
	}
	for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r == '/' || r == '(' || r == ')' }) {
		if w == "status" {
			return true
		}
	}
	return false
}

// StatusLike reports whether a header names a status column.
func StatusLike(h string) bool { return statusLike(h) }

// Mapping lists where each feeflow column comes from.
func (pl *Plan) Mapping() []Mapping { return pl.mapping }

// Ignored lists the file's headers the plan does not read.
func (pl *Plan) Ignored() []string {
	var l []string
	for i, h := range pl.header {
		if !pl.used[i] && CleanCell(h) != "" {
			l = append(l, CleanCell(h))
		}
	}
	return l
}

// Location is the zone of the file's times when the profile names one
// (dates.zone), nil when the upload's zone applies.
func (pl *Plan) Location() *time.Location {
	if pl.p.Dates.Zone == "" {
		return nil
	}
	l, err := loadZone(pl.p.Dates.Zone)
	if err != nil {
		return nil // Parse checked it
	}
	return l
}

// Profile returns the profile the plan reads with.
func (pl *Plan) Profile() *Profile { return pl.p }

// DerivesKey reports whether the key column is derived (see KeyDeriver).
func (pl *Plan) DerivesKey() bool { return pl.keyIdx >= 0 }

// footerWords mark a footer or summary line when a cell is one of them or
// starts with one followed by a colon, or the first cell starts with one.
var footerWords = []string{"合计", "合計", "总计", "總計", "小计", "小計", "人民币合计", "本页合计", "本頁合計", "total", "subtotal", "grand total", "总交易单数", "總筆數", "总笔数"}

// footerReason reports why a line is a footer or summary, "" when it is
// not. Only the first three non-empty cells are looked at: a line that
// sums the rest names itself there.
func (pl *Plan) footerReason(fields []string) string {
	n := 0
	for _, f := range fields {
		c := CleanCell(f)
		if c == "" {
			continue
		}
		if n == 0 && c[0] == '#' {
			return "comment or footer line (starts with #)"
		}
		if len(c) <= maxFooterBytes {
			low := strings.TrimSuffix(strings.TrimSuffix(lowerASCII(c), ":"), "：")
			if w, ok := pl.footerWords[low]; ok {
				return fmt.Sprintf("summary line (%s)", w)
			}
		}
		if n == 0 {
			for _, w := range pl.footer {
				if !isASCIIWord(w) && strings.HasPrefix(c, w) {
					return fmt.Sprintf("summary line (%s)", w)
				}
			}
		}
		if n++; n == 3 {
			break
		}
	}
	return ""
}

// maxFooterBytes bounds the cells worth looking up as footer words (the
// longest word and a colon), so that ordinary values cost no lookup.
const maxFooterBytes = 32

// defaultFooter is a plan holding only the usual footer words.
var defaultFooter = func() *Plan {
	pl := &Plan{footer: footerWords, footerWords: map[string]string{}}
	for _, w := range footerWords {
		pl.footerWords[lowerASCII(w)] = w
	}
	return pl
}()

// FooterReason says why a line is a footer or summary by the usual words
// (合计, Total, a leading #), "" when it is not one.
func FooterReason(fields []string) string { return defaultFooter.footerReason(fields) }

// lowerASCII lowercases ASCII letters, allocating only when there are some.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Apply reads one data line into out (one value per target column, as
// text for the kind's own parsers) and says what the line is.
func (pl *Plan) Apply(fields []string, out []string) Verdict {
	if r := pl.footerReason(fields); r != "" {
		return Verdict{Outcome: Skip, Reason: r}
	}
	if n := lastNonEmpty(fields); n < pl.reach {
		return Verdict{Outcome: Skip, Reason: fmt.Sprintf("short line (%d cells, the header has %d): a footer or summary", n, len(pl.header))}
	}
	cell := func(i int) string {
		if i < 0 || i >= len(fields) {
			return ""
		}
		return CleanCell(fields[i])
	}
	// drop rules first: their reasons are the more precise.
	for _, r := range pl.drop {
		if v := cell(r.idx); r.values.Match(v) {
			return Verdict{Outcome: Drop, Reason: ruleReason(r, v, "dropped")}
		}
	}
	for _, r := range pl.keep {
		if v := cell(r.idx); !r.values.Match(v) {
			return Verdict{Outcome: Drop, Reason: ruleReason(r, v, "not kept")}
		}
	}
	refund := false
	if s := pl.p.Status; s != nil {
		v := cell(pl.statusIdx)
		switch {
		case s.Received.Match(v):
		case s.Refund.Match(v):
			refund = true
		default:
			if reason, ok := s.Drop.Lookup(v); ok {
				return Verdict{Outcome: Drop, Reason: reason}
			}
			return Verdict{Outcome: Reject, Column: s.Column, Value: v,
				Reason: fmt.Sprintf("status %q is not in the profile's status map (received: %s; refund: %s; drop: %s)", v,
					strings.Join(s.Received.Words(), ", "), strings.Join(s.Refund.Words(), ", "), strings.Join(s.Drop.order, ", "))}
		}
	}
	if pl.curIdx >= 0 {
		if v := cell(pl.curIdx); v != "" {
			code, ok := CurrencyCode(v)
			if !ok || !SameCurrency(code, pl.currency) {
				return Verdict{Outcome: Reject, Column: pl.p.Currency.Column, Value: v,
					Reason: fmt.Sprintf("the row is in %s, the organisation's currency is %s: feeflow does not mix currencies", v, pl.currency)}
			}
		}
	}
	// The file's own zone is the reader's location (see Location); only a
	// zone column puts an offset on each time.
	zone := ""
	if pl.zoneIdx >= 0 {
		zone = pl.p.Dates.Zone
		if z := cell(pl.zoneIdx); z != "" {
			zone = z
		}
	}
	for ti := range pl.cols {
		cp := pl.cols[ti]
		if refund && pl.refund[ti].src != none {
			cp = pl.refund[ti]
		}
		var v string
		switch cp.src {
		case none:
		case constant:
			v = cp.constant
		case field:
			v = cell(cp.idx)
		case dateTime:
			v = cell(cp.idx)
			if cp.idx2 >= 0 {
				v += " " + cell(cp.idx2)
			}
		case creditDebit:
			cr, db := cell(cp.idx), cell(cp.idx2)
			crv, cur1, err1 := NormAmount(cr)
			dbv, cur2, err2 := NormAmount(db)
			if err1 != nil || err2 != nil {
				return pl.reject(ti, cr+"/"+db, "more than 2 decimal places")
			}
			if !SameCurrency(cur1, pl.currency) || !SameCurrency(cur2, pl.currency) {
				return pl.reject(ti, cr+db, fmt.Sprintf("the amount is in %s, the organisation's currency is %s: feeflow does not mix currencies", cur1+cur2, pl.currency))
			}
			switch cz, dz := isZero(crv), isZero(dbv); {
			case !cz && !dz:
				return pl.reject(ti, cr+" / "+db, "both the credit and the debit column hold an amount")
			case !cz:
				v = strings.TrimPrefix(crv, "+")
			case !dz:
				v = negate(strings.TrimPrefix(dbv, "-"))
			default:
				v = crv
				if v == "" {
					v = dbv
				}
			}
			out[ti] = v
			continue
		case sum:
			total := decimal.Zero
			for _, i := range cp.parts {
				n, cur, err := NormAmount(cell(i))
				if err != nil {
					return pl.reject(ti, cell(i), err.Error())
				}
				if !SameCurrency(cur, pl.currency) {
					return pl.reject(ti, cell(i), fmt.Sprintf("the amount is in %s, the organisation's currency is %s: feeflow does not mix currencies", cur, pl.currency))
				}
				if n == "" {
					continue
				}
				d, err := decimal.NewFromString(strings.ReplaceAll(n, ",", ""))
				if err != nil {
					return pl.reject(ti, cell(i), "not a number")
				}
				total = total.Add(d)
			}
			v = total.StringFixed(2)
			if cp.negate {
				v = total.Neg().StringFixed(2)
			}
			out[ti] = v
			continue
		case direction:
			a, d := cell(cp.idx), cell(cp.idx2)
			switch {
			case cp.in.Match(d):
				v = a
			case cp.out.Match(d):
				av, _, _ := NormAmount(a)
				if av != "" && !isZero(av) {
					v = negate(strings.TrimPrefix(av, "-"))
				}
			default:
				return pl.reject(ti, d, fmt.Sprintf("direction %q is neither in (%s) nor out (%s)", d, strings.Join(cp.in.Words(), ", "), strings.Join(cp.out.Words(), ", ")))
			}
		}
		if cp.values != nil && v != "" {
			if m, ok := cp.values.Lookup(v); ok {
				v = m
			}
		}
		switch cp.typ {
		case Money:
			if pl.xlsx && isRawNumber(v) {
				break
			}
			n, cur, err := NormAmount(v)
			if err != nil {
				return pl.reject(ti, v, err.Error())
			}
			if !SameCurrency(cur, pl.currency) {
				return pl.reject(ti, v, fmt.Sprintf("the amount is in %s, the organisation's currency is %s: feeflow does not mix currencies", cur, pl.currency))
			}
			v = n
			if cp.negate && v != "" && !isZero(v) {
				if strings.HasPrefix(v, "-") {
					v = v[1:]
				} else {
					v = "-" + v
				}
			}
		case Time, Date:
			if v != "" && (cp.src == field || cp.src == dateTime) {
				t, err := NormTime(v, "", &pl.p.Dates, zoneFor(cp.typ, zone))
				if err != nil {
					return pl.reject(ti, v, err.Error())
				}
				v = t
				if cp.typ == Date {
					if i := strings.IndexByte(v, ' '); i > 0 && strings.HasSuffix(v[:min(len(v), i+9)], "00:00:00") {
						v = v[:i]
					}
				}
			}
		}
		out[ti] = v
	}
	if pl.amountIdx >= 0 {
		a := out[pl.amountIdx]
		switch {
		case refund:
			if a != "" {
				out[pl.amountIdx] = negate(strings.TrimPrefix(a, "-"))
			}
		case strings.HasPrefix(a, "-") && !isZero(a) && pl.negative == "drop":
			return Verdict{Outcome: Drop, Reason: "money paid out (negative amount or debit): not a collection"}
		}
	}
	return Verdict{Outcome: Keep}
}

func zoneFor(t ColumnType, zone string) string {
	if t == Date {
		return ""
	}
	return zone
}

func (pl *Plan) reject(ti int, v, msg string) Verdict {
	return Verdict{Outcome: Reject, Column: pl.t.Columns[ti].Name, Value: v, Reason: msg}
}

func ruleReason(r rulePlan, v, verb string) string {
	if r.reason != "" {
		return r.reason
	}
	return fmt.Sprintf("%s is %q (%s by the profile)", CleanCell(r.header), v, verb)
}

func negate(s string) string {
	if s == "" || isZero(s) {
		return s
	}
	return "-" + s
}

// isZero reports whether an amount's text is zero (or empty).
func isZero(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '0', '.', ',', '-', '+':
		default:
			return false
		}
	}
	return true
}

func lastNonEmpty(fields []string) int {
	for i := len(fields) - 1; i >= 0; i-- {
		if CleanCell(fields[i]) != "" {
			return i + 1
		}
	}
	return 0
}

// KeyDeriver gives each row of a file without IDs a key from its content
// and its occurrence among identical rows: the same statement, or one that
// overlaps it, uploaded again gives the same keys, and two identical rows
// of one statement stay two. Rows must be given in file order.
type KeyDeriver struct {
	pl   *Plan
	seen map[[32]byte]int
	cols []int
}

// KeyDeriver returns a deriver for the plan's file, nil when the plan does
// not derive keys.
func (pl *Plan) KeyDeriver() *KeyDeriver {
	if pl.keyIdx < 0 {
		return nil
	}
	kd := &KeyDeriver{pl: pl, seen: map[[32]byte]int{}}
	for i, u := range pl.used {
		if u {
			kd.cols = append(kd.cols, i)
		}
	}
	return kd
}

// Next returns the key of the next row.
func (kd *KeyDeriver) Next(fields []string) string {
	h := sha256.New()
	for _, i := range kd.cols {
		if i < len(fields) {
			h.Write([]byte(CleanCell(fields[i])))
		}
		h.Write([]byte{0x1f})
	}
	var sum [32]byte
	h.Sum(sum[:0])
	kd.seen[sum]++
	return "K" + hex.EncodeToString(sum[:10]) + "-" + strconv.Itoa(kd.seen[sum])
}

// SetKey puts a derived key into a row's values.
func (pl *Plan) SetKey(out []string, key string) {
	if pl.keyIdx >= 0 {
		out[pl.keyIdx] = key
	}
}

// isRawNumber reports whether s is how a workbook writes a number cell.
func isRawNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == 'E', c == 'e', c == '+':
		case c == '-':
		default:
			return false
		}
	}
	return true
}

// reads reports whether the profile names header h anywhere.
func (p *Profile) reads(h string) bool {
	n := NormHeader(h)
	for _, f := range p.FileHeaders() {
		if NormHeader(f) == n {
			return true
		}
	}
	return false
}
