package source

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html/charset"
)

// xlsxRows streams the rows of one worksheet with excelize.
type xlsxRows struct {
	f      *excelize.File
	rows   *excelize.Rows
	sheet  string
	header []string
	row    int // sheet row number of the current row
	opts   Options
}

// maxZipEntries bounds the parts of a workbook (a real one has a few dozen).
const maxZipEntries = 10000

// xlsxLimits bound the memory and time of reading a workbook whatever its
// parts declare. excelize trusts the shared-strings table, pads every row
// to its last cell and holds most parts in memory, so these are checked on
// the zip's directory and by one streaming pass over the parts before
// excelize reads anything.
type xlsxLimits struct {
	inflateRatio        int64 // most bytes a part larger than inflateFloor may unpack to per compressed byte
	inflateFloor        int64 // parts up to this size (bytes) are not held to inflateRatio
	inMemoryPart        int64 // largest part excelize holds whole in memory (all but worksheets and shared strings), bytes
	textRun             int64 // longest run of bytes without a '<' in any part (one text node or tag), bytes
	sharedStrings       int   // most entries in the shared-strings table
	unusedSharedStrings int   // most entries beyond the number of cells that use one
	sharedInMemory      int   // most entries excelize is left to hold in memory (else on disk)
	sharedTextBytes     int64 // most text in the shared-strings table, bytes
	sharedStringRunes   int   // longest shared string, characters
	sharedAllowance     int64 // shared-string text one sheet may pull in before sharedPerXMLByte applies, bytes
	sharedPerXMLByte    int64 // then: shared-string text per byte of the sheet's XML read so far
	rows                int   // most rows in a sheet, by count and by row number
	rowCells            int   // most cell elements in one row, and the last column
	gridAllowance       int64 // grid cells (each row counted up to its last filled cell) before gridPerXMLByte applies
	gridPerXMLByte      int64 // then: grid cells per byte of the sheet's XML read so far
}

// defaultXLSXLimits are generous for real exports (a million-row sheet
// passes) and refuse a hostile 100 KB workbook after a few megabytes of
// work: a long shared string repeated on every row is stopped by the
// shared-text budget, one cell per row in column XFD by the grid budget,
// and a flood of empty cells by the inflate ratio and the per-row cells.
var defaultXLSXLimits = xlsxLimits{
	inflateRatio:        100, // as Apache POI's zip-bomb check
	inflateFloor:        1 << 20,
	inMemoryPart:        16 << 20,
	textRun:             1 << 20,
	sharedStrings:       2 << 20, // two text columns unique on every row of a full sheet
	unusedSharedStrings: 1 << 16,
	sharedInMemory:      100_000, // about 30 MB
	sharedTextBytes:     64 << 20,
	sharedStringRunes:   32767, // what an Excel cell holds
	sharedAllowance:     16 << 20,
	sharedPerXMLByte:    16,
	rows:                excelize.TotalRows,  // 1,048,576
	rowCells:            excelize.MaxColumns, // 16,384 (column XFD)
	gridAllowance:       1 << 20,
	gridPerXMLByte:      1,
}

func openXLSX(path string, opts Options, lim xlsxLimits) (x *xlsxRows, header []string, err error) {
	sst, ferr := guardXLSX(path, opts, lim)
	if ferr != nil {
		return nil, nil, ferr
	}
	// excelize extracts parts larger than this to temporary files. It holds
	// a shared-strings table in memory at some 300 bytes an entry, and on
	// disk at some 40: a large table goes to disk.
	xmlLimit := min(opts.MaxXLSXUnzipped, excelize.StreamChunkSize)
	if sst.entries > lim.sharedInMemory {
		xmlLimit = max(min(xmlLimit, sst.size-1), 1)
	}
	defer func() {
		if p := recover(); p != nil {
			if x != nil {
				x.close()
			}
			x, header, err = nil, nil, fileErrorf("cannot read the XLSX workbook: it is corrupt (%v)", p)
		}
	}()
	f, err := excelize.OpenFile(path, excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    opts.MaxXLSXUnzipped,
		UnzipXMLSizeLimit: xmlLimit,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fileErrorf("the XLSX workbook is damaged (a part is missing or cut short)")
		}
		return nil, nil, fileErrorf("cannot read the XLSX workbook: %v", err)
	}
	x = &xlsxRows{f: f, opts: opts}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		x.close()
		return nil, nil, fileErrorf("the workbook has no sheets")
	}
	i, ferr := pickSheet(sheets, opts.Sheet)
	if ferr != nil {
		x.close()
		return nil, nil, ferr
	}
	x.sheet = sheets[i]
	x.rows, err = f.Rows(x.sheet)
	if err != nil {
		x.close()
		return nil, nil, fileErrorf("cannot read sheet %q: %v", x.sheet, err)
	}
	if opts.Raw {
		return x, nil, nil
	}
	for {
		cells, ok, err := x.read()
		if err != nil {
			x.close()
			return nil, nil, err
		}
		if !ok {
			x.close()
			return nil, nil, fileErrorf("sheet %q is empty", x.sheet)
		}
		if blank(cells) {
			continue
		}
		hdr, ferr := sheetHeader(x.row, cells, opts.MaxFieldBytes)
		if ferr != nil {
			x.close()
			return nil, nil, ferr
		}
		x.header = hdr
		return x, hdr, nil
	}
}

