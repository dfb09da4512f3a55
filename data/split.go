package data

import "strings"

// SplitStatements cuts SQL text at the semicolons that end statements,
// skipping those inside 'strings', E'escaped strings', "identifiers",
// $tag$dollar quotes$tag$, -- line comments and /* block comments */. It
// returns the complete statements (without their semicolon; empty and
// comment-only ones dropped) and the text after the last semicolon, which is
// an unfinished statement or blank.
//
// The gate does not trust this splitter for safety: DuckDB's own parser must
// find exactly one statement in every piece before anything runs.
func SplitStatements(text string) (stmts []string, rest string) {
	start := 0
	i := 0
	n := len(text)
	for i < n {
		c := text[i]
		switch {
		case c == '\'':
			escapes := i > 0 && (text[i-1] == 'E' || text[i-1] == 'e') && (i == 1 || !isIdentByte(text[i-2]))
			i = skipQuoted(text, i+1, '\'', escapes)
		case c == '"':
			i = skipQuoted(text, i+1, '"', false)
		case c == '-' && i+1 < n && text[i+1] == '-':
			if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = n
			}
		case c == '/' && i+1 < n && text[i+1] == '*':
			i = skipBlockComment(text, i+2)
		case c == '$' && (i == 0 || !isIdentByte(text[i-1])):
			if tag, ok := dollarTag(text[i:]); ok {
				if j := strings.Index(text[i+len(tag):], tag); j >= 0 {
					i += len(tag) + j + len(tag)
				} else {
					i = n
				}
			} else {
				i++
			}
		case c == ';':
			if s := text[start:i]; !Blank(s) {
				stmts = append(stmts, strings.TrimSpace(s))
			}
			i++
			start = i
		default:
			i++
		}
	}
	return stmts, text[start:]
}

// Statements splits a whole text, its last statement needing no semicolon.
func Statements(text string) []string {
	stmts, rest := SplitStatements(text)
	if !Blank(rest) {
		stmts = append(stmts, strings.TrimSpace(rest))
	}
	return stmts
}

// skipQuoted returns the index after the quote closing the quoted text that
// starts at i; a doubled quote stands for itself.
func skipQuoted(text string, i int, q byte, backslash bool) int {
	for i < len(text) {
		switch text[i] {
		case '\\':
			if backslash {
				i += 2
				continue
			}
		case q:
			if i+1 < len(text) && text[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(text)
}

// skipBlockComment returns the index after the comment's end; block comments
// nest, as in PostgreSQL.
func skipBlockComment(text string, i int) int {
	depth := 1
	for i < len(text) {
		switch {
		case strings.HasPrefix(text[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		case strings.HasPrefix(text[i:], "/*"):
			depth++
			i += 2
		default:
			i++
		}
	}
	return len(text)
}

// dollarTag reads $tag$ or $$ at the start of s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1], true
		}
		if !isIdentByte(c) || (j == 1 && c >= '0' && c <= '9') {
			return "", false // $1 is a parameter, not a quote
		}
	}
	return "", false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// Blank reports whether SQL text holds only white space and comments.
func Blank(s string) bool {
	return len(tokens(s)) == 0
}

// token is a word, a quoted identifier or one punctuation character of SQL
// text, outside strings and comments; strings come as the token "'".
type token struct {
	text   string
	quoted bool // a "quoted identifier", text unquoted
	end    int  // offset just after the token in the text
}

// tokens lexes SQL text just enough for the gate's checks.
func tokens(s string) []token {
	var out []token
	i, n := 0, len(s)
	for i < n {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < n && s[i+1] == '-':
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = n
			}
		case c == '/' && i+1 < n && s[i+1] == '*':
			i = skipBlockComment(s, i+2)
		case c == '\'':
			i = skipQuoted(s, i+1, '\'', false)
			out = append(out, token{text: "'", end: i})
		case c == '"':
			j := skipQuoted(s, i+1, '"', false)
			body := s[i+1 : max(i+1, j-1)]
			out = append(out, token{text: strings.ReplaceAll(body, `""`, `"`), quoted: true, end: j})
			i = j
		case c == '$' && (i == 0 || !isIdentByte(s[i-1])):
			if tag, ok := dollarTag(s[i:]); ok {
				if j := strings.Index(s[i+len(tag):], tag); j >= 0 {
					i += len(tag) + j + len(tag)
				} else {
					i = n
				}
				out = append(out, token{text: "'", end: i})
			} else {
				out = append(out, token{text: "$", end: i + 1})
				i++
			}
		case isIdentByte(c):
			j := i
			for j < n && isIdentByte(s[j]) {
				j++
			}
			if j == i+1 && (c == 'E' || c == 'e') && j < n && s[j] == '\'' {
				i = skipQuoted(s, j+1, '\'', true) // E'escaped string'
				out = append(out, token{text: "'", end: i})
				continue
			}
			out = append(out, token{text: s[i:j], end: j})
			i = j
		default:
			out = append(out, token{text: s[i : i+1], end: i + 1})
			i++
		}
	}
	return out
}
