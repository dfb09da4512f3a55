package source

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// csvRows reads a delimited text file with encoding/csv.
type csvRows struct {
	t       *text
	cr      *csv.Reader
	lim     *limitReader
	delim   byte
	crOnly  bool // the file ends its lines with a lone CR (old Mac exports)
	header  []string
	lastOff int64 // decoded offset just after the last record read
}

func openCSV(t *text) (*csvRows, []string, error) {
	c := &csvRows{t: t}
	c.lim = &limitReader{r: t.open(), limit: t.opts.recordLimit()}
	br := bufio.NewReaderSize(c.lim, t.bufSize())
	peek, _ := br.Peek(t.bufSize())
	if bytes.IndexByte(peek, '\n') < 0 && bytes.IndexByte(bytes.TrimRight(peek, "\r"), '\r') >= 0 {
		c.crOnly = true
		br = bufio.NewReaderSize(crToLF{br}, t.bufSize())
	}
	c.delim = sniffDelimiter(peek, c.crOnly)
	c.cr = csv.NewReader(br)
	c.cr.Comma = rune(c.delim)
	c.cr.LazyQuotes = false
	c.cr.FieldsPerRecord = -1
	c.cr.ReuseRecord = true

	for {
		rec, err := c.cr.Read()
		if err == io.EOF {
			return nil, nil, fileErrorf("the file is empty")
		}
		if err != nil {
			return nil, nil, c.fail(err)
		}
		c.lim.reset()
		c.lastOff = c.cr.InputOffset()
		if blank(rec) {
			continue
		}
		line, _ := c.cr.FieldPos(0)
		hdr := make([]string, len(rec))
		for i, f := range rec {
			if len(f) > t.opts.MaxFieldBytes {
				return nil, nil, &FileError{Row: line, Message: fmt.Sprintf("header column %d is longer than %d bytes", i+1, t.opts.MaxFieldBytes)}
			}
			if invalidText(f, t.enc, false) {
				return nil, nil, &FileError{Row: line, Message: fmt.Sprintf("header column %d contains bytes that are not valid %s", i+1, t.enc)}
			}
			hdr[i] = trimCell(f)
		}
		if ferr := checkHeader(hdr); ferr != nil {
			ferr.Row = line
			return nil, nil, ferr
		}
		c.header = hdr
		return c, hdr, nil
	}
}

func (c *csvRows) next() (Record, error) {
	for {
		rec, err := c.cr.Read()
		if err == io.EOF {
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, c.fail(err)
		}
		c.lim.reset()
		c.lastOff = c.cr.InputOffset()
		if blank(rec) {
			continue
		}
		line, _ := c.cr.FieldPos(0)
		// csv.Reader makes one new string per record and slices the fields
		// out of it; only the slice of fields is reused, so copying the
		// slice is enough (the ingester keeps values only until they are
		// appended, so holding the row's string that long costs nothing).
		fields := make([]string, len(rec))
		copy(fields, rec)
		if len(fields) == len(c.header)+1 && trimCell(fields[len(fields)-1]) == "" {
			fields = fields[:len(c.header)] // a trailing delimiter (bank exports end every row with one)
		}
		out := Record{Row: line, Fields: fields}
		if len(fields) != len(c.header) {
			out.Problem = fmt.Sprintf("row has %d %s, the header has %d", len(fields), plural(len(fields), "field", "fields"), len(c.header))
			return out, nil
		}
		for i, f := range fields {
			if c.header[i] == "" {
				continue // a column without a name is ignored by the caller
			}
			if len(f) > c.t.opts.MaxFieldBytes {
				out.Problem, out.ProblemColumn = fmt.Sprintf("field is longer than %d bytes", c.t.opts.MaxFieldBytes), c.header[i]
				break
			}
			if invalidText(f, c.t.enc, false) {
				out.Problem, out.ProblemColumn = fmt.Sprintf("contains bytes that are not valid %s", c.t.enc), c.header[i]
				break
			}
		}
		return out, nil
	}
}

func (c *csvRows) close() error { return nil }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (c *csvRows) colName(i int) string {
	if i >= 0 && i < len(c.header) {
		return c.header[i]
	}
	return ""
}