// read returns the cells of the next sheet row (empty rows included) and
// advances x.row; ok is false at the end of the sheet.
func (x *xlsxRows) read() (cells []string, ok bool, err error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			if errors.Is(err, excelize.ErrMaxRows) {
				return nil, false, &FileError{Row: x.row + 1, Message: fmt.Sprintf("sheet %q has a row number beyond Excel's %d rows", x.sheet, excelize.TotalRows)}
			}
			return nil, false, fileErrorf("cannot read sheet %q: %v", x.sheet, err)
		}
		return nil, false, nil
	}
	// Rows.Next is called once per row number, gaps included, so counting
	// the calls gives the sheet's row number.
	x.row++
	cells, err = x.rows.Columns()
	if err != nil {
		return nil, false, &FileError{Row: x.row, Message: fmt.Sprintf("cannot read row %d of sheet %q: %v", x.row, x.sheet, err)}
	}
	return cells, true, nil
}

func (x *xlsxRows) next() (rec Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, err = Record{}, &FileError{Row: x.row, Message: fmt.Sprintf("cannot read the XLSX workbook: it is corrupt (%v)", p)}
		}
	}()
	for {
		cells, ok, err := x.read()
		if err != nil {
			return Record{}, err
		}
		if !ok {
			return Record{}, io.EOF
		}
		if blank(cells) {
			continue
		}
		return sheetRecord(x.row, cells, x.header, x.opts), nil
	}
}

// sheetRecord makes a record of a filled sheet row (XLSX and XLS), against
// the header, or as it is in raw mode.
func sheetRecord(row int, cells, header []string, opts Options) Record {
	if opts.Raw {
		return rawRecord(row, cells, opts.MaxFieldBytes)
	}
	rec := Record{Row: row, Fields: make([]string, len(header))}
	copy(rec.Fields, cells)
	if len(cells) > len(header) && !blank(cells[len(header):]) {
		rec.Fields = cells
		rec.Problem = fmt.Sprintf("row has %d cells, the header has %d", lastNonBlank(cells), len(header))
		return rec
	}
	for i, c := range rec.Fields {
		if header[i] != "" && len(c) > opts.MaxFieldBytes {
			rec.Problem, rec.ProblemColumn = fmt.Sprintf("field is longer than %d bytes", opts.MaxFieldBytes), header[i]
			break
		}
	}
	return rec
}

// rawRecord is a sheet row in raw mode: its cells as they are, up to the
// last one that is not blank, so that rows are as wide as they are filled.
func rawRecord(row int, cells []string, maxField int) Record {
	rec := Record{Row: row, Fields: cells[:lastNonBlank(cells)]}
	for i, c := range rec.Fields {
		if len(c) > maxField {
			rec.Problem = fmt.Sprintf("field %d is longer than %d bytes", i+1, maxField)
			break
		}
	}
	return rec
}

func lastNonBlank(cells []string) int {
	n := len(cells)
	for n > 0 && trimCell(cells[n-1]) == "" {
		n--
	}
	return n
}

func (x *xlsxRows) close() error {
	var err error
	if x.rows != nil {
		err = x.rows.Close()
		x.rows = nil
	}
	if x.f != nil {
		if cerr := x.f.Close(); err == nil {
			err = cerr
		}
		x.f = nil
	}
	return err
}

