package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// jsonRows reads a JSON array of objects or NDJSON in two passes over the
// file: the first collects the keys (the header is their union, in the
// order first seen) and checks the syntax, the second yields the records.
//
// Each array element or NDJSON line is validated by encoding/json (the
// array with a streaming Decoder, one element in memory at a time) and then
// walked by a small scanner that keeps numbers as their literal text.
type jsonRows struct {
	t      *text
	format Format
	header []string
	index  map[string]int // trimmed key -> column

	// JSON array
	dec  *json.Decoder
	lim  *limitReader
	raw  json.RawMessage
	elem int
	// NDJSON
	lines *lineReader

	done bool
}

// element handles one array element or NDJSON line (valid JSON) at row.
type element func(row int, raw []byte) error

func openJSON(t *text, format Format) (*jsonRows, []string, error) {
	j := &jsonRows{t: t, format: format, index: map[string]int{}}
	var keyBytes int64
	collect := func(row int, raw []byte) error {
		if len(raw) == 0 || raw[0] != '{' {
			return nil
		}
		return walkObject(raw, func(key, _ []byte, _ byte) error {
			k := trimCell(jsonString(key))
			if _, ok := j.index[k]; ok {
				return nil
			}
			if invalidBytes(key, t.enc) {
				return &FileError{Row: row, Message: fmt.Sprintf("key %q contains bytes that are not valid %s", k, t.enc)}
			}
			if len(k) > t.opts.MaxFieldBytes {
				return &FileError{Row: row, Message: fmt.Sprintf("a key is longer than %d bytes", t.opts.MaxFieldBytes)}
			}
			if len(j.header) == maxColumns {
				return &FileError{Row: row, Message: fmt.Sprintf("the file has more than %d different keys", maxColumns)}
			}
			if keyBytes += int64(len(k)); keyBytes > t.opts.recordLimit() {
				return &FileError{Row: row, Message: fmt.Sprintf("the keys of the file add up to more than %s", sizeText(t.opts.recordLimit()))}
			}
			j.index[k] = len(j.header)
			j.header = append(j.header, k)
			return nil
		})
	}
	var err error
	if format == NDJSON {
		err = j.scanNDJSON(collect)
	} else {
		err = j.scanArray(collect)
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
		if _, err := j.dec.Token(); err != nil { // the '[' checked by the first pass
			return nil, nil, j.arrayError(err, 0, j.dec)
		}
	}
	return j, j.header, nil
}

func (j *jsonRows) close() error { return nil }

// scanArray reads a whole JSON array, calling fn for each element.
func (j *jsonRows) scanArray(fn element) error {
	lim := &limitReader{r: j.t.open(), limit: j.t.opts.recordLimit()}
	dec := json.NewDecoder(lim)
	dec.UseNumber() // a number where the array should be (1E700) is a token, not a float overflow
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return fileErrorf("the file is empty")
		}
		return j.arrayError(err, 0, dec)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fileErrorf("the file is JSON but not an array of objects")
	}
	var raw json.RawMessage
	for elem := 1; ; elem++ {
		lim.reset()
		if !dec.More() {
			break
		}
		if err := dec.Decode(&raw); err != nil {
			return j.arrayError(err, elem, dec)
		}
		if err := fn(elem, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return j.arrayError(err, 0, dec)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return fileErrorf("the file has more data after the end of the JSON array")
		}
		return j.arrayError(err, 0, dec)
	}
	return nil
}

// arrayError describes an error of the JSON array reader at element elem
// (0: not in an element).
func (j *jsonRows) arrayError(err error, elem int, dec *json.Decoder) error {
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
	}
	return err
}

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

