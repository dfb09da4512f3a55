package parse

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

var (
	errNotNumber   = errors.New("not a number")
	errExponent    = errors.New("exponent form is not accepted")
	errPlaces2     = errors.New("more than 2 decimal places")
	errNegative    = errors.New("negative amount")
	errTooLarge    = errors.New("larger than the largest amount 9,999,999,999,999,999.99")
	errPlus        = errors.New("leading + is not accepted")
	errSeparator   = errors.New("misplaced thousands separator (want 1,250.50)")
	errInnerSpace  = errors.New("space inside the number")
	errParens      = errors.New("negative in parentheses; write it with a leading minus sign")
	errDecTooLarge = errors.New("too large (at most 14 digits before the decimal point)")
	errWhole       = errors.New("not a whole number")
	errXLSXInexact = errors.New("too large to be exact in an Excel number cell; store the amount as text")
)

const (
	// maxAmountDigits is DECIMAL(18,2) less its 2 places: 16 integer digits.
	maxAmountDigits = 16
	// maxDecimalDigits keeps Decimal below 10^14, so a value with up to 4
	// places still fits an int64 and a DuckDB DECIMAL(18,4).
	maxDecimalDigits = 14
	// yenMark stands for ¥ or ￥ in normalised text: normalise turns every
	// other non-ASCII rune into '?', so this byte cannot come from the input.
	yenMark = 0x80
	// yen and fullYen are the two yen signs, U+00A5 and U+FFE5.
	yen     = "\u00a5"
	fullYen = "\uffe5"
)

var (
	maxAmount = decimal.RequireFromString("9999999999999999.99")
	// xlsxTolerance is how far an Excel double may sit from the 2-place
	// value the user typed and still be read as that value.
	xlsxTolerance = decimal.New(1, -6)
	// xlsxRelTolerance bounds the double's own error (2^-53 relative) plus
	// the rounding of its 17-digit text (0.5e-16 relative), for large values.
	xlsxRelTolerance = decimal.New(2, -16)
	// xlsxExactLimit is 2^46: from there on a double's spacing exceeds a
	// cent, so a number cell can no longer say which cent the user meant.
	xlsxExactLimit = decimal.New(1<<46, 0)
)

// Amount reads money that may not be negative, exactly, with at most 2 places.
//
// Accepted: "1250", "45.5", "1,250.50" (thousands separators only in groups
// of 3), full-width digits and punctuation, and a currency prefix ¥, ￥, $,
// NT$, HK$ or RMB with an optional space after it. Rejected with their own
// message: a leading +, a minus sign (even on zero), accounting parentheses,
// exponent forms, more than 2 places written (also "1.230": the user wrote 3),
// misplaced separators, spaces inside the digits, and values beyond
// DECIMAL(18,2). The result always has exponent -2.
func Amount(s string) (decimal.Decimal, error) { return money(s, false) }

// SignedAmount reads money like Amount but allows a leading minus sign, for
// adjustments; accounting parentheses are still refused so that a sign is
// never inferred from punctuation.
func SignedAmount(s string) (decimal.Decimal, error) { return money(s, true) }

// Decimal reads a plain decimal that is not money (a target such as 0.95 or
// 500): at most places decimal places, possibly negative, below 10^14 in
// magnitude, with Amount's strictness and no currency prefix. The result
// has exponent -places. It panics if places is negative.
func Decimal(s string, places int) (decimal.Decimal, error) {
	if places < 0 {
		panic("parse.Decimal: negative places")
	}
	s = trim(s)
	if s == "" {
		return decimal.Decimal{}, errRequired
	}
	if isASCII(s) {
		return decimalText(s, places)
	}
	var buf [64]byte
	return decimalText(normalise(buf[:0], s), places)
}

