package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonRows reads a JSON array of objects or NDJSON in two passes over the
// file: the first collects the keys (the header is their union, in the
// order first seen) and checks the syntax, the second yields the records.
type jsonRows struct {
	t      *text
	format Format
	header []string
	index  map[string]int // trimmed key -> column

	// JSON array
	dec  *json.Decoder
	lim  *limitReader
	elem int
	// NDJSON
	lines *lineReader

	done bool
}

func openJSON(t *text, format Format) (*jsonRows, []string, error) {
	j := &jsonRows{t: t, format: format, index: map[string]int{}}
	collect := func(row int, key string) error {
		k := trimCell(key)
		if _, ok := j.index[k]; ok {
			return nil
		}
		if invalidText(k, t.enc, true) {
			return &FileError{Row: row, Message: fmt.Sprintf("key %q contains bytes that are not valid %s", k, t.enc)}
		}
		if len(j.header) == maxColumns {
			return &FileError{Row: row, Message: fmt.Sprintf("the file has more than %d different keys", maxColumns)}
		}
		j.index[k] = len(j.header)
		j.header = append(j.header, k)
		return nil
	}
	onObject := func(row int, dec *json.Decoder) error {
		return walkObject(dec, func(key string, _ byte, _ string) error { return collect(row, key) })
	}
	var err error
	if format == NDJSON {
		err = j.scanNDJSON(onObject, nil)
	} else {
		err = j.scanArray(onObject)
	}
	if err != nil {
		return nil, nil, err
	}
	if ferr := checkHeader(j.header); ferr != nil {
		return nil, nil, ferr
	}
	// Second pass, driven by next.
	if format == NDJSON {
		j.lines = newLineReader(t.open(), t.bufSize(), t.opts.recordLimit())
	} else {
		j.lim = &limitReader{r: t.open(), limit: t.opts.recordLimit()}
		j.dec = json.NewDecoder(j.lim)
		j.dec.UseNumber()
		if _, err := j.dec.Token(); err != nil { // the '[' checked by the first pass
			return nil, nil, j.arrayError(err, 0)
		}
	}
	return j, j.header, nil
}

func (j *jsonRows) close() error { return nil }

// scanArray reads a whole JSON array, calling onObject after the '{' of each
// object element (it must read up to and including the '}'); other
// elements are skipped.
func (j *jsonRows) scanArray(onObject func(int, *json.Decoder) error) error {
	lim := &limitReader{r: j.t.open(), limit: j.t.opts.recordLimit()}
	dec := json.NewDecoder(lim)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return fileErrorf("the file is empty")
		}
		return j.arrayErrorAt(err, 0, dec)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fileErrorf("the file is JSON but not an array of objects")
	}
	elem := 0
	for {
		lim.reset()
		if !dec.More() {
			break
		}
		elem++
		tok, err := dec.Token()
		if err != nil {
			return j.arrayErrorAt(err, elem, dec)
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			err = onObject(elem, dec)
		case '[':
			err = skipNested(dec)
		}
		if err != nil {
			return j.arrayErrorAt(err, elem, dec)
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return j.arrayErrorAt(err, 0, dec)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return fileErrorf("the file has more data after the end of the JSON array")
		}
		return j.arrayErrorAt(err, 0, dec)
	}
	return nil
}

// arrayError describes an error of the JSON array reader at element elem.
func (j *jsonRows) arrayErrorAt(err error, elem int, dec *json.Decoder) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	where := ""
	if elem > 0 {
		where = fmt.Sprintf(" in element %d", elem)
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &FileError{Row: elem, Message: fmt.Sprintf("the file is not valid JSON%s (line %d): %v", where, j.lineAt(se.Offset), se)}
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return &FileError{Row: elem, Message: fmt.Sprintf("the file ends%s: the JSON is truncated", where)}
	case errors.Is(err, errRecordTooLong):
		return &FileError{Row: elem, Message: fmt.Sprintf("element %d is longer than %s", elem, sizeText(j.t.opts.recordLimit()))}
	case errors.Is(err, errNotJSON):
		return &FileError{Row: elem, Message: fmt.Sprintf("the file is not valid JSON%s (line %d)", where, j.lineAt(dec.InputOffset()))}
	}
	return err
}