// guardXLSX is the zip-bomb and amplification guard: it checks the zip's
// directory, then streams every part once, keeping only counters and the
// length of each shared string.
func guardXLSX(path string, opts Options, lim xlsxLimits) (sst sharedTable, ferr *FileError) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return sst, fileErrorf("the file is not a valid XLSX workbook (%v)", err)
	}
	defer zr.Close()
	if ferr := checkZip(&zr.Reader, opts, lim); ferr != nil {
		return sst, ferr
	}
	var shared []int32
	for _, f := range zr.File {
		if partName(f) == "xl/sharedstrings.xml" {
			if shared, ferr = scanSharedStrings(f, lim); ferr != nil {
				return sst, ferr
			}
			sst = sharedTable{entries: len(shared), size: int64(f.UncompressedSize64)}
		}
	}
	var refs int64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || partName(f) == "xl/sharedstrings.xml" {
			continue
		}
		// Every part is scanned, not only the chosen sheet: which part is
		// a worksheet is up to the workbook's relationships.
		n, ferr := scanPart(f, shared, opts, lim)
		if ferr != nil {
			return sst, ferr
		}
		refs += n
	}
	// excelize indexes the whole table, one entry at a time (with a write
	// to a temporary file when it is large): entries no cell uses are work
	// for nothing.
	if unused := int64(len(shared)) - refs; unused > int64(lim.unusedSharedStrings) {
		return sst, fileErrorf("the workbook's shared-strings table has %d entries for %d cells that use one, more than %d unused, the limit", len(shared), refs, lim.unusedSharedStrings)
	}
	return sst, nil
}

// sharedTable describes a workbook's shared-strings table.
type sharedTable struct {
	entries int
	size    int64 // bytes of XML
}

// partName is the part's path as excelize compares it: slashes, lower case.
func partName(f *zip.File) string {
	return strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
}

// pickSheet returns the index of the sheet named want (exactly, else
// ignoring case as Excel does), or of the first sheet when want is "".
func pickSheet(sheets []string, want string) (int, *FileError) {
	if want == "" {
		return 0, nil
	}
	for i, s := range sheets {
		if s == want {
			return i, nil
		}
	}
	for i, s := range sheets {
		if strings.EqualFold(s, want) {
			return i, nil
		}
	}
	quoted := make([]string, len(sheets))
	for i, s := range sheets {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return 0, fileErrorf("sheet %q not found; the workbook has %s", want, strings.Join(quoted, ", "))
}

// sheetHeader makes the header of a sheet (XLSX and XLS) from its first
// filled row: cells trimmed, trailing empty ones dropped, names checked.
func sheetHeader(row int, cells []string, maxField int) ([]string, *FileError) {
	hdr := make([]string, len(cells))
	for i, c := range cells {
		if len(c) > maxField {
			return nil, &FileError{Row: row, Message: fmt.Sprintf("header column %d is longer than %d bytes", i+1, maxField)}
		}
		hdr[i] = trimCell(c)
	}
	// Trailing empty header cells (formatted but empty) carry nothing.
	for len(hdr) > 0 && hdr[len(hdr)-1] == "" {
		hdr = hdr[:len(hdr)-1]
	}
	if ferr := checkHeader(hdr); ferr != nil {
		ferr.Row = row
		return nil, ferr
	}
	return hdr, nil
}

// checkZip reads the central directory only: the declared sizes, which
// archive/zip then enforces while reading.
func checkZip(zr *zip.Reader, opts Options, lim xlsxLimits) *FileError {
	if len(zr.File) > maxZipEntries {
		return fileErrorf("the workbook has %d parts, more than the %d allowed", len(zr.File), maxZipEntries)
	}
	var total uint64
	sheets, contentTypes := 0, false
	seen := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		name := partName(f)
		if seen[name] {
			return fileErrorf("the workbook holds the part %q twice", f.Name)
		}
		seen[name] = true
		if name == "[content_types].xml" {
			contentTypes = true
		}
		total += f.UncompressedSize64
		if total > uint64(opts.MaxXLSXUnzipped) || total < f.UncompressedSize64 {
			return fileErrorf("the workbook unpacks to more than %s, the limit (a zip bomb?)", sizeText(opts.MaxXLSXUnzipped))
		}
		size := int64(f.UncompressedSize64) // below MaxXLSXUnzipped, so it fits
		if size > lim.inflateFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(lim.inflateRatio) {
			return fileErrorf("the part %q unpacks to %s from %s, more than %d times its size (a zip bomb?)", f.Name, sizeText(size), sizeText(int64(f.CompressedSize64)), lim.inflateRatio)
		}
		// excelize extracts worksheets and the shared strings to temporary
		// files and holds every other part in memory.
		worksheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		if !worksheet && name != "xl/sharedstrings.xml" && size > lim.inMemoryPart {
			return fileErrorf("the part %q unpacks to %s, more than the %s allowed", f.Name, sizeText(size), sizeText(lim.inMemoryPart))
		}
		if strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml") && !strings.Contains(name[len("xl/worksheets/"):], "/") {
			sheets++
		}
	}
	if !contentTypes {
		return fileErrorf("the file is a zip archive, not an XLSX workbook")
	}
	if sheets > opts.MaxSheets {
		return fileErrorf("the workbook has %d worksheets, more than the %d allowed", sheets, opts.MaxSheets)
	}
	return nil
}

