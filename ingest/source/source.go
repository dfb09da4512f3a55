// Package source reads an uploaded export file (CSV, JSON array, NDJSON, XLSX or XLS; UTF-8, GB18030/GBK or Big5) and yields its header and rows as text, numbered as the user sees them.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path"
	"strings"
	"unicode"
)

// Format is the layout of an export file.
type Format string

// CSV is comma, semicolon or tab separated text with a header line.
const CSV Format = "csv"

// JSON is a JSON array of objects.
const JSON Format = "json"

// NDJSON is one JSON object per line.
const NDJSON Format = "ndjson"

// XLSX is an Office Open XML workbook.
const XLSX Format = "xlsx"

// XLS is a legacy Excel 97-2003 workbook (BIFF8).
const XLS Format = "xls"

// Spreadsheet reports whether the format is a workbook, whose cells come as
// raw values: numbers as Excel stores them (12.300000000000001), dates and
// times as serial numbers (45123.5).
func (f Format) Spreadsheet() bool { return f == XLSX || f == XLS }

// Encoding is the character encoding of a text export.
type Encoding string

// UTF8 is UTF-8, with or without a BOM.
const UTF8 Encoding = "utf-8"

// GBK is GBK, decoded as GB18030 (a superset).
const GBK Encoding = "gbk"

// Big5 is Big5, with the HKSCS extensions of golang.org/x/text.
const Big5 Encoding = "big5"

// Auto asks for detection, as "" does.
const Auto Encoding = "auto"

// DefaultMaxFieldBytes is the longest cell accepted when Options.MaxFieldBytes is 0.
const DefaultMaxFieldBytes = 64 << 10

// DefaultMaxXLSXUnzipped is the workbook size limit when Options.MaxXLSXUnzipped is 0.
const DefaultMaxXLSXUnzipped = 1 << 30

// DefaultMaxSheets is the worksheet limit when Options.MaxSheets is 0.
const DefaultMaxSheets = 64

// maxColumns bounds the header width of every format (Excel's own limit).
const maxColumns = 16384

// minRecordBytes is the smallest per-record (CSV row, NDJSON line, JSON
// array element) size limit; see Options.recordLimit.
const minRecordBytes = 16 << 20

// sampleSize is how much of a text file is examined to detect its encoding.
const sampleSize = 64 << 10

// Options tell Open how to read a file; every field is optional.
type Options struct {
	Name            string            // the file name as the user gave it; only its extension is used (to pick the format), never as a path
	ContentType     string            // optional HTTP content type; a charset parameter is honoured
	Format          Format            // forced format, "" = detect
	Encoding        Encoding          // forced encoding, "" or "auto" = detect (text formats only)
	Sheet           string            // XLSX sheet name, "" = the first sheet
	KnownHeader     func(string) bool // reports whether a decoded header cell is a header name the caller knows; may be nil
	MaxFieldBytes   int               // longest cell accepted, default 64 KiB; a longer cell is a row Problem
	MaxXLSXUnzipped int64             // total uncompressed size of a workbook, default 1 GiB (zip-bomb guard)
	MaxSheets       int               // most worksheets in a workbook, default 64
	Raw             bool              // take no header: every row, the header line included, is a Record (CSV, XLSX, XLS)
}

