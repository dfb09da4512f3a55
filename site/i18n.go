package site

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/shopspring/decimal"
)

// Languages are the languages the site is built in, in switcher order.
var Languages = []string{"en", "zh-Hant"}

// catalogs holds every visible string of the site, per language. A key
// missing in one language is a build error (and a test failure).
var catalogs = map[string]map[string]string{
	"en":      messagesEN,
	"zh-Hant": messagesZhHant,
}

// tr translates and formats for one language. It remembers the keys it was
// asked for and did not have, so Build can refuse to publish a half-translated
// page.
type tr struct {
	lang     string
	msgs     map[string]string
	currency string // ISO code named in the headings of amounts

	mu      sync.Mutex // the long lists' CSVs translate as the site is written, side by side
	missing map[string]bool
}

func newTr(lang string) *tr {
	return &tr{lang: lang, msgs: catalogs[lang], missing: map[string]bool{}}
}

// T is the message of key, with fmt verbs filled from args.
func (t *tr) T(key string, args ...any) string {
	s, ok := t.msgs[key]
	if !ok {
		t.mu.Lock()
		t.missing[key] = true
		t.mu.Unlock()
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Enum translates a domain word (a status, channel, type...) of a family;
// a value the catalog does not know (data from a newer export) is shown as
// it is, and is not a missing key.
func (t *tr) Enum(family, code string) string {
	if s, ok := t.msgs[family+"."+code]; ok {
		return s
	}
	if code == "" {
		return t.T("none")
	}
	return code
}

func (t *tr) missingKeys() []string {
	var keys []string
	for k := range t.missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// group inserts thousands separators into a plain decimal string.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Money is an amount with thousands separators and 2 places.
func (t *tr) Money(d decimal.Decimal) string { return group(fixed2(d)) }

// exactCents is d in hundredths when it has at most 2 places and fits an int64
// with room to spare: every amount of a DECIMAL(18,2) column, without the
// big-number arithmetic of decimal's own formatting (a long list formats
// millions of amounts).
func exactCents(d decimal.Decimal) (int64, bool) {
	e := d.Exponent()
	if e < -2 || e > 0 || d.NumDigits() > 16 {
		return 0, false
	}
	c := d.CoefficientInt64()
	for ; e > -2; e-- {
		c *= 10
	}
	return c, true
}

// fixed2 is d.StringFixed(2).
func fixed2(d decimal.Decimal) string {
	c, ok := exactCents(d)
	if !ok {
		return d.StringFixed(2)
	}
	var buf [24]byte
	b := buf[:0]
	if c < 0 {
		b, c = append(b, '-'), -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	return string(append(b, '.', byte('0'+c%100/10), byte('0'+c%10)))
}

// Int is a count with thousands separators.
func (t *tr) Int(n int) string { return group(strconv.Itoa(n)) }

// Percent is a rate (a fraction) as a percent with 1 place; a missing rate
// is "—", never 0% or 100%.
func (t *tr) Percent(r analytics.Rate) string {
	if !r.Valid {
		return "—"
	}
	return r.Value.Shift(2).StringFixed(1) + "%"
}

// Points is a change of a rate in percentage points.
func (t *tr) Points(d decimal.Decimal) string {
	return signed(d.Shift(2).StringFixed(1)) + " " + t.T("unit.pp")
}

// Fixed is a decimal with places places; missing is "—".
func (t *tr) Fixed(r analytics.Rate, places int32) string {
	if !r.Valid {
		return "—"
	}
	return group(r.Value.StringFixed(places))
}

func signed(s string) string {
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	if strings.Trim(s, "0.") == "" {
		return "±" + s
	}
	return "+" + s
}

// Date is a day in the language's usual form.
func (t *tr) Date(d time.Time) string {
	if d.IsZero() {
		return "—"
	}
	if t.lang == "zh-Hant" {
		return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
	}
	return d.Format("2 Jan 2006")
}

// ShortDate is a day for chart axes.
func (t *tr) ShortDate(d time.Time) string {
	if t.lang == "zh-Hant" {
		return fmt.Sprintf("%d/%d", int(d.Month()), d.Day())
	}
	return d.Format("2 Jan")
}

// Month is a period (YYYY-MM) in the language's usual form.
func (t *tr) Month(period string) string {
	d, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	if t.lang == "zh-Hant" {
		return fmt.Sprintf("%d年%d月", d.Year(), int(d.Month()))
	}
	return d.Format("Jan 2006")
}

// Stamp is the build time, in the zone ts carries (the organisation's),
// named by the zone's name: "Asia/Taipei" says more than "CST".
func (t *tr) Stamp(ts time.Time) string {
	zone := ts.Location().String()
	if zone == "Local" {
		zone = ts.Format("MST")
	}
	if t.lang == "zh-Hant" {
		return fmt.Sprintf("%d年%d月%d日 %s（%s）", ts.Year(), int(ts.Month()), ts.Day(), ts.Format("15:04"), zone)
	}
	return ts.Format("2 Jan 2006 15:04") + " (" + zone + ")"
}

// InCurrency is the label of an amount with the currency named once:
// "Outstanding (TWD)".
func (t *tr) InCurrency(label string) string {
	if t.currency == "" {
		return label
	}
	if t.lang == "zh-Hant" {
		return label + "（" + t.currency + "）"
	}
	return label + " (" + t.currency + ")"
}

// Collecting marks a month still collecting where its rate is compared
// with mature months.
func (t *tr) Collecting(label string) string {
	if t.lang == "zh-Hant" {
		return label + t.T("collecting.mark")
	}
	return label + " " + t.T("collecting.mark")
}

// dayNames are the calendar's day labels from Sunday, as ECharts' nameMap
// wants them.
func (t *tr) dayNames() []string {
	if t.lang == "zh-Hant" {
		return []string{"日", "一", "二", "三", "四", "五", "六"}
	}
	return []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
}

// monthNames are the calendar's month labels from January.
func (t *tr) monthNames() []string {
	out := make([]string, 12)
	for i := range out {
		if t.lang == "zh-Hant" {
			out[i] = fmt.Sprintf("%d月", i+1)
		} else {
			out[i] = time.Month(i + 1).String()[:3]
		}
	}
	return out
}
