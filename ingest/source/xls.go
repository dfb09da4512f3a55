package source

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	unicodeutf16 "unicode/utf16"

	"github.com/shakinm/xlsReader/cfb"
	"github.com/shakinm/xlsReader/xls"
	"github.com/shakinm/xlsReader/xls/record"
)

// Legacy .xls workbooks (Excel 97-2003: BIFF8 records in an OLE2 compound
// file) are read with github.com/shakinm/xlsReader. The library reads the
// whole workbook into memory, every sheet, trusting the sizes and offsets
// the file declares; it follows sector chains without looking for cycles.
// So, as for XLSX, the same bytes it will parse are checked first, by one
// pass that keeps counters only, and it reads the file through a budget.
// Two of its readings are corrected here: integer RK numbers lose their
// sign, and formula cells (whose last computed value the file keeps) are
// skipped.

// xlsLimits bound the memory and time of reading an .xls workbook.
type xlsLimits struct {
	readFactor int64 // the library may read at most this many times the file's size (plus a MiB)
	stream     int64 // largest workbook stream, bytes
	records    int   // most BIFF records in the sheets of a workbook (the library formats two strings for each)
	cells      int   // most cells in all the sheets of a workbook (the library holds each one)
	grid       int   // most grid cells in one sheet (each row counted up to its last cell)
}

// defaultXLSLimits hold any real export: an .xls sheet has at most 65,536
// rows of 256 columns, and bank statements use a few columns.
var defaultXLSLimits = xlsLimits{
	readFactor: 4,
	stream:     64 << 20,
	records:    4 << 20,
	cells:      1 << 20, // the library holds some 200 bytes a cell
	grid:       4 << 20,
}

// BIFF8 record types.
const (
	biffFormula  = 0x0006
	biffEOF      = 0x000A
	biffFilePass = 0x002F
	biffBoundSh  = 0x0085
	biffMulRK    = 0x00BD
	biffMulBlank = 0x00BE
	biffSST      = 0x00FC
	biffLabelSST = 0x00FD
	biffBlank    = 0x0201
	biffNumber   = 0x0203
	biffLabel    = 0x0204
	biffBoolErr  = 0x0205
	biffString   = 0x0207
	biffRK       = 0x027E
	biffBOF      = 0x0809
	biffVersion8 = 0x0600
	biffColumns  = 256 // an .xls sheet's columns, A to IV
)

// xlsRows yields the rows of one sheet of a workbook the library has read.
type xlsRows struct {
	sheet  *xls.Sheet
	name   string
	n      int               // rows in the sheet, empty ones included
	i      int               // index of the next row
	fixed  map[uint32]string // cells read here instead of by the library, by row<<8|column
	width  map[int]int       // per row, one past the last column of fixed
	header []string
	opts   Options
}

// budgetReader fails once more than budget bytes were read from the file.
type budgetReader struct {
	f      io.ReadSeeker
	budget int64
}

var errReadBudget = errors.New("the compound file's sectors are read more than once (a cycle?)")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.budget <= 0 {
		return 0, errReadBudget
	}
	if int64(len(p)) > b.budget {
		p = p[:b.budget]
	}
	n, err := b.f.Read(p)
	b.budget -= int64(n)
	return n, err
}

func (b *budgetReader) Seek(offset int64, whence int) (int64, error) {
	return b.f.Seek(offset, whence)
}