func (o *Options) setDefaults() {
	if o.MaxFieldBytes <= 0 {
		o.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if o.MaxXLSXUnzipped <= 0 {
		o.MaxXLSXUnzipped = DefaultMaxXLSXUnzipped
	}
	if o.MaxSheets <= 0 {
		o.MaxSheets = DefaultMaxSheets
	}
}

// recordLimit is the most bytes one CSV record, NDJSON line or JSON array
// element may take; past it reading stops with a FileError, which keeps
// memory bounded on a missing closing quote or a hostile file.
func (o *Options) recordLimit() int64 {
	return max(int64(minRecordBytes), 16*int64(o.MaxFieldBytes))
}

// Record is one data row of the file.
type Record struct {
	Row           int      // the row number as the user sees it: the starting line (CSV, NDJSON), the sheet row (XLSX), the 1-based element (JSON array)
	Fields        []string // one per Header column when Problem is empty
	Problem       string   // why the row itself is malformed and must be rejected; Fields may then be partial
	ProblemColumn string   // the header name of the offending field when Problem is about one field, else ""
}

// FileError reports a file that cannot be read as a whole (an HTTP 400).
type FileError struct {
	Row     int    // the row (as in Record.Row) the error is about, 0 when not about a row
	Column  string // the header name of the column the error is about, or ""
	Message string // what is wrong, in words meant for the user
}

// Error formats the error with its row and column.
func (e *FileError) Error() string {
	switch {
	case e.Row > 0 && e.Column != "":
		return fmt.Sprintf("row %d, column %q: %s", e.Row, e.Column, e.Message)
	case e.Row > 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	case e.Column != "":
		return fmt.Sprintf("column %q: %s", e.Column, e.Message)
	}
	return e.Message
}

func fileErrorf(format string, args ...any) *FileError {
	return &FileError{Message: fmt.Sprintf(format, args...)}
}

// rows is what each format implements.
type rows interface {
	next() (Record, error)
	close() error
}

// Reader yields the header and rows of one file.
type Reader struct {
	file     *os.File
	format   Format
	encoding Encoding
	header   []string
	raw      bool // Options.Raw on a format that honours it: no header
	rows     rows
	err      error // sticky: io.EOF or the error that stopped reading
}

var errClosed = errors.New("source: reader is closed")

// Open opens the file at path and reads its header; errors are *FileError or I/O errors.
func Open(path string, opts Options) (*Reader, error) {
	opts.setDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := open(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func open(f *os.File, opts Options) (*Reader, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("source: %s is not a regular file", f.Name())
	}
	size := st.Size()
	head := make([]byte, min(size, sampleSize))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, err
	}
	if len(bytes.TrimLeft(head, " \t\r\n")) == 0 && size <= sampleSize {
		return nil, fileErrorf("the file is empty")
	}
	format, err := pickFormat(head, opts)
	if err != nil {
		return nil, err
	}
	r := &Reader{file: f, format: format}
	switch format {
	case XLSX:
		r.encoding = UTF8
		x, hdr, err := openXLSX(f.Name(), opts, defaultXLSXLimits)
		if err != nil {
			return nil, err
		}
		r.rows, r.header, r.raw = x, hdr, opts.Raw
		return r, nil
	case XLS:
		r.encoding = UTF8
		x, hdr, err := openXLS(f, size, opts, defaultXLSLimits)
		if err != nil {
			return nil, err
		}
		r.rows, r.header, r.raw = x, hdr, opts.Raw
		return r, nil
	}

	forced, err := forcedEncoding(opts)
	if err != nil {
		return nil, err
	}
	t := &text{file: f, size: size, opts: opts}
	enc, bom, ferr := t.detect(head, forced, format)
	if ferr != nil {
		return nil, ferr
	}
	t.enc, t.start = enc, int64(bom)
	r.encoding = enc
	switch {
	case format == CSV && opts.Raw:
		r.rows, r.raw = openRawCSV(t), true
	case format == CSV:
		c, hdr, err := openCSV(t)
		if err != nil {
			return nil, err
		}
		r.rows, r.header = c, hdr
	default:
		j, hdr, err := openJSON(t, format)
		if err != nil {
			return nil, err
		}
		r.rows, r.header = j, hdr
	}
	return r, nil
}

// Header returns the column names as written in the file, trimmed of spaces
// and BOM, decoded; nil in raw mode.
func (r *Reader) Header() []string {
	if r.raw {
		return nil
	}
	h := make([]string, len(r.header))
	copy(h, r.header)
	return h
}

// Raw reports whether the reader took no header (Options.Raw on CSV and
// workbooks): the header line, if any, is then among the records.
func (r *Reader) Raw() bool { return r.raw }

// Format returns the format the file is read as.
func (r *Reader) Format() Format { return r.format }

// Encoding returns the encoding the file is decoded with (utf-8 for workbooks).
func (r *Reader) Encoding() Encoding { return r.encoding }

// Next returns the next record, io.EOF after the last one, or a *FileError when reading cannot go on.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	if r.rows == nil {
		return Record{}, errClosed
	}
	rec, err := r.rows.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

// Close releases the file and any temporary files.
func (r *Reader) Close() error {
	var err error
	if r.rows != nil {
		err = r.rows.close()
		r.rows = nil
	}
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
		r.file = nil
	}
	if r.err == nil {
		r.err = errClosed
	}
	return err
}