// XLSXAmount reads the raw value of an XLSX number cell as money. Excel keeps
// numbers as doubles, so a cell typed 12.3 may read "12.300000000000001":
// the text is parsed exactly (exponent allowed) and accepted when it lies
// within 1e-6 (more for very large values, see xlsxRelTolerance) of a value
// with 2 places, which is returned. Text that is not a number, e.g. a cell
// stored as a string, is read by Amount.
func XLSXAmount(raw string) (decimal.Decimal, error) {
	d, err := Amount(raw)
	if err == nil {
		return d, nil
	}
	x, ok := readRaw(trim(raw))
	if !ok {
		return decimal.Decimal{}, err
	}
	switch {
	case x.zero || x.tiny:
		return decimal.New(0, -2), nil
	case x.huge && x.neg:
		return decimal.Decimal{}, errNegative
	case x.huge:
		return decimal.Decimal{}, errTooLarge
	}
	r := x.abs.Round(2)
	diff := x.abs.Sub(r).Abs()
	near := diff.IsZero() || x.abs.Cmp(xlsxExactLimit) < 0 && diff.Cmp(xlsxTol(x.abs)) <= 0
	switch {
	case x.neg && !(near && r.IsZero()):
		// A computed cell may hold -5.5e-17 for a zero: that is zero, not negative.
		return decimal.Decimal{}, errNegative
	case r.Cmp(maxAmount) > 0:
		return decimal.Decimal{}, errTooLarge
	case near:
		return decimal.New(r.Shift(2).IntPart(), -2), nil
	case x.abs.Cmp(xlsxExactLimit) >= 0:
		return decimal.Decimal{}, errXLSXInexact
	}
	return decimal.Decimal{}, errPlaces2
}

// XLSXSignedAmount is XLSXAmount for money that may be negative (a refund
// line of a statement).
func XLSXSignedAmount(raw string) (decimal.Decimal, error) {
	t := trim(raw)
	if rest, ok := strings.CutPrefix(t, "-"); ok && rest != "" && rest[0] != '-' && rest[0] != '+' {
		d, err := XLSXAmount(rest)
		if err != nil {
			return decimal.Decimal{}, err
		}
		return d.Neg(), nil
	}
	return XLSXAmount(raw)
}

// xlsxTol is how far from a 2-place value an Excel double of magnitude abs
// may be and still be read as that value.
func xlsxTol(abs decimal.Decimal) decimal.Decimal {
	if tol := abs.Mul(xlsxRelTolerance); tol.Cmp(xlsxTolerance) > 0 {
		return tol
	}
	return xlsxTolerance
}

// money is Amount and SignedAmount: plain ASCII is scanned in place, anything
// else is first normalised into a stack buffer.
func money(s string, signed bool) (decimal.Decimal, error) {
	s = trim(s)
	if s == "" {
		return decimal.Decimal{}, errRequired
	}
	if isASCIIOrYen(s) {
		return moneyText(s, signed)
	}
	var buf [64]byte
	return moneyText(normalise(buf[:0], s), signed)
}

// moneyText reads normalised text: [(] [sign] [currency [spaces]] [sign] digits [)].
// Sign and currency may come in either order ("-$5", "$-5") because both
// appear in exports; only one sign is allowed.
func moneyText[T string | []byte](b T, signed bool) (decimal.Decimal, error) {
	paren := false
	if len(b) >= 2 && b[0] == '(' && b[len(b)-1] == ')' {
		paren = true
		b = b[1 : len(b)-1]
	}
	b, neg, plus := cutSign(b)
	b, cur := cutCurrency(b)
	if cur && !neg && !plus {
		b, neg, plus = cutSign(b)
	}
	r, err := scanDigits(b, 2)
	// Syntax first: "-abc" is not a number before it is negative.
	switch {
	case err != nil:
		return decimal.Decimal{}, err
	case plus:
		return decimal.Decimal{}, errPlus
	case paren && signed:
		return decimal.Decimal{}, errParens
	case paren || neg && !signed:
		return decimal.Decimal{}, errNegative
	case r.places > 2:
		return decimal.Decimal{}, errPlaces2
	case r.intSig > maxAmountDigits:
		return decimal.Decimal{}, errTooLarge
	}
	// 16 integer digits and 2 places always fit an int64 of cents.
	cents := int64(r.coef)
	if neg {
		cents = -cents
	}
	return decimal.New(cents, -2), nil
}