// fail turns a csv.Reader error into a FileError naming the line and column.
func (c *csvRows) fail(err error) error {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		loc := c.locate(pe.StartLine, -1, pe.Line, pe.Column)
		fe := &FileError{Row: pe.StartLine, Column: c.colName(loc.field)}
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			fe.Message = fmt.Sprintf(`a quote (") inside an unquoted field on line %d; put the whole field in quotes and double the quote ("")`, pe.Line)
		case errors.Is(pe.Err, csv.ErrQuote):
			// Either a quote is never closed, or a closing quote is followed
			// by text: follow the record to its end to tell which.
			if all := c.locate(pe.StartLine, -1, 0, 0); all.eof && all.inQuote {
				fe.Column = c.colName(all.field)
				fe.Message = fmt.Sprintf("unterminated quote: the quoted field that starts on line %d is never closed", all.quoteLine)
				break
			}
			fe.Message = fmt.Sprintf(`a quote (") inside a quoted field on line %d, column %d must be doubled ("")`, pe.Line, pe.Column)
		default:
			fe.Message = pe.Error()
		}
		return fe
	case errors.Is(err, errRecordTooLong):
		loc := c.locate(0, c.lastOff, 0, 0)
		fe := &FileError{Row: loc.startLine, Message: fmt.Sprintf("the row starting on line %d is longer than %s", loc.startLine, sizeText(c.t.opts.recordLimit()))}
		if loc.inQuote {
			fe.Column = c.colName(loc.field)
			fe.Message += fmt.Sprintf("; the quoted field that starts on line %d is probably never closed", loc.quoteLine)
		}
		return fe
	}
	return err
}

// location is where a rescan of a broken record stopped.
type location struct {
	startLine int  // the line the record starts on
	field     int  // 0-based index of the field reached
	inQuote   bool // a quoted field is open there
	quoteLine int  // the line where that quoted field starts
	eof       bool // the scan reached the end of the file
}

// locate re-reads the decoded text to find the field of a record that
// encoding/csv rejected: the record starting on startLine (or, when
// startLine is 0, the first one after decoded offset off), followed up to
// line stopLine, byte column stopCol (1-based), or for at most one record
// limit when stopLine is 0. It runs only on the error path.
func (c *csvRows) locate(startLine int, off int64, stopLine, stopCol int) location {
	var src io.Reader = c.t.open()
	if c.crOnly {
		src = crToLF{src}
	}
	br := bufio.NewReaderSize(src, c.t.bufSize())
	line, col := 1, 0
	var pos int64
	read := func() (byte, bool) {
		b, err := br.ReadByte()
		if err != nil {
			return 0, false
		}
		pos++
		col++
		return b, true
	}
	newline := func() { line++; col = 0 }
	// Skip to the start of the record.
	for {
		if startLine > 0 && line >= startLine || startLine == 0 && pos >= off {
			break
		}
		b, ok := read()
		if !ok {
			return location{startLine: line, eof: true, field: -1}
		}
		if b == '\n' {
			newline()
		}
	}
	if startLine == 0 { // skip the empty lines encoding/csv skips
		for {
			b, err := br.Peek(1)
			if err != nil || b[0] != '\n' && b[0] != '\r' {
				break
			}
			if nb, _ := read(); nb == '\n' {
				newline()
			}
		}
	}
	loc := location{startLine: line}
	fieldStart := true
	budget := c.t.opts.recordLimit() + 128<<10
	for start := pos; ; {
		if stopLine > 0 && (line > stopLine || line == stopLine && col+1 >= stopCol) {
			return loc
		}
		if stopLine <= 0 && pos-start > budget {
			return loc
		}
		b, ok := read()
		if !ok {
			loc.eof = true
			return loc
		}
		if loc.inQuote {
			if b == '"' {
				if nb, err := br.Peek(1); err == nil && nb[0] == '"' {
					read()
				} else {
					loc.inQuote = false
				}
			}
		} else {
			switch {
			case b == '\n':
				if stopLine <= 0 {
					return loc // the record ended without an open quote
				}
			case b == c.delim:
				loc.field++
				fieldStart = true
				continue
			case b == '"' && fieldStart:
				loc.inQuote, loc.quoteLine = true, line
			}
			fieldStart = false
		}
		if b == '\n' {
			newline()
		}
	}
}

// sniffDelimiter picks ',', ';' or tab: the one found most often outside
// quotes on the first non-blank line; ties go to ','.
func sniffDelimiter(b []byte, crOnly bool) byte {
	var n [3]int
	inQuote, seen := false, false
	for _, ch := range b {
		if crOnly && ch == '\r' {
			ch = '\n'
		}
		if ch == '"' {
			inQuote = !inQuote
			seen = true
			continue
		}
		if inQuote {
			continue
		}
		switch ch {
		case '\n':
			if seen {
				goto done
			}
		case ',':
			n[0]++
		case ';':
			n[1]++
		case '\t':
			n[2]++
		}
		if ch != ' ' && ch != '\r' && ch != '\n' {
			seen = true
		}
	}
done:
	best := 0
	for i := 1; i < 3; i++ {
		if n[i] > n[best] {
			best = i
		}
	}
	return ",;\t"[best]
}

// crToLF turns every CR into LF, for files that end lines with a lone CR.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
