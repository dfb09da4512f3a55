package parse

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

var (
	errNotTime     = errors.New("not a time (want RFC 3339 or YYYY-MM-DD HH:MM[:SS])")
	errNotDate     = errors.New("not a date (want YYYY-MM-DD)")
	errHasTime     = errors.New("has a time of day (want a date alone, YYYY-MM-DD)")
	errYear        = errors.New("year must be between 1900 and 9999")
	errMonth       = errors.New("no such month")
	errDay         = errors.New("no such day in that month")
	errHour        = errors.New("hour must be 0 to 23")
	errMinute      = errors.New("minute must be 0 to 59")
	errSecond      = errors.New("second must be 0 to 59")
	errOffset      = errors.New("time zone offset out of range")
	errSerialRange = errors.New("date serial number out of range (1 to 2958465)")
	errTimeOnly    = errors.New("a time of day without a date")
	errLeapBug     = errors.New("1900-02-29 does not exist (Excel's 1900 leap-year bug)")
	errPeriod      = errors.New("not a billing month (want YYYY-MM)")

	// errSyntax is internal: each caller replaces it with the form it wants.
	errSyntax = errors.New("syntax")
)

const (
	// maxSerial is 9999-12-31 in Excel's 1900 date system.
	maxSerial = 2958465
	// serialLeapBug is the fictitious 1900-02-29 that Excel inherited from Lotus 1-2-3.
	serialLeapBug = 60
)

var (
	secondsPerDay = decimal.New(86400, 0)
	maxSerialDec  = decimal.New(maxSerial+1, 0)
)

// Timestamp reads an instant. A written offset or Z is honoured; text without
// one is wall time in loc (nil means UTC). Accepted: RFC 3339,
// "YYYY-MM-DD HH:MM[:SS]", "YYYY/MM/DD HH:MM[:SS]", the same with T, a
// fraction after seconds, one-digit month, day and hour, and a date alone
// (local midnight). A wall time skipped by a clock change is an error; one
// repeated by a clock change is its earlier instant. The result is in UTC.
func Timestamp(s string, loc *time.Location) (time.Time, error) {
	s = trim(s)
	if s == "" {
		return time.Time{}, errRequired
	}
	st, err := scanStamp(s)
	if err != nil {
		if err == errSyntax {
			err = errNotTime
		}
		return time.Time{}, err
	}
	if st.hasZone {
		// Subtracting the offset inside Date keeps this allocation-free and
		// lets Date normalise the carry into minutes, hours and days.
		return time.Date(st.year, time.Month(st.month), st.day, st.hour, st.min, st.sec-st.offset, st.nsec, time.UTC), nil
	}
	return localToUTC(st.year, st.month, st.day, st.hour, st.min, st.sec, st.nsec, loc)
}

// Date reads a calendar date, "YYYY-MM-DD" or "YYYY/MM/DD" (one-digit month
// and day allowed), or a timestamp form whose time is midnight, as exports
// often write dates; a written offset is ignored because the date written is
// the date meant. The result is midnight UTC of that date.
func Date(s string) (time.Time, error) {
	s = trim(s)
	if s == "" {
		return time.Time{}, errRequired
	}
	st, err := scanStamp(s)
	if err != nil {
		if err == errSyntax {
			err = errNotDate
		}
		return time.Time{}, err
	}
	if st.hour != 0 || st.min != 0 || st.sec != 0 || st.nsec != 0 {
		return time.Time{}, errHasTime
	}
	return time.Date(st.year, time.Month(st.month), st.day, 0, 0, 0, 0, time.UTC), nil
}

// ExcelSerial reads an XLSX date or time cell stored as a serial number in
// the 1900 date system (45123.5 is noon), as wall time in loc (nil means
// UTC), rounded to the nearest second, and returns it in UTC. Serial 60 is
// Excel's fictitious 1900-02-29 and is refused; serials below 1 are times
// without a date. Text that is not a number is read by Timestamp, since a
// date column may hold cells stored as text.
func ExcelSerial(raw string, loc *time.Location) (time.Time, error) {
	s := trim(raw)
	if s == "" {
		return time.Time{}, errRequired
	}
	x, ok := readRaw(s)
	if !ok {
		return Timestamp(s, loc)
	}
	if x.neg || x.zero || x.tiny || x.huge || x.abs.Cmp(maxSerialDec) >= 0 {
		return time.Time{}, errSerialRange
	}
	secs := x.abs.Mul(secondsPerDay).Round(0).IntPart()
	days, sod := secs/86400, secs%86400
	switch {
	case days == 0:
		return time.Time{}, errTimeOnly
	case days == serialLeapBug:
		return time.Time{}, errLeapBug
	case days > maxSerial:
		return time.Time{}, errSerialRange
	}
	// Serial 1 is 1900-01-01; past the fictitious day 60 every serial is one
	// too high, so the epoch moves back a day.
	epoch := 31
	if days > serialLeapBug {
		epoch = 30
	}
	wall := time.Date(1899, time.December, epoch+int(days), 0, 0, int(sod), 0, time.UTC)
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	return localToUTC(y, int(mo), d, h, mi, sec, 0, loc)
}