// decimalText is Decimal on normalised text.
func decimalText[T string | []byte](b T, places int) (decimal.Decimal, error) {
	b, neg, plus := cutSign(b)
	r, err := scanDigits(b, places)
	switch {
	case err != nil:
		return decimal.Decimal{}, err
	case plus:
		return decimal.Decimal{}, errPlus
	case r.places > places:
		if places == 0 {
			return decimal.Decimal{}, errWhole
		}
		return decimal.Decimal{}, fmt.Errorf("more than %d decimal places", places)
	case r.intSig > maxDecimalDigits:
		return decimal.Decimal{}, errDecTooLarge
	}
	if r.ovf || r.intSig+places > 18 {
		// Only with places > 4: rebuild the digits and let math/big hold them.
		digits := make([]byte, 0, r.intSig+places+1)
		if neg {
			digits = append(digits, '-')
		}
		frac := 0
		seenPoint := false
		for i := 0; i < len(b); i++ {
			switch c := b[i]; {
			case c == '.':
				seenPoint = true
			case isDigit(c):
				digits = append(digits, c)
				if seenPoint {
					frac++
				}
			}
		}
		for ; frac < places; frac++ {
			digits = append(digits, '0')
		}
		v, _ := new(big.Int).SetString(string(digits), 10)
		return decimal.NewFromBigInt(v, -int32(places)), nil
	}
	v := int64(r.coef)
	if neg {
		v = -v
	}
	return decimal.New(v, -int32(places)), nil
}

// numScan is what scanDigits read.
type numScan struct {
	coef   uint64 // integer digits, then the first keep fraction digits, padded to keep
	places int    // fraction digits written
	intSig int    // integer digits not counting leading zeros
	fracNZ bool   // a fraction digit beyond keep is not zero
	ovf    bool   // coef overflowed (possible only when intSig+keep > 19)
}

// push appends one digit to coef, or records that it no longer fits.
func (r *numScan) push(c byte) {
	if r.ovf || r.coef > (math.MaxUint64-9)/10 {
		r.ovf = true
		return
	}
	r.coef = r.coef*10 + uint64(c-'0')
}

// scanDigits reads an unsigned decimal: digits with optional thousands
// separators, then an optional point and fraction digits, and nothing else.
// It reports syntax only; places and range are for the caller, which knows
// the limits.
func scanDigits[T string | []byte](b T, keep int) (r numScan, err error) {
	i, intDigits, group := 0, 0, 0
	commas := false
	for ; i < len(b); i++ {
		c := b[i]
		if isDigit(c) {
			intDigits++
			group++
			if r.intSig == 0 && c == '0' {
				continue
			}
			r.intSig++
			r.push(c)
			continue
		}
		if c != ',' {
			break
		}
		if group == 0 || group > 3 || commas && group != 3 {
			return r, errSeparator
		}
		commas = true
		group = 0
	}
	if commas && group != 3 {
		return r, errSeparator
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && isDigit(b[i]); i++ {
			r.places++
			if r.places <= keep {
				r.push(b[i])
			} else if b[i] != '0' {
				r.fracNZ = true
			}
		}
		if r.places == 0 {
			// "5." or "." : a dot with nothing after is a truncated value.
			return r, errNotNumber
		}
	}
	if intDigits == 0 && r.places == 0 {
		return r, errNotNumber
	}
	if i < len(b) {
		return r, badTail(b, i)
	}
	for p := r.places; p < keep; p++ {
		r.push('0')
	}
	return r, nil
}

// badTail explains why a number stops being one at b[i], for the cases a
// user can fix: an exponent, a misplaced comma, a space between digits.
func badTail[T string | []byte](b T, i int) error {
	switch b[i] {
	case 'e', 'E':
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && allDigits(b[j:]) {
			return errExponent
		}
	case ',':
		return errSeparator
	case ' ', '\t':
		j := i
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j < len(b) && isDigit(b[j]) {
			return errInnerSpace
		}
	}
	return errNotNumber
}

// allDigits reports a non-empty run of ASCII digits.
func allDigits[T string | []byte](b T) bool {
	for i := 0; i < len(b); i++ {
		if !isDigit(b[i]) {
			return false
		}
	}
	return len(b) > 0
}

// cutSign removes one leading '-' or '+'.
func cutSign[T string | []byte](b T) (rest T, neg, plus bool) {
	if len(b) > 0 {
		switch b[0] {
		case '-':
			return b[1:], true, false
		case '+':
			return b[1:], false, true
		}
	}
	return b, false, false
}