func openXLS(f *os.File, size int64, opts Options, lim xlsLimits) (x *xlsRows, header []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			x, header, err = nil, nil, fileErrorf("cannot read the .xls workbook: it is corrupt (%v)", p)
		}
	}()
	// The library reads the file a sector (512 bytes) at a time, with a
	// seek before each: from memory, not with two system calls each.
	if limit := 2 * min(lim.stream, opts.MaxXLSXUnzipped); size > limit {
		return nil, nil, fileErrorf("the .xls file is larger than %s, the limit", sizeText(limit))
	}
	file := make([]byte, size)
	if _, err := f.ReadAt(file, 0); err != nil {
		return nil, nil, err
	}
	budget := func() *budgetReader {
		return &budgetReader{f: bytes.NewReader(file), budget: lim.readFactor*size + 1<<20}
	}
	stream, ferr := xlsStream(budget(), opts, lim)
	if ferr != nil {
		return nil, nil, ferr
	}
	scan, ferr := scanBIFF(stream, opts, lim)
	if ferr != nil {
		return nil, nil, ferr
	}
	wb, err := xls.OpenReader(budget())
	if err != nil {
		return nil, nil, fileErrorf("cannot read the .xls workbook: %v", err)
	}
	names := make([]string, wb.GetNumberSheets())
	for i := range names {
		s, err := wb.GetSheet(i)
		if err != nil {
			return nil, nil, fileErrorf("cannot read the .xls workbook: %v", err)
		}
		names[i] = s.GetName()
	}
	if len(names) == 0 || len(names) != len(scan) {
		return nil, nil, fileErrorf("the .xls workbook has no sheets that can be read")
	}
	i, ferr := pickSheet(names, opts.Sheet)
	if ferr != nil {
		return nil, nil, ferr
	}
	sheet, _ := wb.GetSheet(i)
	x = &xlsRows{sheet: sheet, name: names[i], n: sheet.GetNumberRows(), opts: opts}
	x.fixed, x.width = fixedCells(stream, scan[i])
	for row := range x.width { // a last row of formulas only is unknown to the library
		x.n = max(x.n, row+1)
	}
	if opts.Raw {
		return x, nil, nil
	}
	for {
		cells, ok := x.read()
		if !ok {
			return nil, nil, fileErrorf("sheet %q is empty", x.name)
		}
		if blank(cells) {
			continue
		}
		hdr, ferr := sheetHeader(x.i, cells, opts.MaxFieldBytes)
		if ferr != nil {
			return nil, nil, ferr
		}
		x.header = hdr
		return x, hdr, nil
	}
}