// runGuard fails once a part has more than limit bytes in a row without a
// '<': it bounds what the XML decoder buffers for one token.
type runGuard struct {
	r     io.Reader
	run   int64
	limit int64
}

var errTextRun = errors.New("text run too long")

func (g *runGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '<'); i >= 0 {
		g.run = int64(n - i - 1)
	} else {
		g.run += int64(n)
	}
	if g.run > g.limit {
		return n, errTextRun
	}
	return n, err
}

// openPart returns an XML decoder over one part, reading as excelize does
// (the same charset labels), and the guard under it.
func openPart(f *zip.File, lim xlsxLimits) (*xml.Decoder, io.Closer, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	d := xml.NewDecoder(bufio.NewReaderSize(&runGuard{r: rc, limit: lim.textRun}, 64<<10))
	d.CharsetReader = charset.NewReaderLabel
	return d, rc, nil
}

// partError turns an error met while streaming a part into a FileError, or
// nil for malformed XML: excelize stops at the same place, and the
// stricter Token it uses never reads further than RawToken.
func partError(f *zip.File, err error, lim xlsxLimits) *FileError {
	var se *xml.SyntaxError
	switch {
	case err == io.EOF || errors.As(err, &se):
		return nil
	case errors.Is(err, errTextRun):
		return fileErrorf("the part %q holds more than %s of text without markup, more than the limit", f.Name, sizeText(lim.textRun))
	}
	return fileErrorf("the XLSX workbook is damaged: cannot read the part %q (%v)", f.Name, err)
}

// scanSharedStrings checks the shared-strings table against the limits and
// returns the length in bytes of each entry, as excelize will read it: the
// text of the entry's t elements and of its runs, not the phonetic ones.
func scanSharedStrings(f *zip.File, lim xlsxLimits) ([]int32, *FileError) {
	d, rc, err := openPart(f, lim)
	if err != nil {
		return nil, fileErrorf("the XLSX workbook is damaged: cannot read the shared strings (%v)", err)
	}
	defer rc.Close()
	var (
		lengths            []int32
		total              int64
		inSI, inT          bool
		phonetic           int
		length, characters int
	)
	for {
		tok, err := d.RawToken()
		if err != nil {
			return lengths, partError(f, err, lim)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				if len(lengths) == lim.sharedStrings {
					return nil, fileErrorf("the workbook's shared-strings table has more than %d entries, the limit", lim.sharedStrings)
				}
				inSI, inT, phonetic, length, characters = true, false, 0, 0, 0
			case "rPh":
				phonetic++
			case "t":
				inT = inSI && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				if inSI {
					lengths = append(lengths, int32(length))
				}
				inSI, inT = false, false
			case "rPh":
				phonetic = max(phonetic-1, 0)
			case "t":
				inT = false
			}
		case xml.CharData:
			if !inT {
				continue
			}
			length += len(t)
			characters += utf8.RuneCount(t)
			total += int64(len(t))
			if characters > lim.sharedStringRunes {
				return nil, fileErrorf("shared string %d is longer than %d characters, more than an Excel cell holds", len(lengths)+1, lim.sharedStringRunes)
			}
			if total > lim.sharedTextBytes {
				return nil, fileErrorf("the workbook's shared strings hold more than %s of text, the limit", sizeText(lim.sharedTextBytes))
			}
		}
	}
}

