// Package parse turns the text of one cell of an uploaded export into a typed
// value, or a short error message a finance user can act on.
//
// Every function first trims ASCII and Unicode spaces (NBSP and the
// ideographic space U+3000 included, plus a stray BOM or zero-width space),
// because spreadsheets and Chinese input methods leave them around values.
// Error texts are short and lowercase and name neither the value nor the
// column: the caller knows both and adds them, with the row number.
//
// Amounts and timestamps are read on millions of rows, so their common forms
// are scanned by hand without regexp, floats or heap allocations beyond the
// one the decimal value itself needs.
package parse

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// errRequired is shared by every function: an empty cell is never a value,
// and only the caller knows whether the column has a default.
var errRequired = errors.New("required")

// trim removes leading and trailing spaces. The ASCII case is decided without
// decoding runes, since nearly every cell is plain ASCII.
func trim(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if !isASCIISpace(c) {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// isASCIISpace reports tab, LF, VT, FF, CR and space.
func isASCIISpace(c byte) bool {
	return c == ' ' || c-'\t' <= '\r'-'\t'
}

// isSpace also counts the BOM and the zero-width space: both are invisible in
// a spreadsheet, so a user could never find them to delete them.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
}

// isDigit reports an ASCII digit.
func isDigit(c byte) bool { return c-'0' <= 9 }

// foldWidth maps full-width ASCII variants (U+FF01..U+FF5E, typed by Chinese
// input methods) to ASCII, and the ideographic space to a space.
func foldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000:
		return ' '
	}
	return r
}