// xlsStream returns the workbook stream as the library will see it: the
// same directory entry, cut to the declared size.
func xlsStream(br *budgetReader, opts Options, lim xlsLimits) ([]byte, *FileError) {
	c, err := cfb.OpenReader(br)
	if err != nil {
		return nil, fileErrorf("the file is not a valid .xls workbook (%v)", err)
	}
	var book, root *cfb.Directory
	for _, d := range c.GetDirs() {
		switch d.Name() {
		case "Workbook":
			if book == nil {
				book = d
			}
		case "Book":
			book = d
		case "Root Entry":
			root = d
		}
	}
	if book == nil {
		return nil, fileErrorf("the file is an Office compound file without an Excel workbook: a password-protected workbook or another document; save it as .xlsx (without a password) or as CSV UTF-8")
	}
	if root == nil {
		return nil, fileErrorf("the .xls workbook is damaged: its root entry is missing")
	}
	size := int64(book.GetStreamSize())
	if limit := min(lim.stream, opts.MaxXLSXUnzipped); size > limit {
		return nil, fileErrorf("the .xls workbook holds %s of records, more than the %s allowed", sizeText(size), sizeText(limit))
	}
	r, err := c.OpenObject(book, root)
	if err != nil {
		return nil, fileErrorf("the .xls workbook is damaged: %v", err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fileErrorf("the .xls workbook is damaged: %v", err)
	}
	// The library would read zeros past the data: records of nothing, as
	// many as the declared size allows.
	if int64(len(data)) < size {
		return nil, fileErrorf("the .xls workbook is damaged: its records are shorter than it declares")
	}
	return data[:size], nil
}

// biffRecord is one record of the workbook stream.
type biffRecord struct {
	typ  uint16
	data []byte // cut short at the end of the stream
	next int    // offset of the following record
}

// biffAt reads the record at offset p; ok is false past the stream's end.
func biffAt(stream []byte, p int) (rec biffRecord, ok bool) {
	if p < 0 || p+4 > len(stream) {
		return rec, false
	}
	n := int(binary.LittleEndian.Uint16(stream[p+2:]))
	rec.typ = binary.LittleEndian.Uint16(stream[p:])
	rec.data = stream[p+4 : min(p+4+n, len(stream))]
	rec.next = p + 4 + n
	return rec, true
}

// scanBIFF checks the workbook stream as the library will walk it (the
// globals up to their EOF record, then each sheet from its declared offset
// to its EOF record) and returns each sheet's offset.
func scanBIFF(stream []byte, opts Options, lim xlsLimits) ([]int, *FileError) {
	bof, ok := biffAt(stream, 0)
	if !ok || bof.typ != biffBOF || len(bof.data) < 2 {
		return nil, fileErrorf("the .xls workbook is damaged: its records do not start as an Excel workbook's")
	}
	if v := binary.LittleEndian.Uint16(bof.data); v != biffVersion8 {
		return nil, fileErrorf("the workbook is in a format older than Excel 97; save it as .xlsx or as CSV UTF-8")
	}
	var offsets []int
	sst := false
	for p := 0; ; {
		rec, ok := biffAt(stream, p)
		if !ok {
			return nil, fileErrorf("the .xls workbook is damaged: its list of sheets is cut short")
		}
		switch rec.typ {
		case biffFilePass:
			return nil, fileErrorf("the .xls workbook is password-protected; save it without a password, as .xlsx or as CSV UTF-8")
		case biffSST:
			sst = true
		case biffBoundSh:
			// Excel writes the sheet list before the shared strings; after
			// them the library reads the offsets shifted.
			if sst || len(rec.data) < 4 {
				return nil, fileErrorf("the .xls workbook is damaged: a sheet is listed out of place")
			}
			if len(offsets) == opts.MaxSheets {
				return nil, fileErrorf("the workbook has more than %d sheets, the limit", opts.MaxSheets)
			}
			offsets = append(offsets, int(binary.LittleEndian.Uint32(rec.data)))
		}
		if rec.typ == biffEOF && len(rec.data) == 0 && rec.next == p+4 {
			break
		}
		p = rec.next
	}
	records, cells := 0, 0
	for i, start := range offsets {
		rowLast := make(map[uint16]int) // per row, one past its last column
		for p := start; ; {
			rec, ok := biffAt(stream, p)
			if !ok {
				break // the library stops there too, on a panic
			}
			if records++; records > lim.records {
				return nil, fileErrorf("the .xls workbook has more than %d records in its sheets, the limit", lim.records)
			}
			row, first, n := biffCells(rec)
			if n > 0 {
				if first+n > biffColumns {
					return nil, &FileError{Row: int(row) + 1, Message: fmt.Sprintf("sheet %d has a cell in column %d, past the %d of an .xls sheet", i+1, first+n, biffColumns)}
				}
				if cells += n; cells > lim.cells {
					return nil, &FileError{Row: int(row) + 1, Message: fmt.Sprintf("the .xls workbook has more than %d cells, the limit (sheet %d)", lim.cells, i+1)}
				}
				rowLast[row] = max(rowLast[row], first+n)
			}
			if rec.typ == biffEOF && len(rec.data) == 0 {
				break
			}
			p = rec.next
		}
		grid := 0
		for _, w := range rowLast {
			grid += w
		}
		if grid > lim.grid {
			return nil, fileErrorf("sheet %d spans more than %d cells (rows counted to their last cell), the limit", i+1, lim.grid)
		}
	}
	return offsets, nil
}

// biffCells returns the row, first column and number of cells a record
// puts in the sheet: as the library counts them, and formula cells, which
// are read here (0 for other records).
func biffCells(rec biffRecord) (row uint16, first, n int) {
	if len(rec.data) < 4 {
		return 0, 0, 0
	}
	row = binary.LittleEndian.Uint16(rec.data)
	first = int(binary.LittleEndian.Uint16(rec.data[2:]))
	switch rec.typ {
	case biffLabelSST, biffLabel, biffBlank, biffBoolErr, biffNumber, biffRK, biffFormula:
		return row, first, 1
	case biffMulBlank, biffMulRK:
		if len(rec.data) < 6 {
			return 0, 0, 0
		}
		last := binary.LittleEndian.Uint16(rec.data[len(rec.data)-2:])
		return row, first, int(last-uint16(first)) + 1 // uint16 arithmetic, as the library's
	}
	return 0, 0, 0
}

// fixedCells reads, for one sheet, the cells the library misreads or skips:
// RK numbers (their integer form loses its sign there) and the last
// computed values of formula cells.
func fixedCells(stream []byte, start int) (map[uint32]string, map[int]int) {
	fixed, width := map[uint32]string{}, map[int]int{}
	set := func(row, col int, v string) {
		fixed[uint32(row)<<8|uint32(col)] = v
		width[row] = max(width[row], col+1)
	}
	pendingRow, pendingCol := -1, -1 // a formula whose text follows in a STRING record
	for p := start; ; {
		rec, ok := biffAt(stream, p)
		if !ok || rec.typ == biffEOF && len(rec.data) == 0 {
			return fixed, width
		}
		p = rec.next
		d := rec.data
		switch rec.typ {
		case biffRK:
			if len(d) >= 10 {
				set(int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])), rkText(binary.LittleEndian.Uint32(d[6:])))
			}
		case biffMulRK:
			if len(d) < 6 {
				continue
			}
			row, first := int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
			for k, q := 0, 4; q+6 <= len(d)-2 && first+k < biffColumns; k, q = k+1, q+6 {
				set(row, first+k, rkText(binary.LittleEndian.Uint32(d[q+2:])))
			}
		case biffFormula:
			if len(d) < 14 {
				continue
			}
			row, col := int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
			if col >= biffColumns {
				continue
			}
			v := d[6:14]
			if v[6] != 0xFF || v[7] != 0xFF {
				set(row, col, strconv.FormatFloat(math.Float64frombits(binary.LittleEndian.Uint64(v)), 'f', -1, 64))
				continue
			}
			switch v[0] {
			case 0: // text, in the STRING record that follows
				pendingRow, pendingCol = row, col
				set(row, col, "")
				continue
			case 1: // boolean, as XLSX keeps it
				set(row, col, strconv.Itoa(int(v[2]&1)))
			case 2:
				set(row, col, biffError(v[2]))
			case 3:
				set(row, col, "")
			}
		case biffString:
			if pendingRow >= 0 {
				set(pendingRow, pendingCol, biffText(d))
			}
		}
		pendingRow = -1
	}
}