// --- format detection ---

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// formatHint maps a content type or a file name to a format, "" when it says nothing.
func formatHint(opts Options) Format {
	if opts.ContentType != "" {
		mt, _, err := mime.ParseMediaType(opts.ContentType)
		if err == nil {
			switch mt {
			case "text/csv", "application/csv", "text/comma-separated-values", "text/tab-separated-values", "text/x-csv":
				return CSV
			case "application/json", "text/json":
				return JSON
			case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines", "application/json-seq":
				return NDJSON
			case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
				return XLSX
			case "application/vnd.ms-excel", "application/msexcel", "application/x-msexcel", "application/x-excel", "application/excel":
				return XLS
			}
		}
	}
	switch strings.ToLower(path.Ext(strings.ReplaceAll(opts.Name, `\`, "/"))) {
	case ".csv", ".tsv":
		return CSV
	case ".json":
		return JSON
	case ".ndjson", ".jsonl":
		return NDJSON
	case ".xlsx":
		return XLSX
	case ".xls":
		return XLS
	}
	return ""
}

// sniffJSON tells whether the text starts like a JSON array of objects or a
// JSON object; strict requires the next token to fit too ([{ or {").
func sniffJSON(head []byte, strict bool) Format {
	b := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(b) == 0 {
		return ""
	}
	rest := bytes.TrimLeft(b[1:], " \t\r\n")
	switch b[0] {
	case '[':
		if !strict || len(rest) == 0 || rest[0] == '{' || rest[0] == ']' {
			return JSON
		}
	case '{':
		if !strict || len(rest) == 0 || rest[0] == '"' || rest[0] == '}' {
			return NDJSON
		}
	}
	return ""
}

func pickFormat(head []byte, opts Options) (Format, error) {
	switch opts.Format {
	case CSV, XLSX, XLS, NDJSON:
		return opts.Format, nil
	case JSON:
		// An object at the top level is read as a stream of objects.
		if sniffJSON(head, false) == NDJSON {
			return NDJSON, nil
		}
		return JSON, nil
	case "":
	default:
		return "", fileErrorf("unknown format %q (use csv, json, ndjson, xlsx or xls)", string(opts.Format))
	}
	// The bytes win over a hint that contradicts them.
	if bytes.HasPrefix(head, zipMagic) {
		return XLSX, nil
	}
	if bytes.HasPrefix(head, oleMagic) {
		return XLS, nil
	}
	switch hint := formatHint(opts); hint {
	case XLS:
		// Some systems name a web page or text ".xls"; a web page is no
		// table that can be read line by line.
		b := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?xml")):
			return "", fileErrorf("the file is named .xls but is an XML spreadsheet (Excel 2003 XML), not an Excel workbook; open it in Excel and save it as .xlsx, or as CSV UTF-8")
		case len(b) > 0 && b[0] == '<':
			return "", fileErrorf("the file is named .xls but is a web page (HTML), not an Excel workbook; open it in Excel and save it as .xlsx, or as CSV UTF-8")
		}
		if f := sniffJSON(head, true); f != "" {
			return f, nil
		}
		return CSV, nil
	case CSV:
		// A CSV hint on bytes that clearly are JSON: trust the bytes.
		if f := sniffJSON(head, true); f != "" {
			return f, nil
		}
		return CSV, nil
	case JSON, NDJSON:
		if f := sniffJSON(head, false); f != "" {
			return f, nil
		}
		return CSV, nil
	}
	if f := sniffJSON(head, false); f != "" {
		return f, nil
	}
	return CSV, nil
}

// forcedEncoding returns the encoding set by Options.Encoding or by a
// charset parameter of the content type, "" to detect.
func forcedEncoding(opts Options) (Encoding, error) {
	if opts.Encoding != "" {
		e, ok := normalizeEncoding(string(opts.Encoding))
		if !ok {
			return "", fileErrorf("unknown encoding %q (use utf-8, gbk or big5)", string(opts.Encoding))
		}
		if e != Auto {
			return e, nil
		}
	}
	if opts.ContentType != "" {
		if _, params, err := mime.ParseMediaType(opts.ContentType); err == nil {
			// An unknown charset is only a hint: detect instead.
			if e, ok := normalizeEncoding(params["charset"]); ok && e != Auto {
				return e, nil
			}
		}
	}
	return "", nil
}

func normalizeEncoding(s string) (Encoding, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, true
	case "utf-8", "utf8", "us-ascii", "ascii":
		return UTF8, true
	case "gbk", "gb18030", "gb2312", "cp936", "euc-cn", "x-gbk":
		return GBK, true
	case "big5", "big-5", "cp950", "big5-hkscs", "x-x-big5":
		return Big5, true
	}
	return "", false
}

// --- shared helpers ---

func isTrimmed(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// trimCell trims spaces (including ideographic and no-break spaces) and BOMs.
func trimCell(s string) string { return strings.TrimFunc(s, isTrimmed) }

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimFunc(f, isTrimmed) != "" {
			return false
		}
	}
	return true
}

// checkHeader rejects a header with a name that appears twice (compared
// case-insensitively, as the caller matches them) or too many columns.
func checkHeader(header []string) *FileError {
	if len(header) > maxColumns {
		return fileErrorf("the file has %d columns, more than the %d allowed", len(header), maxColumns)
	}
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if h == "" {
			continue
		}
		k := strings.ToLower(h)
		if j, ok := seen[k]; ok {
			return &FileError{Column: h, Message: fmt.Sprintf("column %q appears twice (columns %d and %d)", h, j+1, i+1)}
		}
		seen[k] = i
	}
	return nil
}

// limitReader fails once more than limit bytes were read since the last
// reset; the parsers reset it after each record.
type limitReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errRecordTooLong = errors.New("record too long")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, errRecordTooLong
	}
	if rem := l.limit - l.n + 1; int64(len(p)) > rem {
		p = p[:rem] // so that passing the limit always takes one more Read
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

func (l *limitReader) reset() { l.n = 0 }

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