// Period reads a billing month: "2026-09", "2026/09", "2026-9", "202609",
// "2026年9月" or "2026年09月", and returns it as "2026-09".
func Period(s string) (string, error) {
	s = trim(s)
	if s == "" {
		return "", errRequired
	}
	y, i := digitsAt(s, 0, 4, 4)
	if y < 0 || i == len(s) {
		return "", errPeriod
	}
	m := -1
	switch {
	case s[i] == '-' || s[i] == '/':
		m, i = digitsAt(s, i+1, 1, 2)
	case isDigit(s[i]):
		m, i = digitsAt(s, i, 2, 2)
	case len(s)-i > len("年") && s[i:i+len("年")] == "年":
		m, i = digitsAt(s, i+len("年"), 1, 2)
		if m >= 0 && s[i:] != "月" {
			m = -1
		}
		i = len(s)
	}
	if m < 0 || i != len(s) {
		return "", errPeriod
	}
	if y < 1900 {
		return "", errYear
	}
	if m < 1 || m > 12 {
		return "", errMonth
	}
	if len(s) == len("2026-09") && s[4] == '-' {
		return s, nil // already canonical: no allocation
	}
	b := [7]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10),
		'-', byte('0' + m/10), byte('0' + m%10)}
	return string(b[:]), nil
}

// stamp is a date and time as written, before any time zone is applied.
type stamp struct {
	year, month, day     int
	hour, min, sec, nsec int
	hasZone              bool
	offset               int // seconds east of UTC, when hasZone
}

// scanStamp reads date [('T' | spaces) time [zone]], where date is
// YYYY(-|/)M[M](-|/)D[D] with one separator, time is H[H]:MM[:SS[.fraction]]
// and zone is Z or ±HH[:]MM. Grammar errors are errSyntax; a well-formed but
// impossible value gets its own message.
func scanStamp(s string) (st stamp, err error) {
	var i int
	st.year, i = digitsAt(s, 0, 4, 4)
	if st.year < 0 || i == len(s) || s[i] != '-' && s[i] != '/' {
		return st, errSyntax
	}
	sep := s[i]
	st.month, i = digitsAt(s, i+1, 1, 2)
	if st.month < 0 || i == len(s) || s[i] != sep {
		return st, errSyntax
	}
	st.day, i = digitsAt(s, i+1, 1, 2)
	if st.day < 0 {
		return st, errSyntax
	}
	if i < len(s) {
		switch s[i] {
		case 'T', 't':
			i++
		case ' ':
			for i < len(s) && s[i] == ' ' {
				i++
			}
		default:
			return st, errSyntax
		}
		if st.hour, i = digitsAt(s, i, 1, 2); st.hour < 0 || i == len(s) || s[i] != ':' {
			return st, errSyntax
		}
		if st.min, i = digitsAt(s, i+1, 2, 2); st.min < 0 {
			return st, errSyntax
		}
		if i < len(s) && s[i] == ':' {
			if st.sec, i = digitsAt(s, i+1, 2, 2); st.sec < 0 {
				return st, errSyntax
			}
			if i < len(s) && s[i] == '.' {
				start := i + 1
				if st.nsec, i = digitsAt(s, start, 1, 9); st.nsec < 0 || i < len(s) && isDigit(s[i]) {
					return st, errSyntax
				}
				for n := i - start; n < 9; n++ {
					st.nsec *= 10
				}
			}
		}
		if i < len(s) {
			if i, err = scanZone(s, i, &st); err != nil {
				return st, err
			}
		}
		if i != len(s) {
			return st, errSyntax
		}
	}
	switch {
	case st.year < 1900:
		return st, errYear
	case st.month < 1 || st.month > 12:
		return st, errMonth
	case st.day < 1 || st.day > daysIn(st.year, st.month):
		return st, errDay
	case st.hour > 23:
		return st, errHour
	case st.min > 59:
		return st, errMinute
	case st.sec > 59:
		return st, errSecond
	}
	return st, nil
}

// scanZone reads Z or ±HH[:]MM at s[i].
func scanZone(s string, i int, st *stamp) (int, error) {
	switch s[i] {
	case 'Z', 'z':
		st.hasZone = true
		return i + 1, nil
	case '+', '-':
	default:
		return i, errSyntax
	}
	sign := 1
	if s[i] == '-' {
		sign = -1
	}
	h, j := digitsAt(s, i+1, 2, 2)
	if h < 0 {
		return i, errSyntax
	}
	if j < len(s) && s[j] == ':' {
		j++
	}
	m, j := digitsAt(s, j, 2, 2)
	if m < 0 {
		return i, errSyntax
	}
	if h > 23 || m > 59 {
		return i, errOffset
	}
	st.hasZone = true
	st.offset = sign * (h*3600 + m*60)
	return j, nil
}

// digitsAt reads between min and max ASCII digits at s[i], returning the
// value and the index after them, or -1 and i if fewer than min are there.
func digitsAt(s string, i, min, max int) (v, j int) {
	for j = i; j < len(s) && j-i < max && isDigit(s[j]); j++ {
		v = v*10 + int(s[j]-'0')
	}
	if j-i < min {
		return -1, i
	}
	return v, j
}

// daysIn is the length of a month in the Gregorian calendar.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// localToUTC turns a wall time in loc into a UTC instant. time.Date silently
// moves a wall time that a clock change skipped, and does not promise which
// of the two instants a repeated wall time gets, so both cases are settled
// here: the first is an error, the second takes the earlier instant.
func localToUTC(y, mo, d, h, mi, sec, nsec int, loc *time.Location) (time.Time, error) {
	if loc == nil || loc == time.UTC {
		return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC), nil
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc)
	wall := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC).Unix()
	_, off := t.Zone()
	if t.Unix()+int64(off) != wall {
		return time.Time{}, fmt.Errorf("does not exist in %s (clock change)", loc)
	}
	if start, _ := t.ZoneBounds(); !start.IsZero() && t.Unix()-start.Unix() < 86400 {
		// Just after a transition: if the clock was ahead before it, the
		// same wall time also happened, earlier, under the previous offset.
		if _, prev := start.Add(-time.Second).Zone(); prev > off {
			if c := wall - int64(prev); c < start.Unix() {
				t = time.Unix(c, int64(nsec))
			}
		}
	}
	return t.UTC(), nil
}
