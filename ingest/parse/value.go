package parse

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	errBool     = errors.New("not a yes/no value (want yes, no, true, false, 1 or 0)")
	errControl  = errors.New("contains control characters")
	errEncoding = errors.New("contains undecodable bytes; check the file's encoding")
	errUnknown  = errors.New("unknown value")
)

// Int reads a whole number between min and max inclusive. Thousands
// separators and full-width digits are read as in Amount, and a zero
// fraction ("3.0", as pandas writes integers) is accepted.
func Int(s string, min, max int) (int, error) {
	s = trim(s)
	if s == "" {
		return 0, errRequired
	}
	if isASCII(s) {
		return intText(s, min, max)
	}
	var buf [64]byte
	return intText(normalise(buf[:0], s), min, max)
}

// intText is Int on normalised text.
func intText[T string | []byte](b T, min, max int) (int, error) {
	b, neg, plus := cutSign(b)
	r, err := scanDigits(b, 0)
	switch {
	case err == errNotNumber:
		return 0, errWhole
	case err != nil:
		return 0, err
	case plus:
		return 0, errPlus
	case r.fracNZ:
		return 0, errWhole
	}
	// int64(1<<63) negated is math.MinInt64, so the full int64 range is read.
	v := int64(r.coef)
	if neg {
		v = -v
	}
	if r.ovf || r.coef > math.MaxInt64 && !(neg && r.coef == 1<<63) || v < int64(min) || v > int64(max) {
		return 0, fmt.Errorf("must be between %d and %d", min, max)
	}
	return int(v), nil
}

// Bool reads yes/no in the forms exports use: true/false, yes/no, y/n, 1/0,
// t/f in any case, 是/否 and 真/假. Empty is an error: only the caller
// knows whether a missing flag means no.
func Bool(s string) (bool, error) {
	s = trim(s)
	switch s {
	case "":
		return false, errRequired
	case "是", "真":
		return true, nil
	case "否", "假":
		return false, nil
	}
	if len(s) > len("false") {
		return false, errBool
	}
	var buf [5]byte
	for i := 0; i < len(s); i++ {
		buf[i] = lower(s[i])
	}
	switch string(buf[:len(s)]) {
	case "true", "yes", "y", "1", "t":
		return true, nil
	case "false", "no", "n", "0", "f":
		return false, nil
	}
	return false, errBool
}

// Enum is a closed set of canonical values, each with aliases in any
// language. Build it once with NewEnum; it is read-only afterwards, so one
// Enum is safe to share between goroutines.
type Enum struct {
	lookup map[string]string // folded canonical value or alias -> canonical value
	values []string          // canonical values, sorted
	err    error             // the "unknown value" error, built once
}

// NewEnum builds an Enum from canonical value -> aliases. Each canonical
// value is also its own alias. It panics on an empty value or alias, or on
// one that folds to the same key as another canonical value's, because that
// is a programming error that would make parsing ambiguous.
func NewEnum(canonical map[string][]string) Enum {
	e := Enum{lookup: make(map[string]string)}
	add := func(alias, value string) {
		k := string(foldKey(nil, trim(alias)))
		if k == "" {
			panic(fmt.Sprintf("parse.NewEnum: empty alias for %q", value))
		}
		if prev, ok := e.lookup[k]; ok && prev != value {
			panic(fmt.Sprintf("parse.NewEnum: %q is an alias of both %q and %q", alias, prev, value))
		}
		e.lookup[k] = value
	}
	for value, aliases := range canonical {
		add(value, value)
		for _, a := range aliases {
			add(a, value)
		}
		e.values = append(e.values, value)
	}
	slices.Sort(e.values)
	e.err = errors.New("unknown value; want one of: " + strings.Join(e.values, ", "))
	return e
}

// Parse returns the canonical value that s names. Matching ignores case,
// surrounding spaces, full-width forms of ASCII, and the difference between
// ' ', '-' and '_' (runs of them count as one), so "Bank Transfer",
// "bank-transfer" and "BANK_TRANSFER" all name bank_transfer.
func (e Enum) Parse(s string) (string, error) {
	s = trim(s)
	if s == "" {
		return "", errRequired
	}
	var buf [64]byte
	if v, ok := e.lookup[string(foldKey(buf[:0], s))]; ok {
		return v, nil
	}
	if e.err == nil {
		return "", errUnknown
	}
	return "", e.err
}

// Values returns the canonical values, sorted; the slice is the caller's.
func (e Enum) Values() []string { return slices.Clone(e.values) }

// foldKey appends the matching key of s to dst: lowercased, full-width ASCII
// folded to ASCII, and each run of separators (' ', '-', '_', any space)
// written as one '_' and dropped at either end.
func foldKey(dst []byte, s string) []byte {
	start := len(dst)
	sep := false
	for i := 0; i < len(s); {
		r := rune(s[i])
		n := 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
			r = foldWidth(r)
		}
		i += n
		if r == ' ' || r == '-' || r == '_' || r >= utf8.RuneSelf && isSpace(r) || r == '\t' {
			sep = true
			continue
		}
		if sep && len(dst) > start {
			dst = append(dst, '_')
		}
		sep = false
		if r < utf8.RuneSelf {
			dst = append(dst, lower(byte(r)))
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}

// Text reads free text of at most maxLen characters (runes; maxLen <= 0 means
// no limit). Empty is allowed. Control characters other than tab and line breaks (C0, DEL
// and C1) are refused: C1 usually means a file decoded with the wrong
// charset. Invalid UTF-8 and U+FFFD, which a failed decoding leaves behind,
// are refused with a hint about the encoding; that check comes first
// because it names the real problem.
func Text(s string, maxLen int) (string, error) {
	s = trim(s)
	n := 0
	ctrl := false
	for i := 0; i < len(s); n++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F {
				ctrl = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError {
			return "", errEncoding
		}
		if r <= 0x9F {
			ctrl = true
		}
		i += size
	}
	if ctrl {
		return "", errControl
	}
	if maxLen > 0 && n > maxLen {
		return "", fmt.Errorf("longer than %d characters", maxLen)
	}
	return s, nil
}
