// Package profiles describes how the export of a bank or a payment channel
// becomes feeflow's rows: where the header is, which lines are preamble and
// footer, which file column fills which feeflow column, how its amounts,
// dates and status words read, and which rows are not money received at
// all. It also holds the built-in profiles of common statements and
// recognises them by their header.
package profiles

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Profile describes one file layout. Its JSON form is documented in
// docs/profiles.md; the older form, a plain object of feeflow column names
// to file headers ({"txn_id": "Merchant Order No"}), is read as a Profile
// with only Columns set.
type Profile struct {
	Name      string            `json:"name,omitempty"`
	Title     map[string]string `json:"title,omitempty"` // by language: en, zh
	Kind      string            `json:"kind,omitempty"`
	Origin    string            `json:"origin,omitempty"`
	Signature *Signature        `json:"signature,omitempty"`
	// HeaderRow is the line (CSV) or sheet row (XLSX) of the header as the
	// user sees it; 0 finds it among the first MaxHeaderSearch lines.
	HeaderRow int               `json:"header_row,omitempty"`
	Columns   map[string]Column `json:"columns"`
	// Constants fill a column with one value for every row (channel=wechat).
	Constants map[string]string `json:"constants,omitempty"`
	// Values translate the file's words per feeflow column, after reading.
	Values map[string]ValueMap `json:"values,omitempty"`
	Status *Status             `json:"status,omitempty"`
	// Refund names the columns read instead on refund rows (WeChat keeps the
	// refunded amount in 退款金额 and the refund number in 商户退款单号).
	Refund map[string]Column `json:"refund,omitempty"`
	Keep   []Rule            `json:"keep,omitempty"`
	Drop   []Rule            `json:"drop,omitempty"`
	// Negative says what a row whose amount reads negative in the file is:
	// "refund" (a refund line, which must name its payment) or "drop"
	// (money paid out: not a collection). See NegativeDefault.
	Negative string    `json:"negative,omitempty"`
	Dates    Dates     `json:"dates,omitempty"`
	Currency *Currency `json:"currency,omitempty"`
	// DeriveKey fills the kind's key (settlement_id) from the row's content
	// and its occurrence among identical rows, for files without an ID.
	DeriveKey bool `json:"derive_key,omitempty"`
	// Footer adds words that mark a footer line to the usual ones (合计,
	// 总计, Total, lines starting with #).
	Footer []string `json:"footer,omitempty"`
	// Ignore names status-like columns the profile knowingly does not read
	// (PayPal's Address Status); any other unread status column is an error.
	Ignore []string `json:"ignore,omitempty"`

	legacy bool
}

// Signature recognises a built-in profile's files.
type Signature struct {
	// Headers must all be cells of the header line.
	Headers []string `json:"headers"`
	// Absent must not be cells of the header line (tells variants apart).
	Absent []string `json:"absent,omitempty"`
	// Preamble, when set, must occur in a line above the header.
	Preamble string `json:"preamble,omitempty"`
}

// Column is where a feeflow column's value comes from. In JSON: a header
// ("商户订单号"), a list of alternative headers (the first the file has),
// or an object for split date and time ({"date": "交易日期", "time":
// "交易时间"}) and for amounts in two columns ({"credit": "收入金额",
// "debit": "支出金额"}) or with a direction column ({"header": "金额",
// "direction": "收/支", "in": ["收入"], "out": ["支出"]}).
type Column struct {
	Headers   []string `json:"headers,omitempty"`
	Date      string   `json:"date,omitempty"`
	Time      string   `json:"time,omitempty"`
	Credit    string   `json:"credit,omitempty"`
	Debit     string   `json:"debit,omitempty"`
	Direction string   `json:"direction,omitempty"`
	In        []string `json:"in,omitempty"`
	Out       []string `json:"out,omitempty"`
	// Sum adds the amounts of several columns (fees split in parts).
	Sum []string `json:"sum,omitempty"`
	// Negate flips the sign of an amount (a fee written as -4.68).
	Negate bool `json:"negate,omitempty"`
}

