package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// rawCSV reads delimited text without a header (Options.Raw): every
// non-blank record is returned, whatever its number of fields, so that the
// caller can find the header below a preamble and tell footers from data.
//
// It reads text as real systems write it: a trailing delimiter is an empty
// last field, a quote inside an unquoted field is part of the text, and a
// closing quote may be followed by spaces or tabs before the delimiter
// ("2026-09-01"<TAB>,). A quote inside a quoted field that is neither
// doubled nor closing the field is ambiguous and stops reading with an
// error naming the line.
type rawCSV struct {
	t       *text
	br      *bufio.Reader
	lim     *limitReader
	delim   byte
	line    int    // lines consumed so far
	scratch []byte // a line longer than the buffer
	rec     []byte // the current record's field text, unquoted
	ends    []int  // end offset in rec of each field
}

func openRawCSV(t *text) *rawCSV {
	c := &rawCSV{t: t}
	c.lim = &limitReader{r: t.open(), limit: t.opts.recordLimit()}
	br := bufio.NewReaderSize(c.lim, t.bufSize())
	peek, _ := br.Peek(t.bufSize())
	crOnly := bytes.IndexByte(peek, '\n') < 0 && bytes.IndexByte(bytes.TrimRight(peek, "\r"), '\r') >= 0
	if crOnly {
		br = bufio.NewReaderSize(crToLF{br}, t.bufSize())
	}
	c.delim = sniffRawDelimiter(peek, crOnly)
	c.br = br
	return c
}

// readLine returns the next line without its line ending; eof is true when
// there is none.
func (c *rawCSV) readLine() (line []byte, eof bool, err error) {
	c.scratch = c.scratch[:0]
	for {
		b, err := c.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			c.scratch = append(c.scratch, b...)
			continue
		}
		if len(c.scratch) > 0 {
			c.scratch = append(c.scratch, b...)
			b = c.scratch
		}
		if err == io.EOF {
			if len(b) == 0 {
				return nil, true, nil
			}
			err = nil
		}
		if err != nil {
			return nil, false, err
		}
		c.line++
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		return b, false, nil
	}
}

func (c *rawCSV) next() (Record, error) {
	for {
		rec, err := c.record()
		if err != nil {
			return Record{}, c.fail(err)
		}
		c.lim.reset()
		if blank(rec.Fields) {
			continue
		}
		for i, f := range rec.Fields {
			if len(f) > c.t.opts.MaxFieldBytes {
				rec.Problem = fmt.Sprintf("field %d is longer than %d bytes", i+1, c.t.opts.MaxFieldBytes)
				break
			}
			if invalidText(f, c.t.enc, false) {
				rec.Problem = fmt.Sprintf("field %d contains bytes that are not valid %s", i+1, c.t.enc)
				break
			}
		}
		return rec, nil
	}
}

// errQuoteInQuoted and errUnterminated carry the line of the problem.
type quoteError struct {
	line, col  int
	unclosed   bool
	startLine  int
	fieldIndex int
}

func (e *quoteError) Error() string { return "quote" }

func (c *rawCSV) record() (Record, error) {
	line, eof, err := c.readLine()
	if err != nil {
		return Record{}, err
	}
	if eof {
		return Record{}, io.EOF
	}
	start := c.line
	c.rec, c.ends = c.rec[:0], c.ends[:0]
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			quoteLine := c.line
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					c.rec = append(c.rec, line[pos:]...)
					c.rec = append(c.rec, '\n')
					line, eof, err = c.readLine()
					if err != nil {
						return Record{}, err
					}
					if eof {
						return Record{}, &quoteError{unclosed: true, startLine: quoteLine, fieldIndex: len(c.ends)}
					}
					pos = 0
					continue
				}
				c.rec = append(c.rec, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					c.rec = append(c.rec, '"')
					pos++
					continue
				}
				j := pos
				for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
					j++
				}
				if j == len(line) || line[j] == c.delim {
					pos = j
					break
				}
				return Record{}, &quoteError{line: c.line, col: pos, startLine: start, fieldIndex: len(c.ends)}
			}
			c.ends = append(c.ends, len(c.rec))
			if pos >= len(line) {
				break
			}
			pos++ // the delimiter
			continue
		}
		i := bytes.IndexByte(line[pos:], c.delim)
		if i < 0 {
			c.rec = append(c.rec, line[pos:]...)
			c.ends = append(c.ends, len(c.rec))
			break
		}
		c.rec = append(c.rec, line[pos:pos+i]...)
		c.ends = append(c.ends, len(c.rec))
		pos += i + 1
	}
	s := string(c.rec)
	fields := make([]string, len(c.ends))
	prev := 0
	for i, e := range c.ends {
		fields[i] = s[prev:e]
		prev = e
	}
	return Record{Row: start, Fields: fields}, nil
}

func (c *rawCSV) close() error { return nil }

// fail turns a reading error into a FileError naming the line and the problem.
func (c *rawCSV) fail(err error) error {
	var qe *quoteError
	switch {
	case err == io.EOF:
		return err
	case errors.As(err, &qe) && qe.unclosed:
		return &FileError{Row: qe.startLine, Message: fmt.Sprintf("unterminated quote: the quoted field %d that starts on line %d is never closed", qe.fieldIndex+1, qe.startLine)}
	case errors.As(err, &qe):
		return &FileError{Row: qe.startLine, Message: fmt.Sprintf(`field %d: a quote (") inside a quoted field on line %d, byte %d, is followed by text; double it ("") or close the field before the delimiter`, qe.fieldIndex+1, qe.line, qe.col)}
	case errors.Is(err, errRecordTooLong):
		return &FileError{Row: c.line, Message: fmt.Sprintf("the row around line %d is longer than %s; a quoted field is probably never closed", c.line, sizeText(c.t.opts.recordLimit()))}
	}
	return err
}

// sniffRawDelimiter picks ',', ';' or tab by vote of the first lines: each
// line with any of them votes for the one it holds most often outside
// quotes (',' on a tie), so that a title line above the header decides
// nothing.
func sniffRawDelimiter(b []byte, crOnly bool) byte {
	var votes [3]int
	var n [3]int
	inQuote, lines := false, 0
	vote := func() {
		if n[0]+n[1]+n[2] > 0 {
			best := 0
			for i := 1; i < 3; i++ {
				if n[i] > n[best] {
					best = i
				}
			}
			votes[best]++
		}
		n = [3]int{}
		lines++
	}
	for _, ch := range b {
		if crOnly && ch == '\r' {
			ch = '\n'
		}
		switch {
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case ch == '\n':
			if vote(); lines == 60 {
				goto done
			}
		case ch == ',':
			n[0]++
		case ch == ';':
			n[1]++
		case ch == '\t':
			n[2]++
		}
	}
	vote()
done:
	best := 0
	for i := 1; i < 3; i++ {
		if votes[i] > votes[best] {
			best = i
		}
	}
	return ",;\t"[best]
}