// scanNDJSON reads every line, calling fn for each.
func (j *jsonRows) scanNDJSON(fn element) error {
	lr := newLineReader(j.t.open(), j.t.bufSize(), j.t.opts.recordLimit())
	for values := 0; ; values++ {
		err := j.ndjsonLine(lr, fn)
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

// ndjsonLine reads the next non-blank line, checks that it holds one JSON
// value and calls fn with it.
func (j *jsonRows) ndjsonLine(lr *lineReader, fn element) error {
	for {
		line, n, err := lr.next()
		if err != nil {
			if errors.Is(err, errRecordTooLong) {
				return &FileError{Row: n, Message: fmt.Sprintf("line %d is longer than %s", n, sizeText(j.t.opts.recordLimit()))}
			}
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			return &FileError{Row: n, Message: ndjsonProblem(line, n)}
		}
		return fn(n, line)
	}
}

// ndjsonProblem says why a line is not one JSON value (error path only).
func ndjsonProblem(line []byte, n int) string {
	dec := json.NewDecoder(bytes.NewReader(line))
	var raw json.RawMessage
	err := dec.Decode(&raw)
	if err == nil {
		if err = dec.Decode(&raw); err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Sprintf("line %d holds more than one JSON value; NDJSON needs one object per line", n)
		}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("line %d is not valid JSON: %v", n, se)
	}
	return fmt.Sprintf("line %d is not a complete JSON value; NDJSON needs one object per line", n)
}

func (j *jsonRows) next() (Record, error) {
	if j.done {
		return Record{}, io.EOF
	}
	var rec Record
	fn := func(row int, raw []byte) error {
		var err error
		rec, err = j.record(row, raw)
		return err
	}
	if j.format == NDJSON {
		if err := j.ndjsonLine(j.lines, fn); err != nil {
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
	if err := j.dec.Decode(&j.raw); err != nil {
		return Record{}, j.arrayError(err, j.elem, j.dec)
	}
	if err := fn(j.elem, j.raw); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// record turns one element (valid JSON) into a Record.
func (j *jsonRows) record(row int, raw []byte) (Record, error) {
	rec := Record{Row: row, Fields: make([]string, len(j.header))}
	if kind := kindOf(raw); kind != 'o' {
		what := "element"
		if j.format == NDJSON {
			what = "line"
		}
		rec.Problem = fmt.Sprintf("%s is not an object (it is %s)", what, kindName(kind))
		return rec, nil
	}
	seen := make([]bool, len(j.header))
	problem := func(col, format string, args ...any) {
		if rec.Problem == "" {
			rec.Problem, rec.ProblemColumn = fmt.Sprintf(format, args...), col
		}
	}
	err := walkObject(raw, func(key, val []byte, kind byte) error {
		k := trimCell(jsonString(key))
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
		var s string
		switch kind {
		case 'o', 'a':
			problem(k, "value is a nested %s", map[byte]string{'o': "object", 'a': "array"}[kind])
			return nil
		case 'z':
			return nil
		case 's':
			if invalidBytes(val, j.t.enc) {
				problem(k, "contains bytes that are not valid %s", j.t.enc)
			}
			s = jsonString(val)
		default: // numbers and booleans as written
			s = string(val)
		}
		if len(s) > j.t.opts.MaxFieldBytes {
			problem(k, "field is longer than %d bytes", j.t.opts.MaxFieldBytes)
			return nil
		}
		rec.Fields[i] = s
		return nil
	})
	return rec, err
}

// invalidBytes reports whether text decoded from a file in enc holds bytes
// that were not valid there (see invalidText).
func invalidBytes(b []byte, enc Encoding) bool {
	if enc == UTF8 {
		return !utf8.Valid(b)
	}
	return bytes.ContainsRune(b, utf8.RuneError)
}

// --- a scanner for JSON that encoding/json has already validated ---

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns the end of the value starting at b[i].
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errNotJSON
	}
	switch b[i] {
	case '"':
		for i++; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			}
		}
		return 0, errNotJSON
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			case '"':
				end, err := valueEnd(b, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			}
		}
		return 0, errNotJSON
	}
	for ; i < len(b); i++ { // number, true, false, null
		if c := b[i]; c == ',' || c == '}' || c == ']' || isSpace(c) {
			break
		}
	}
	return i, nil
}

// errNotJSON means the scanner met text that is not valid JSON, which
// encoding/json has ruled out already.
var errNotJSON = errors.New("not valid JSON")

// walkObject calls fn with the raw key (quoted), the raw value and the
// value's kind of each member of the object b.
func walkObject(b []byte, fn func(key, val []byte, kind byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotJSON
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		end, err := valueEnd(b, i)
		if err != nil || b[i] != '"' {
			return errNotJSON
		}
		key := b[i:end]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errNotJSON
		}
		i = skipSpace(b, i+1)
		end, err = valueEnd(b, i)
		if err != nil {
			return err
		}
		val := b[i:end]
		if err := fn(key, val, kindOf(val)); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i < len(b) && b[i] == '}' {
			return nil
		}
		if i >= len(b) || b[i] != ',' {
			return errNotJSON
		}
		i = skipSpace(b, i+1)
	}
	return errNotJSON
}

// jsonString returns the text of a quoted JSON string.
func jsonString(q []byte) string {
	if len(q) < 2 {
		return ""
	}
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1])
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return string(q[1 : len(q)-1])
	}
	return s
}

// kindOf tells the kind of a JSON value from its first byte: 'o' object,
// 'a' array, 's' string, 'b' boolean, 'z' null, 'n' number.
func kindOf(v []byte) byte {
	if len(v) == 0 {
		return 'z'
	}
	switch v[0] {
	case '{':
		return 'o'
	case '[':
		return 'a'
	case '"':
		return 's'
	case 't', 'f':
		return 'b'
	case 'n':
		return 'z'
	}
	return 'n'
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