// rkText formats an RK number (a 30-bit integer or the top of a double,
// either one possibly divided by 100) as XLSX keeps numbers.
func rkText(rk uint32) string {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2) // arithmetic shift: keeps the sign
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func biffError(code byte) string {
	switch code {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	}
	return "#N/A"
}

// biffText reads a STRING record's text: a character count, a flag for
// UTF-16 (else one byte per character, Latin-1), the characters.
func biffText(d []byte) string {
	if len(d) < 3 {
		return ""
	}
	n := int(binary.LittleEndian.Uint16(d))
	body := d[3:]
	if d[2]&1 == 0 {
		body = body[:min(n, len(body))]
		r := make([]rune, len(body))
		for i, b := range body {
			r[i] = rune(b)
		}
		return string(r)
	}
	body = body[:min(2*n, len(body)&^1)]
	u := make([]uint16, len(body)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(body[2*i:])
	}
	return string(unicodeutf16.Decode(u))
}

// read returns the cells of the next sheet row (empty rows included) and
// advances x.i; ok is false past the last row.
func (x *xlsRows) read() (cells []string, ok bool) {
	if x.i >= x.n {
		return nil, false
	}
	row, _ := x.sheet.GetRow(x.i)
	cols := row.GetCols()
	cells = make([]string, max(len(cols), x.width[x.i]))
	for j, c := range cols {
		switch c.(type) {
		case *record.Rk:
			// read below
		case *record.Number:
			cells[j] = strconv.FormatFloat(c.GetFloat64(), 'f', -1, 64)
		case *record.BoolErr:
			switch s := c.GetString(); s {
			case "TRUE":
				cells[j] = "1"
			case "FALSE":
				cells[j] = "0"
			default:
				cells[j] = s
			}
		default:
			cells[j] = c.GetString()
		}
	}
	for j := range cells {
		if v, ok := x.fixed[uint32(x.i)<<8|uint32(j)]; ok {
			cells[j] = v
		}
	}
	x.i++
	return cells, true
}

func (x *xlsRows) next() (rec Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, err = Record{}, &FileError{Row: x.i, Message: fmt.Sprintf("cannot read the .xls workbook: it is corrupt (%v)", p)}
		}
	}()
	for {
		cells, ok := x.read()
		if !ok {
			return Record{}, io.EOF
		}
		if blank(cells) {
			continue
		}
		return sheetRecord(x.i, cells, x.header, x.opts), nil
	}
}

func (x *xlsRows) close() error { return nil }