// sheetScan holds the counters of one part. excelize's row reader takes
// every row element from the start of a worksheet to the end of its
// sheetData, wherever it is nested, so the rules apply up to there, in
// every part: in one that is no worksheet they find little to count.
type sheetScan struct {
	f         *zip.File
	lim       xlsxLimits
	shared    []int32
	maxSheets int

	done           bool  // past the end of sheetData: excelize reads no further
	rows, row      int   // row elements seen; the current row's number
	cells, col     int   // cell elements in the current row; the current cell's column
	last           int   // the current row's last filled column
	grid           int64 // grid cells of the finished rows
	sharedText     int64 // shared-string text referenced so far, bytes
	refs           int64 // cells that use a shared string
	sharedCell     bool  // the current cell holds a shared-string index
	inCell, inV    bool
	index          []byte // the text of a shared-string cell's v element
	sheetsListed   int
	inWorkbookList bool
}

// errSlowPath reports markup the fast scanner leaves to encoding/xml.
var errSlowPath = errors.New("markup for encoding/xml")

// scanPart streams one part and applies the sheet limits, and the sheet
// count to a workbook's list of sheets. It returns the number of cells
// that use a shared string. Parts are read by a fast scanner of the markup
// spreadsheet writers emit, and by encoding/xml when it meets anything
// else (comments, CDATA, another encoding, entities where values count).
func scanPart(f *zip.File, shared []int32, opts Options, lim xlsxLimits) (int64, *FileError) {
	rc, err := f.Open()
	if err != nil {
		return 0, fileErrorf("the XLSX workbook is damaged: cannot read the part %q (%v)", f.Name, err)
	}
	s := &sheetScan{f: f, lim: lim, shared: shared, maxSheets: opts.MaxSheets}
	err = s.fast(bufio.NewReaderSize(&runGuard{r: rc, limit: lim.textRun}, 64<<10))
	rc.Close()
	var ferr *FileError
	switch {
	case errors.As(err, &ferr):
		return 0, ferr
	case errors.Is(err, errSlowPath):
		s = &sheetScan{f: f, lim: lim, shared: shared, maxSheets: opts.MaxSheets}
		if ferr := s.slow(); ferr != nil {
			return 0, ferr
		}
	case err != io.EOF:
		if ferr := partError(f, err, lim); ferr != nil {
			return 0, ferr
		}
	}
	return s.refs, nil
}

// slow reads the part with encoding/xml.
func (s *sheetScan) slow() *FileError {
	d, rc, err := openPart(s.f, s.lim)
	if err != nil {
		return fileErrorf("the XLSX workbook is damaged: cannot read the part %q (%v)", s.f.Name, err)
	}
	defer rc.Close()
	for {
		tok, err := d.RawToken()
		if err != nil {
			return partError(s.f, err, s.lim)
		}
		var ferr *FileError
		switch t := tok.(type) {
		case xml.StartElement:
			ferr = s.start(t.Name.Local, []byte(attr(t, "r")), []byte(attr(t, "t")), d.InputOffset())
		case xml.EndElement:
			ferr = s.end(t.Name.Local, d.InputOffset())
		case xml.CharData:
			s.text(t)
		}
		if ferr != nil {
			return ferr
		}
	}
}

