package gen

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Layouts of the exports' dates and local timestamps.
const (
	dateLayout = "2006-01-02"
	tsLayout   = "2006-01-02 15:04:05"
)

// ts is a local wall-clock time in seconds since 00:00:00 of the first day
// of the data. Generating wall-clock times directly keeps the output
// independent of the zone's rules, except on a day whose clocks jump
// forward: a time in the hour that does not exist there is written as the
// instant it stands for (fmtTS).
type ts int64

const (
	minute ts = 60
	hour   ts = 3600
	day    ts = 86400
)

// at is the time of day h:m:s of day d.
func at(d, h, m, s int) ts { return ts(d)*day + ts(h)*hour + ts(m)*minute + ts(s) }

// dayOf is the day index of t.
func (t ts) dayOf() int { return int(t / day) }

// calendar maps day indexes to dates, weekdays and billing periods.
type calendar struct {
	start      time.Time // first day of the data, midnight UTC (a calendar date)
	end        time.Time // first day after the data
	nDays      int
	months     int
	monthStart []int    // day index of the first day of month k; monthStart[months] == nDays
	dates      []string // "YYYY-MM-DD" of each day
	weekday    []time.Weekday
	monthOf    []int // month index of each day
	loc        *time.Location
	changes    []bool // the zone's offset may change during the day
}

func newCalendar(end time.Time, months int, loc *time.Location) calendar {
	e := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	s := e.AddDate(0, -months, 0)
	n := int(e.Sub(s) / (24 * time.Hour))
	c := calendar{start: s, end: e, nDays: n, months: months, loc: loc}
	c.dates = make([]string, n)
	c.changes = make([]bool, n)
	c.weekday = make([]time.Weekday, n)
	c.monthOf = make([]int, n)
	for k := 0; k <= months; k++ {
		c.monthStart = append(c.monthStart, int(s.AddDate(0, k, 0).Sub(s)/(24*time.Hour)))
	}
	k := 0
	for d := 0; d < n; d++ {
		t := s.AddDate(0, 0, d)
		c.dates[d] = t.Format(dateLayout)
		c.weekday[d] = t.Weekday()
		if loc != nil {
			// a few hours either side: a zone may skip its midnight
			_, before := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).Add(-3 * time.Hour).Zone()
			_, after := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc).Add(3 * time.Hour).Zone()
			c.changes[d] = before != after
		}
		for k+1 < months && d >= c.monthStart[k+1] {
			k++
		}
		c.monthOf[d] = k
	}
	return c
}

// period is the billing period "YYYY-MM" of month k.
func (c *calendar) period(k int) string { return c.dates[c.monthStart[k]][:7] }

// date formats day index d; days outside the data are computed.
func (c *calendar) date(d int) string {
	if d >= 0 && d < c.nDays {
		return c.dates[d]
	}
	return c.start.AddDate(0, 0, d).Format(dateLayout)
}

// fmtTS formats t as "YYYY-MM-DD HH:MM:SS". On a day the clocks jump
// forward, a time in the skipped hour (02:30 where 02:00 became 03:00) is
// written as the wall-clock time of the instant it stands for (03:30): the
// exports of a real system never hold a local time that did not exist, and
// ingest rejects one.
func (c *calendar) fmtTS(t ts) string {
	d := t.dayOf()
	sec := int(t - ts(d)*day)
	if d >= 0 && d < c.nDays && c.changes[d] {
		day := c.start.AddDate(0, 0, d)
		w := time.Date(day.Year(), day.Month(), day.Day(), sec/3600, sec/60%60, sec%60, 0, c.loc)
		if w.Hour() != sec/3600 || w.Minute() != sec/60%60 {
			return w.Format(tsLayout)
		}
	}
	b := make([]byte, 0, 19)
	b = append(b, c.date(d)...)
	b = append(b, ' ')
	b = append2(b, sec/3600)
	b = append(b, ':')
	b = append2(b, sec/60%60)
	b = append(b, ':')
	b = append2(b, sec%60)
	return string(b)
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

// open reports whether the counter is open on day d (closed on Sundays).
func (c *calendar) open(d int) bool { return c.weekday[d] != time.Sunday }

// counterDay moves a counter payment planned for a closed day to the day
// before it (or after it at the very start of the data).
func (c *calendar) counterDay(d int) int {
	if c.open(d) {
		return d
	}
	if d > 0 {
		return d - 1
	}
	return d + 1
}

// mondayNear is the Monday nearest to day d within the data (d itself if
// there is none within three days).
func (c *calendar) mondayNear(d int) int {
	best := -1
	for off := 0; off < 7; off++ {
		for _, x := range []int{d - off, d + off} {
			if x >= 0 && x < c.nDays && c.weekday[x] == time.Monday && best < 0 {
				best = x
			}
		}
	}
	if best < 0 {
		best = d
	}
	return best
}

// money formats an amount with exactly two decimals.
func money(d decimal.Decimal) string { return d.StringFixed(2) }

// thousands formats an amount with two decimals and thousands separators,
// as "1,250.50".
func thousands(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	dot := len(s) - 3
	intPart, frac := s[:dot], s[dot:]
	var b []byte
	for i := range len(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, intPart[i])
	}
	out := string(b) + frac
	if neg {
		out = "-" + out
	}
	return out
}

// cents is n hundredths.
func cents(n int64) decimal.Decimal { return decimal.New(n, -2) }

// round2 rounds half away from zero to cents.
func round2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// itoa is strconv.Itoa.
func itoa(n int) string { return strconv.Itoa(n) }
