package profiles

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// CleanCell removes what spreadsheet-safe exports wrap values in: a leading
// backtick (WeChat Pay), a leading = or ="…" (Excel text formulas), tabs and
// spaces around the value (Alipay), and quotes left around it.
func CleanCell(s string) string {
	if s == "" {
		return s
	}
	if c, l := s[0], s[len(s)-1]; c > ' ' && c != '`' && c != '=' && c != '"' && c < utf8.RuneSelf && l > ' ' && l != '"' && l < utf8.RuneSelf {
		return s // the common case: nothing to clean
	}
	s = strings.TrimFunc(s, isCellSpace)
	for len(s) > 0 && (s[0] == '`' || s[0] == '\'') {
		s = s[1:]
	}
	if strings.HasPrefix(s, "=") {
		s = s[1:]
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.TrimFunc(s, isCellSpace)
}

func isCellSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200b' }

var (
	errAmbiguousDate = errors.New("the day and month order is ambiguous; the profile must say dates.order MDY or DMY")
	errPlaces        = errors.New("more than 2 decimal places")
)

// currencyWords maps currency codes, symbols and names to ISO codes.
var currencyWords = map[string]string{
	"cny": "CNY", "rmb": "CNY", "¥": "CNY", "￥": "CNY", "人民币": "CNY", "人民幣": "CNY", "元": "",
	"twd": "TWD", "ntd": "TWD", "nt$": "TWD", "新台币": "TWD", "新台幣": "TWD", "新臺幣": "TWD",
	"usd": "USD", "us$": "USD", "美元": "USD", "hkd": "HKD", "hk$": "HKD", "港币": "HKD", "港幣": "HKD",
	"eur": "EUR", "€": "EUR", "欧元": "EUR", "歐元": "EUR", "gbp": "GBP", "£": "GBP", "jpy": "JPY", "日元": "JPY",
	"sgd": "SGD", "s$": "SGD", "mop": "MOP", "$": "$",
}

// CurrencyCode reads a currency column's value or an amount's symbol as an
// ISO code ("$" stays "$": some dollar); ok is false for an unknown word.
func CurrencyCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 3 && isUpperASCII(s) {
		if s == "RMB" || s == "NTD" {
			return currencyWords[strings.ToLower(s)], true
		}
		return s, true // an ISO code, as most files write it
	}
	if c, ok := currencyWords[strings.ToLower(s)]; ok {
		return c, true
	}
	return "", false
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// SameCurrency reports whether a code read from the file is the expected one.
func SameCurrency(got, want string) bool {
	if got == "" || got == want {
		return true
	}
	return got == "$" && strings.HasSuffix(want, "D") // some dollar, and a dollar is expected
}

// amountPrefixes are currency marks written before a number, longest first.
var amountPrefixes = []string{"nt$", "us$", "hk$", "s$", "cny", "rmb", "twd", "ntd", "usd", "hkd", "eur", "gbp", "jpy", "sgd", "¥", "￥", "€", "£", "$"}

// amountSuffixes are currency marks written after a number.
var amountSuffixes = []string{"cny", "rmb", "twd", "ntd", "usd", "hkd", "eur", "元"}

// NormAmount reads an amount cell as the text parse.SignedAmount takes: the
// sign first (+ dropped, − read as -), the currency mark removed and
// returned as a code, and zeros beyond the second decimal place removed
// when they are only zeros (0.32000 is 0.32; 0.325 keeps its 3 places and
// is refused later). A placeholder (-, −, —, --) reads as empty.
func NormAmount(s string) (val, currency string, err error) {
	s = CleanCell(s)
	switch s {
	case "", "-", "−", "—", "--", "－", "/":
		return "", "", nil
	}
	neg := false
	// Fast path: plain ASCII digits with an optional sign, point and commas.
	plain := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == ',' || (i == 0 && (c == '-' || c == '+'))) {
			plain = false
			break
		}
	}
	if !plain {
		s, neg, currency = cutMarks(s)
	} else if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot-1 > 2 {
		frac := s[dot+3:]
		if strings.Trim(frac, "0") == "" {
			s = s[:dot+3]
		} else if isDigits(frac) {
			return "", currency, errPlaces
		}
	}
	if neg {
		s = "-" + s
	}
	return s, currency, nil
}