// fast scans the part's markup: text up to each '<', then the tag up to
// its '>' (one inside quotes does not end it). It returns io.EOF at the
// end, errSlowPath for what it leaves to encoding/xml, or a *FileError.
func (s *sheetScan) fast(br *bufio.Reader) error {
	if head, _ := br.Peek(4); bytes.IndexByte(head, 0) >= 0 || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return errSlowPath // UTF-16
	}
	var (
		offset int64
		tag    []byte
		first  = true
	)
	for {
		for {
			chunk, err := br.ReadSlice('<')
			offset += int64(len(chunk))
			text := bytes.TrimSuffix(chunk, []byte("<"))
			if s.inV && s.sharedCell && bytes.IndexByte(text, '&') >= 0 {
				return errSlowPath // an entity in a value that counts
			}
			s.text(text)
			if err == nil {
				break
			}
			if err != bufio.ErrBufferFull {
				return err
			}
		}
		tag = tag[:0]
		next, _ := br.Peek(1)
		switch {
		case bytes.HasPrefix(next, []byte("!")):
			return errSlowPath // a comment, CDATA or a document type
		case bytes.HasPrefix(next, []byte("?")) && !first:
			return errSlowPath // a processing instruction
		}
		var quote byte // the quote a value is open with, 0 outside values
		for {
			chunk, err := br.ReadSlice('>')
			offset += int64(len(chunk))
			tag = append(tag, chunk...)
			quote = openQuote(quote, chunk)
			// A start tag ends at a '>' outside quotes, the declaration at "?>".
			if err == nil && (tag[0] == '?' && bytes.HasSuffix(tag, []byte("?>")) || tag[0] != '?' && quote == 0) {
				break
			}
			if err != nil && err != bufio.ErrBufferFull {
				return err // cut short inside a tag: encoding/xml stops there too
			}
			if int64(len(tag)) > s.lim.textRun {
				return fileErrorf("the part %q holds a tag longer than %s, more than the limit", s.f.Name, sizeText(s.lim.textRun))
			}
		}
		tag = tag[:len(tag)-1]
		if len(tag) == 0 {
			return errSlowPath
		}
		switch tag[0] {
		case '?':
			if !bytes.HasPrefix(tag, []byte("?xml ")) || !utf8Declared(tag) {
				return errSlowPath
			}
		case '/':
			if ferr := s.end(tagName(bytes.TrimRight(tag[1:], " \t\r\n")), offset); ferr != nil {
				return ferr
			}
		default:
			selfClosing := tag[len(tag)-1] == '/'
			if selfClosing {
				tag = tag[:len(tag)-1]
			}
			n := bytes.IndexAny(tag, " \t\r\n")
			if n < 0 {
				n = len(tag)
			}
			name := tagName(tag[:n])
			var r, t []byte
			if name == "row" || name == "c" {
				var ok bool
				if r, t, ok = cellAttrs(tag[n:]); !ok {
					return errSlowPath
				}
			}
			if ferr := s.start(name, r, t, offset); ferr != nil {
				return ferr
			}
			if selfClosing {
				if ferr := s.end(name, offset); ferr != nil {
					return ferr
				}
			}
		}
		first = false
	}
}

// openQuote returns the quote a tag's value is open with after more of
// the tag, given the one it was open with before (0 for none).
func openQuote(q byte, more []byte) byte {
	for _, b := range more {
		switch {
		case q == 0 && (b == '"' || b == '\''):
			q = b
		case b == q:
			q = 0
		}
	}
	return q
}

// utf8Declared reports whether an XML declaration names no encoding or UTF-8.
func utf8Declared(decl []byte) bool {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return true
	}
	v := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	v = bytes.Trim(v, " \t\r\n?")
	if len(v) < 2 {
		return false
	}
	v = bytes.Trim(v[:bytes.IndexAny(v[1:], `"'`)+2], `"'`)
	return bytes.EqualFold(v, []byte("utf-8")) || bytes.EqualFold(v, []byte("utf8"))
}

// tagName returns the local name of an element as one of the names the
// scan looks at (without allocating), or "" for any other.
func tagName(qname []byte) string {
	if i := bytes.LastIndexByte(qname, ':'); i >= 0 {
		qname = qname[i+1:]
	}
	switch string(qname) {
	case "sheetData":
		return "sheetData"
	case "row":
		return "row"
	case "c":
		return "c"
	case "v":
		return "v"
	case "f":
		return "f"
	case "is":
		return "is"
	case "sheets":
		return "sheets"
	case "sheet":
		return "sheet"
	}
	return ""
}

// cellAttrs returns the r and t attributes of a row or cell tag; ok is
// false when one holds an entity or the attributes do not parse.
func cellAttrs(b []byte) (r, t []byte, ok bool) {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 {
			return r, t, true
		}
		eq := bytes.IndexByte(b, '=')
		if eq < 0 {
			return nil, nil, false
		}
		name := bytes.TrimRight(b[:eq], " \t\r\n")
		if i := bytes.LastIndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		b = bytes.TrimLeft(b[eq+1:], " \t\r\n")
		if len(b) == 0 || b[0] != '"' && b[0] != '\'' {
			return nil, nil, false
		}
		end := bytes.IndexByte(b[1:], b[0])
		if end < 0 {
			return nil, nil, false
		}
		value := b[1 : end+1]
		b = b[end+2:]
		switch string(name) {
		case "r":
			r = value
		case "t":
			t = value
		default:
			continue
		}
		if bytes.IndexByte(value, '&') >= 0 {
			return nil, nil, false
		}
	}
}

func (s *sheetScan) text(b []byte) {
	if s.inV && s.sharedCell && len(s.index)+len(b) <= 20 {
		s.index = append(s.index, b...)
	}
}