// UnmarshalJSON reads a header, a list of headers or the object form.
func (c *Column) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = Column{Headers: []string{s}}
		return nil
	case len(b) > 0 && b[0] == '[':
		var l []string
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("want a header or a list of headers: %v", err)
		}
		*c = Column{Headers: l}
		return nil
	}
	type plain Column
	var o struct {
		plain
		Header string `json:"header"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return fmt.Errorf("want a header, a list of headers or an object with header, date/time, credit/debit or direction/in/out: %v", err)
	}
	*c = Column(o.plain)
	if o.Header != "" {
		c.Headers = append([]string{o.Header}, c.Headers...)
	}
	return nil
}

// MarshalJSON writes the shortest form.
func (c Column) MarshalJSON() ([]byte, error) {
	if c.Date == "" && c.Time == "" && c.Credit == "" && c.Debit == "" && c.Direction == "" && len(c.Sum) == 0 && !c.Negate {
		if len(c.Headers) == 1 {
			return json.Marshal(c.Headers[0])
		}
		return json.Marshal(c.Headers)
	}
	type plain Column
	return json.Marshal(plain(c))
}

// headers lists every file header the column reads.
func (c Column) headers() []string {
	var h []string
	h = append(h, c.Headers...)
	h = append(h, c.Sum...)
	for _, s := range []string{c.Date, c.Time, c.Credit, c.Debit, c.Direction} {
		if s != "" {
			h = append(h, s)
		}
	}
	return h
}

// ValueMap translates file words to feeflow values, in the order written:
// an exact word first, else the first /pattern/ that matches.
type ValueMap struct {
	exact    map[string]string
	patterns []pattern
	order    []string // keys as written, for MarshalJSON
}

type pattern struct {
	re  *regexp.Regexp
	src string
	to  string
}

// UnmarshalJSON reads an object keeping its order.
func (m *ValueMap) UnmarshalJSON(b []byte) error {
	keys, vals, err := orderedObject(b)
	if err != nil {
		return err
	}
	m.exact = map[string]string{}
	for i, k := range keys {
		var v string
		if err := json.Unmarshal(vals[i], &v); err != nil {
			return fmt.Errorf("value of %q: want a string", k)
		}
		if err := m.add(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (m *ValueMap) add(k, v string) error {
	if m.exact == nil {
		m.exact = map[string]string{}
	}
	m.order = append(m.order, k)
	if re, ok, err := compilePattern(k); err != nil {
		return err
	} else if ok {
		m.patterns = append(m.patterns, pattern{re: re, src: k, to: v})
		return nil
	}
	m.exact[foldWord(k)] = v
	m.exact[strings.TrimSpace(k)] = v // found without folding, as most are
	return nil
}

// MarshalJSON writes the map back.
func (m ValueMap) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range m.order {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		v, _ := m.lookupKey(k)
		vb, _ := json.Marshal(v)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func (m ValueMap) lookupKey(k string) (string, bool) {
	for _, p := range m.patterns {
		if p.src == k {
			return p.to, true
		}
	}
	v, ok := m.exact[foldWord(k)]
	return v, ok
}

// Lookup translates s; ok is false when no entry matches.
func (m *ValueMap) Lookup(s string) (string, bool) {
	if v, ok := m.exact[s]; ok {
		return v, true
	}
	if v, ok := m.exact[foldWord(s)]; ok {
		return v, true
	}
	for _, p := range m.patterns {
		if loc := p.re.FindStringSubmatchIndex(s); loc != nil {
			if strings.Contains(p.to, "$") {
				// "/^REFUND FOR CHARGE \\((.*)\\)$/": "$1" keeps a part of the value.
				return string(p.re.ExpandString(nil, p.to, s, loc)), true
			}
			return p.to, true
		}
	}
	return "", false
}

// Matcher tells whether a cell is one of a list of words or /patterns/.
type Matcher struct {
	exact    map[string]bool
	patterns []*regexp.Regexp
	src      []string
}

// UnmarshalJSON reads a list of words or patterns (or a single one).
func (m *Matcher) UnmarshalJSON(b []byte) error {
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		var s string
		if err2 := json.Unmarshal(b, &s); err2 != nil {
			return fmt.Errorf("want a list of values: %v", err)
		}
		l = []string{s}
	}
	nm, err := NewMatcher(l)
	if err != nil {
		return err
	}
	*m = *nm
	return nil
}

// MarshalJSON writes the list back.
func (m Matcher) MarshalJSON() ([]byte, error) { return json.Marshal(m.src) }

// NewMatcher compiles a list of words and /patterns/.
func NewMatcher(words []string) (*Matcher, error) {
	m := &Matcher{exact: map[string]bool{}, src: words}
	for _, w := range words {
		re, ok, err := compilePattern(w)
		if err != nil {
			return nil, err
		}
		if ok {
			m.patterns = append(m.patterns, re)
		} else {
			m.exact[foldWord(w)] = true
			m.exact[strings.TrimSpace(w)] = true
		}
	}
	return m, nil
}

// Match reports whether s is one of the words or matches a pattern.
func (m *Matcher) Match(s string) bool {
	if m == nil {
		return false
	}
	if m.exact[s] || m.exact[foldWord(s)] {
		return true
	}
	for _, re := range m.patterns {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// Words lists the words and patterns as written.
func (m *Matcher) Words() []string {
	if m == nil {
		return nil
	}
	return m.src
}

// Status maps the words of a status column to what the row is.
type Status struct {
	Column   string   `json:"column"`
	Received *Matcher `json:"received,omitempty"`
	Refund   *Matcher `json:"refund,omitempty"`
	// Drop maps a word or /pattern/ to the reason the row is dropped.
	Drop ValueMap `json:"drop,omitempty"`
}

// Rule keeps or drops rows by the value of one column.
type Rule struct {
	Column string   `json:"column"`
	Values *Matcher `json:"values"`
	Reason string   `json:"reason,omitempty"`
}

// Dates says how the file writes dates that are not YYYY-MM-DD.
type Dates struct {
	// Order of day, month and year in dates written with slashes or dots:
	// "YMD" (the default), "MDY" (9/1/2026) or "DMY" (1/9/2026).
	Order string `json:"order,omitempty"`
	// Calendar "roc" reads years of the Republic of China (115 = 2026).
	Calendar string `json:"calendar,omitempty"`
	// Zone is the file's time zone (Asia/Shanghai); empty means the
	// upload's. ZoneColumn names a column holding each row's zone instead.
	Zone       string `json:"zone,omitempty"`
	ZoneColumn string `json:"zone_column,omitempty"`
}

// Currency says which currency the file's amounts are in.
type Currency struct {
	// Column holds each row's currency code; may be empty.
	Column string `json:"column,omitempty"`
	// Default is the currency of the file when the organisation has not set
	// its own (CNY when neither says).
	Default string `json:"default,omitempty"`
}

// orderedObject splits a JSON object into its keys and raw values, in order.
func orderedObject(b []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	t, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("want a JSON object")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	return keys, vals, nil
}

// compilePattern reads "/regexp/" as a pattern; ok is false for a plain word.
func compilePattern(s string) (*regexp.Regexp, bool, error) {
	if len(s) < 2 || s[0] != '/' || s[len(s)-1] != '/' {
		return nil, false, nil
	}
	re, err := regexp.Compile(s[1 : len(s)-1])
	if err != nil {
		return nil, false, fmt.Errorf("pattern %s: %v", s, err)
	}
	return re, true, nil
}

// foldWord compares words ignoring case and surrounding spaces.
func foldWord(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// Parse reads a profile in either JSON form.
func Parse(b []byte) (*Profile, error) {
	var p Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// UnmarshalJSON reads the full form, or the older header map when the
// object has no "columns".
func (p *Profile) UnmarshalJSON(b []byte) error {
	keys, vals, err := orderedObject(b)
	if err != nil {
		return fmt.Errorf("a profile is a JSON object: %v", err)
	}
	full := false
	for _, k := range keys {
		if k == "columns" {
			full = true
		}
	}
	if !full {
		*p = Profile{Columns: map[string]Column{}, legacy: true}
		for i, k := range keys {
			var h string
			if err := json.Unmarshal(vals[i], &h); err != nil {
				return fmt.Errorf("not a JSON object of column names to headers (or a profile with \"columns\"): %q is not a header", k)
			}
			p.Columns[k] = Column{Headers: []string{h}}
		}
		return nil
	}
	type plain Profile
	var q plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return fmt.Errorf("profile: %v", err)
	}
	*p = Profile(q)
	if p.Columns == nil {
		p.Columns = map[string]Column{}
	}
	return p.validate()
}

// validate checks what can be checked without the kind.
func (p *Profile) validate() error {
	switch p.Negative {
	case "", "refund", "drop":
	default:
		return fmt.Errorf("negative: want \"refund\" or \"drop\", not %q", p.Negative)
	}
	switch strings.ToUpper(p.Dates.Order) {
	case "", "YMD", "MDY", "DMY":
	default:
		return fmt.Errorf("dates.order: want YMD, MDY or DMY, not %q", p.Dates.Order)
	}
	switch strings.ToLower(p.Dates.Calendar) {
	case "", "gregorian", "roc":
	default:
		return fmt.Errorf("dates.calendar: want gregorian or roc, not %q", p.Dates.Calendar)
	}
	if p.Dates.Zone != "" {
		if _, err := loadZone(p.Dates.Zone); err != nil {
			return fmt.Errorf("dates.zone: %v", err)
		}
	}
	if p.Status != nil && p.Status.Column == "" {
		return fmt.Errorf("status: name its column")
	}
	for _, r := range append(append([]Rule{}, p.Keep...), p.Drop...) {
		if r.Column == "" || r.Values == nil {
			return fmt.Errorf("keep/drop rules need a column and values")
		}
	}
	for name, c := range p.Columns {
		if len(c.Headers) == 0 && c.Date == "" && c.Credit == "" && c.Debit == "" && len(c.Sum) == 0 {
			return fmt.Errorf("columns.%s names no header", name)
		}
	}
	return nil
}

// Legacy reports whether the profile is a plain header map.
func (p *Profile) Legacy() bool { return p != nil && p.legacy }

// Headers maps each feeflow column to the one file header it reads, for
// plain header maps (Legacy).
func (p *Profile) Headers() map[string]string {
	m := map[string]string{}
	for k, c := range p.Columns {
		if len(c.Headers) > 0 {
			m[k] = c.Headers[0]
		}
	}
	return m
}

// NamedColumns lists the feeflow columns the profile fills, sorted.
func (p *Profile) NamedColumns() []string {
	seen := map[string]bool{}
	for k := range p.Columns {
		seen[k] = true
	}
	for k := range p.Constants {
		seen[k] = true
	}
	for k := range p.Refund {
		seen[k] = true
	}
	for k := range p.Values {
		seen[k] = true
	}
	var l []string
	for k := range seen {
		l = append(l, k)
	}
	sort.Strings(l)
	return l
}

// FileHeaders lists every header of the file the profile reads.
func (p *Profile) FileHeaders() []string {
	var h []string
	for _, c := range p.Columns {
		h = append(h, c.headers()...)
	}
	for _, c := range p.Refund {
		h = append(h, c.headers()...)
	}
	if p.Status != nil {
		h = append(h, p.Status.Column)
	}
	for _, r := range append(append([]Rule{}, p.Keep...), p.Drop...) {
		h = append(h, r.Column)
	}
	if p.Dates.ZoneColumn != "" {
		h = append(h, p.Dates.ZoneColumn)
	}
	if p.Currency != nil && p.Currency.Column != "" {
		h = append(h, p.Currency.Column)
	}
	return h
}