// cutMarks removes signs and currency marks around a number, in any order.
func cutMarks(s string) (rest string, neg bool, currency string) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u2212', '\uFF0D', '\u2012', '\u2013': // minus signs and dashes
			return '-'
		case '\uFF0B':
			return '+'
		case '\u00A0', '\u3000':
			return ' '
		}
		return r
	}, s)
	for changed := true; changed; {
		changed = false
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			neg = neg != (s[0] == '-')
			s = s[1:]
			changed = true
			continue
		}
		if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
			break // parentheses stay: the parser refuses them with its own message
		}
		low := strings.ToLower(s)
		for _, p := range amountPrefixes {
			if strings.HasPrefix(low, p) {
				currency = currencyWords[p]
				s = s[len(p):]
				changed = true
				break
			}
		}
		if changed {
			continue
		}
		low = strings.ToLower(s)
		for _, p := range amountSuffixes {
			if strings.HasSuffix(low, p) {
				if c := currencyWords[p]; c != "" {
					currency = c
				}
				s = s[:len(s)-len(p)]
				changed = true
				break
			}
		}
		if strings.HasSuffix(s, "-") { // 1,250.00- (trailing minus of some banks)
			neg = !neg
			s = s[:len(s)-1]
			changed = true
		}
	}
	return s, neg, currency
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// NormTime reads a date (and a time, in the same cell or in its own) as
// "YYYY-MM-DD HH:MM:SS", adding the offset of zone when one is given, for
// parse.Timestamp. Forms read: YYYY-MM-DD and YYYY/MM/DD, YYYYMMDD,
// 2026年9月1日, M/D/YYYY or D/M/YYYY as d.Order says, ROC years (115/09/01)
// when d.Calendar is roc; times HH:MM[:SS] and HHMMSS. Text it does not
// recognise is returned unchanged for the parser to judge.
func NormTime(date, clock string, d *Dates, zone string) (string, error) {
	date, clock = CleanCell(date), CleanCell(clock)
	if date == "" {
		return "", nil
	}
	roc := strings.EqualFold(d.Calendar, "roc")
	order := strings.ToUpper(d.Order)
	if clock == "" && zone == "" && !roc && order == "" && len(date) >= 10 && date[4] == '-' {
		return date, nil // already the form the parser reads
	}
	if clock == "" {
		if i := strings.IndexAny(date, " T"); i > 0 {
			date, clock = date[:i], strings.TrimSpace(date[i+1:])
		}
	}
	y, m, day, ok, err := readDate(date, order, roc)
	if err != nil {
		return "", err
	}
	if !ok {
		return strings.TrimSpace(date + " " + clock), nil
	}
	hh, mm, ss := 0, 0, 0
	if clock != "" {
		var ok bool
		if hh, mm, ss, ok = readClock(clock); !ok {
			// An offset or fraction after the time: leave it to the parser.
			return fmt.Sprintf("%04d-%02d-%02d %s", y, m, day, clock), nil
		}
	}
	out := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", y, m, day, hh, mm, ss)
	if zone == "" {
		return out, nil
	}
	off, err := zoneOffset(zone, y, m, day, hh, mm, ss)
	if err != nil {
		return "", err
	}
	return out + off, nil
}