func (s *sheetScan) start(name string, r, typ []byte, offset int64) *FileError {
	switch {
	case name == "sheets":
		s.inWorkbookList = true
	case name == "sheet" && s.inWorkbookList:
		if s.sheetsListed++; s.sheetsListed > s.maxSheets {
			return fileErrorf("the workbook lists more than %d sheets, the limit", s.maxSheets)
		}
	case s.done:
	case name == "row":
		s.endRow()
		s.rows++
		if n, err := strconv.Atoi(string(r)); err == nil && n > 0 {
			s.row = n
		} else {
			s.row++
		}
		if s.rows > s.lim.rows || s.row > s.lim.rows {
			return &FileError{Row: min(s.row, s.lim.rows+1), Message: fmt.Sprintf("the sheet (part %q) has more than %d rows, Excel's limit", s.f.Name, s.lim.rows)}
		}
		s.cells, s.col, s.last = 0, 0, 0
	case name == "c":
		if s.cells++; s.cells > s.lim.rowCells {
			return &FileError{Row: s.row, Message: fmt.Sprintf("the row has more than %d cells, Excel's limit (part %q)", s.lim.rowCells, s.f.Name)}
		}
		s.col++
		if col := columnOf(r); col > 0 {
			s.col = col
		}
		if s.col > s.lim.rowCells {
			return &FileError{Row: s.row, Message: fmt.Sprintf("cell %s is beyond column %s, Excel's last (part %q)", r, excelizeColumn(s.lim.rowCells), s.f.Name)}
		}
		s.sharedCell, s.inCell, s.inV = string(typ) == "s", true, false
	case s.inCell && (name == "v" || name == "f" || name == "is"):
		// A filled cell: excelize pads the row with empty cells up to it.
		if s.col > s.last {
			s.last = s.col
			if budget := s.lim.gridAllowance + s.lim.gridPerXMLByte*offset; s.grid+int64(s.last) > budget {
				return &FileError{Row: s.row, Message: fmt.Sprintf("cell %s%d: with the rows above it the sheet spans more than %d cells (rows counted to their last filled cell) in %s of XML; a sheet this sparse is refused (part %q)", excelizeColumn(s.col), s.row, budget, sizeText(offset), s.f.Name)}
			}
		}
		if name == "v" {
			s.inV, s.index = true, s.index[:0]
		}
	}
	return nil
}

func (s *sheetScan) end(name string, offset int64) *FileError {
	switch name {
	case "sheets":
		s.inWorkbookList = false
	case "sheetData":
		s.endRow()
		s.done = true
	case "row":
		s.endRow()
	case "c":
		s.inCell, s.inV = false, false
	case "v":
		if !s.inV || !s.sharedCell || s.done {
			s.inV = false
			return nil
		}
		s.inV = false
		s.refs++
		i, err := strconv.Atoi(string(bytes.TrimSpace(s.index)))
		if err != nil || i < 0 || i >= len(s.shared) {
			return nil // excelize reports a bad index itself
		}
		s.sharedText += int64(s.shared[i])
		if budget := s.lim.sharedAllowance + s.lim.sharedPerXMLByte*offset; s.sharedText > budget {
			return &FileError{Row: s.row, Message: fmt.Sprintf("cell %s%d: with the cells above it the sheet repeats more than %s of shared text in %s of XML; a workbook that repeats long text this much is refused (part %q)", excelizeColumn(s.col), s.row, sizeText(budget), sizeText(offset), s.f.Name)}
		}
	}
	return nil
}

func (s *sheetScan) endRow() {
	s.grid += int64(s.last)
	s.last = 0
}

// attr returns the value of the element's attribute; of a repeated one,
// the last, as excelize reads a cell's.
func attr(t xml.StartElement, name string) string {
	v := ""
	for _, a := range t.Attr {
		if a.Name.Local == name {
			v = a.Value
		}
	}
	return v
}

// columnOf returns the column number of a cell reference such as "XFD12",
// 0 when it has no letters; past Excel's last column it returns more than
// that, without overflowing.
func columnOf(ref []byte) int {
	col := 0
	for _, c := range ref {
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			return col
		}
		if col > excelize.MaxColumns {
			return excelize.MaxColumns + 1
		}
	}
	return col
}

func excelizeColumn(col int) string {
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return strconv.Itoa(col)
	}
	return name
}