func (j *jsonRows) arrayError(err error, elem int) error { return j.arrayErrorAt(err, elem, j.dec) }

// lineAt returns the line holding decoded offset off (error path only).
func (j *jsonRows) lineAt(off int64) int {
	br := bufio.NewReaderSize(j.t.open(), j.t.bufSize())
	line := 1
	for n := int64(0); n < off; n++ {
		b, err := br.ReadByte()
		if err != nil {
			break
		}
		if b == '\n' {
			line++
		}
	}
	return line
}

// scanNDJSON reads every line; onObject is called after the '{' of an
// object line, other for a line holding another JSON value.
func (j *jsonRows) scanNDJSON(onObject func(int, *json.Decoder) error, other func(int, byte) error) error {
	lr := newLineReader(j.t.open(), j.t.bufSize(), j.t.opts.recordLimit())
	for values := 0; ; values++ {
		_, err := j.ndjsonLine(lr, onObject, other)
		if err == io.EOF {
			if values == 0 {
				return fileErrorf("the file is empty")
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ndjsonLine reads the next non-blank line and parses its value.
func (j *jsonRows) ndjsonLine(lr *lineReader, onObject func(int, *json.Decoder) error, other func(int, byte) error) (int, error) {
	for {
		line, n, err := lr.next()
		if err != nil {
			if errors.Is(err, errRecordTooLong) {
				return n, &FileError{Row: n, Message: fmt.Sprintf("line %d is longer than %s", n, sizeText(j.t.opts.recordLimit()))}
			}
			return n, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		fail := func(err error) error {
			var fe *FileError
			var se *json.SyntaxError
			switch {
			case errors.As(err, &fe):
				return fe
			case errors.As(err, &se):
				return &FileError{Row: n, Message: fmt.Sprintf("line %d is not valid JSON: %v", n, se)}
			case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
				return &FileError{Row: n, Message: fmt.Sprintf("line %d is not a complete JSON value; NDJSON needs one object per line", n)}
			}
			return &FileError{Row: n, Message: fmt.Sprintf("line %d is not valid JSON: %v", n, err)}
		}
		tok, err := dec.Token()
		if err != nil {
			return n, fail(err)
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			err = onObject(n, dec)
		case '[':
			err = skipNested(dec)
			if err == nil && other != nil {
				err = other(n, 'a')
			}
		default:
			if other != nil {
				err = other(n, kindOf(tok))
			}
		}
		if err != nil {
			return n, fail(err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return n, &FileError{Row: n, Message: fmt.Sprintf("line %d holds more than one JSON value; NDJSON needs one object per line", n)}
		}
		return n, nil
	}
}

func (j *jsonRows) next() (Record, error) {
	if j.done {
		return Record{}, io.EOF
	}
	var rec Record
	onObject := func(row int, dec *json.Decoder) error {
		var err error
		rec, err = j.object(row, dec)
		return err
	}
	other := func(row int, kind byte) error {
		what := "element"
		if j.format == NDJSON {
			what = "line"
		}
		rec = Record{Row: row, Fields: make([]string, len(j.header)), Problem: fmt.Sprintf("%s is not an object (it is %s)", what, kindName(kind))}
		return nil
	}
	if j.format == NDJSON {
		_, err := j.ndjsonLine(j.lines, onObject, other)
		if err != nil {
			return Record{}, err
		}
		return rec, nil
	}
	j.lim.reset()
	if !j.dec.More() {
		j.done = true
		return Record{}, io.EOF
	}
	j.elem++
	tok, err := j.dec.Token()
	if err != nil {
		return Record{}, j.arrayError(err, j.elem)
	}
	switch d, _ := tok.(json.Delim); d {
	case '{':
		err = onObject(j.elem, j.dec)
	case '[':
		if err = skipNested(j.dec); err == nil {
			err = other(j.elem, 'a')
		}
	default:
		err = other(j.elem, kindOf(tok))
	}
	if err != nil {
		return Record{}, j.arrayError(err, j.elem)
	}
	return rec, nil
}

// object reads the members of an object whose '{' was just read.
func (j *jsonRows) object(row int, dec *json.Decoder) (Record, error) {
	rec := Record{Row: row, Fields: make([]string, len(j.header))}
	seen := make([]bool, len(j.header))
	problem := func(col, format string, args ...any) {
		if rec.Problem == "" {
			rec.Problem, rec.ProblemColumn = fmt.Sprintf(format, args...), col
		}
	}
	err := walkObject(dec, func(key string, kind byte, val string) error {
		k := trimCell(key)
		i, ok := j.index[k]
		if !ok { // only if the file changed between the passes
			return &FileError{Row: row, Column: k, Message: "the file changed while it was being read"}
		}
		if k == "" {
			return nil // a column without a name is ignored by the caller
		}
		if seen[i] {
			problem(k, "key %q appears twice in the object", k)
			return nil
		}
		seen[i] = true
		switch kind {
		case 'o', 'a':
			problem(k, "value is a nested %s", map[byte]string{'o': "object", 'a': "array"}[kind])
			return nil
		case 's':
			if len(val) > j.t.opts.MaxFieldBytes {
				problem(k, "field is longer than %d bytes", j.t.opts.MaxFieldBytes)
				return nil
			}
			if invalidText(val, j.t.enc, true) {
				problem(k, "contains bytes that are not valid %s", j.t.enc)
			}
		case 'n':
			if len(val) > j.t.opts.MaxFieldBytes {
				problem(k, "field is longer than %d bytes", j.t.opts.MaxFieldBytes)
				return nil
			}
		}
		rec.Fields[i] = val
		return nil
	})
	return rec, err
}

// errNotJSON is a JSON structure error that encoding/json does not report
// as a SyntaxError.
var errNotJSON = errors.New("not valid JSON")

// walkObject reads the members of an object whose '{' was just read, up
// to and including its '}', calling fn for each with the value's kind
// ('s' string, 'n' number, 'b' bool, 'z' null, 'o' object, 'a' array) and
// its text (empty for null and nested values).
func walkObject(dec *json.Decoder, fn func(key string, kind byte, val string) error) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errNotJSON
		}
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		kind, val := kindOf(tok), ""
		switch v := tok.(type) {
		case json.Delim:
			if err := skipNested(dec); err != nil {
				return err
			}
		case string:
			val = v
		case json.Number:
			val = string(v)
		case bool:
			if v {
				val = "true"
			} else {
				val = "false"
			}
		}
		if err := fn(key, kind, val); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// skipNested skips the rest of an object or array whose opening delimiter
// was just read.
func skipNested(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

func kindOf(tok json.Token) byte {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return 'o'
		}
		return 'a'
	case string:
		return 's'
	case json.Number:
		return 'n'
	case bool:
		return 'b'
	}
	return 'z'
}

func kindName(kind byte) string {
	switch kind {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

// lineReader reads lines of at most limit bytes, numbering them from 1.
type lineReader struct {
	br    *bufio.Reader
	line  int
	buf   []byte
	limit int64
}

func newLineReader(r io.Reader, size int, limit int64) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, size), limit: limit}
}

// next returns the next line without its line break, valid until the next
// call, and its number.
func (l *lineReader) next() ([]byte, int, error) {
	chunk, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.buf = append(l.buf[:0], chunk...)
		for err == bufio.ErrBufferFull {
			if int64(len(l.buf)) > l.limit {
				return nil, l.line + 1, errRecordTooLong
			}
			chunk, err = l.br.ReadSlice('\n')
			l.buf = append(l.buf, chunk...)
		}
		chunk = l.buf
	}
	if err != nil && err != io.EOF {
		return nil, l.line + 1, err
	}
	if len(chunk) == 0 && err == io.EOF {
		return nil, l.line, io.EOF
	}
	l.line++
	return bytes.TrimSuffix(chunk, []byte("\n")), l.line, nil
}