// cutCurrency removes a currency prefix and the spaces after it. The letters
// of NT$, HK$ and RMB may be in any case, as users type them.
func cutCurrency[T string | []byte](b T) (T, bool) {
	n := 0
	switch {
	case len(b) >= 1 && (b[0] == '$' || b[0] == yenMark):
		n = 1
	case len(b) >= len(yen) && string(b[:len(yen)]) == yen:
		n = len(yen)
	case len(b) >= len(fullYen) && string(b[:len(fullYen)]) == fullYen:
		n = len(fullYen)
	case len(b) >= 3 && b[2] == '$' && (lower(b[0]) == 'n' && lower(b[1]) == 't' ||
		lower(b[0]) == 'h' && lower(b[1]) == 'k'):
		n = 3
	case len(b) >= 3 && lower(b[0]) == 'r' && lower(b[1]) == 'm' && lower(b[2]) == 'b':
		n = 3
	default:
		return b, false
	}
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	return b[n:], true
}

// lower lowercases an ASCII letter.
func lower(c byte) byte {
	if c-'A' < 26 {
		return c + 'a' - 'A'
	}
	return c
}

// isASCIIOrYen reports whether s is ASCII apart from yen signs, which
// cutCurrency knows in UTF-8 too: "¥1,250.00" is common enough in Chinese
// exports to skip normalise for. A yen sign anywhere else stops the scan.
func isASCIIOrYen(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < utf8.RuneSelf {
			continue
		}
		switch {
		case len(s)-i >= len(yen) && s[i:i+len(yen)] == yen:
			i += len(yen) - 1
		case len(s)-i >= len(fullYen) && s[i:i+len(fullYen)] == fullYen:
			i += len(fullYen) - 1
		default:
			return false
		}
	}
	return true
}

// isASCII reports whether s needs no normalisation.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normalise rewrites number text to ASCII: full-width digits and punctuation
// become ASCII, the minus sign U+2212 becomes '-', any space becomes ' ' (so
// the scanner can say "space inside the number"), both yen signs become
// yenMark, and every other non-ASCII rune or invalid byte becomes '?'.
func normalise(dst []byte, s string) []byte {
	for _, r := range s {
		switch r = foldWidth(r); {
		case r == '¥' || r == '￥':
			dst = append(dst, yenMark)
		case r == '\u2212':
			dst = append(dst, '-')
		case r < utf8.RuneSelf:
			dst = append(dst, byte(r))
		case isSpace(r):
			dst = append(dst, ' ')
		default:
			dst = append(dst, '?')
		}
	}
	return dst
}

// rawNumber is an XLSX number cell's text, read exactly.
type rawNumber struct {
	abs  decimal.Decimal // magnitude; unset when zero, tiny or huge
	neg  bool
	zero bool
	tiny bool // below 1e-30: zero for every purpose here
	huge bool // 10^20 or more: beyond every range here
}

// readRaw reads the text Excel writes for a number cell: an optional minus,
// digits with an optional point, an optional exponent. It clamps absurd
// exponents so that a hostile "1e999999999" never reaches math/big.
func readRaw(s string) (x rawNumber, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		x.neg = true
		i++
	}
	var mant []byte
	nDigits, frac := 0, 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		nDigits++
		if len(mant) > 0 || s[i] != '0' {
			mant = append(mant, s[i])
		}
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			nDigits++
			frac++
			if len(mant) > 0 || s[i] != '0' {
				mant = append(mant, s[i])
			}
		}
	}
	if nDigits == 0 {
		return x, false
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for ; i < len(s) && isDigit(s[i]); i++ {
			if exp < 1e6 {
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if i == start {
			return x, false
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return x, false
	}
	if len(mant) == 0 {
		x.zero = true
		return x, true
	}
	// The value is mant × 10^e; its integer digits number len(mant)+e.
	e := exp - frac
	switch mag := len(mant) + e; {
	case mag > 20:
		x.huge = true
		return x, true
	case mag < -30:
		x.tiny = true
		return x, true
	}
	v, _ := new(big.Int).SetString(string(mant), 10)
	x.abs = decimal.NewFromBigInt(v, int32(e))
	return x, true
}