// readDate reads the forms of NormTime; ok is false for text it leaves alone.
func readDate(s, order string, roc bool) (y, m, d int, ok bool, err error) {
	if strings.Contains(s, "年") {
		s = strings.NewReplacer("年", "-", "月", "-", "日", "").Replace(s)
		order = "YMD"
	}
	if isDigits(s) {
		switch {
		case len(s) == 8 && !roc:
			y, _ = strconv.Atoi(s[:4])
			m, _ = strconv.Atoi(s[4:6])
			d, _ = strconv.Atoi(s[6:])
			return y, m, d, true, nil
		case roc && (len(s) == 8 || len(s) == 7 || len(s) == 6): // 01150901, 1150901, 990901
			y, _ = strconv.Atoi(s[:len(s)-4])
			m, _ = strconv.Atoi(s[len(s)-4 : len(s)-2])
			d, _ = strconv.Atoi(s[len(s)-2:])
			return y + 1911, m, d, true, nil
		}
		return 0, 0, 0, false, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || !isDigits(parts[0]) || !isDigits(parts[1]) || !isDigits(parts[2]) {
		return 0, 0, 0, false, nil
	}
	a, _ := strconv.Atoi(parts[0])
	b, _ := strconv.Atoi(parts[1])
	c, _ := strconv.Atoi(parts[2])
	switch {
	case roc && len(parts[0]) <= 3:
		return a + 1911, b, c, true, nil
	case len(parts[0]) == 4:
		return a, b, c, true, nil
	case len(parts[2]) == 4 && order == "MDY":
		return c, a, b, true, nil
	case len(parts[2]) == 4 && order == "DMY":
		return c, b, a, true, nil
	case len(parts[2]) == 4:
		// Refused even when the day is above 12: the next file may hold 1/2/2026.
		return 0, 0, 0, false, errAmbiguousDate
	}
	return 0, 0, 0, false, nil
}

// readClock reads HH:MM[:SS] or HHMMSS.
func readClock(s string) (h, m, sec int, ok bool) {
	if isDigits(s) && (len(s) == 6 || len(s) == 4) {
		h, _ = strconv.Atoi(s[:2])
		m, _ = strconv.Atoi(s[2:4])
		if len(s) == 6 {
			sec, _ = strconv.Atoi(s[4:])
		}
		return h, m, sec, true
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	v := [3]int{}
	for i, p := range parts {
		if !isDigits(p) || len(p) > 2 {
			return 0, 0, 0, false
		}
		v[i], _ = strconv.Atoi(p)
	}
	return v[0], v[1], v[2], true
}

var zoneCache sync.Map // name -> *time.Location

func loadZone(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zoneCache.Store(name, l)
	return l, nil
}

// zoneOffset writes the offset of a zone (+08:00, UTC+8, GMT-5, Z, or an
// IANA name) at a wall time, as RFC 3339 writes it.
func zoneOffset(zone string, y, mo, d, h, mi, s int) (string, error) {
	z := strings.TrimSpace(zone)
	up := strings.ToUpper(z)
	switch up {
	case "Z", "UTC", "GMT":
		return "Z", nil
	}
	for _, p := range []string{"UTC", "GMT"} {
		if strings.HasPrefix(up, p) {
			z = z[len(p):]
			break
		}
	}
	if z != "" && (z[0] == '+' || z[0] == '-') {
		sign := z[0]
		rest := strings.ReplaceAll(z[1:], ":", "")
		if !isDigits(rest) || len(rest) > 4 {
			return "", fmt.Errorf("unknown time zone %q", zone)
		}
		hh, mm := 0, 0
		switch len(rest) {
		case 1, 2:
			hh, _ = strconv.Atoi(rest)
		case 3, 4:
			hh, _ = strconv.Atoi(rest[:len(rest)-2])
			mm, _ = strconv.Atoi(rest[len(rest)-2:])
		}
		if hh > 14 || mm > 59 {
			return "", fmt.Errorf("time zone offset %q out of range", zone)
		}
		return fmt.Sprintf("%c%02d:%02d", sign, hh, mm), nil
	}
	name := strings.TrimSpace(zone)
	if n, ok := zoneAbbreviations[up]; ok {
		name = n
	}
	loc, err := loadZone(name)
	if err != nil {
		return "", err
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, loc)
	return t.Format("-07:00"), nil
}

// zoneAbbreviations read the zone labels statements write (PayPal's PDT,
// Adyen's CET) as the region whose clock they name, summer time included.
var zoneAbbreviations = map[string]string{
	"PDT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PT": "America/Los_Angeles",
	"MDT": "America/Denver", "MST": "America/Denver",
	"CDT": "America/Chicago", "CST": "America/Chicago",
	"EDT": "America/New_York", "EST": "America/New_York", "ET": "America/New_York",
	"CET": "Europe/Paris", "CEST": "Europe/Paris", "BST": "Europe/London",
	"JST": "Asia/Tokyo", "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore",
	"AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
}
