package source

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
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

func openXLSX(path string, opts Options) (x *xlsxRows, header []string, err error) {
	if ferr := checkZip(path, opts); ferr != nil {
		return nil, nil, ferr
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
		UnzipXMLSizeLimit: min(opts.MaxXLSXUnzipped, excelize.StreamChunkSize),
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
	x.sheet = sheets[0]
	if opts.Sheet != "" {
		x.sheet = ""
		for _, s := range sheets { // exact name first, then ignoring case as Excel does
			if s == opts.Sheet {
				x.sheet = s
				break
			}
		}
		for _, s := range sheets {
			if x.sheet == "" && strings.EqualFold(s, opts.Sheet) {
				x.sheet = s
			}
		}
		if x.sheet == "" {
			x.close()
			quoted := make([]string, len(sheets))
			for i, s := range sheets {
				quoted[i] = fmt.Sprintf("%q", s)
			}
			return nil, nil, fileErrorf("sheet %q not found; the workbook has %s", opts.Sheet, strings.Join(quoted, ", "))
		}
	}
	x.rows, err = f.Rows(x.sheet)
	if err != nil {
		x.close()
		return nil, nil, fileErrorf("cannot read sheet %q: %v", x.sheet, err)
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
		hdr := make([]string, len(cells))
		for i, c := range cells {
			if len(c) > opts.MaxFieldBytes {
				x.close()
				return nil, nil, &FileError{Row: x.row, Message: fmt.Sprintf("header column %d is longer than %d bytes", i+1, opts.MaxFieldBytes)}
			}
			hdr[i] = trimCell(c)
		}
		// Trailing empty header cells (formatted but empty) carry nothing.
		for len(hdr) > 0 && hdr[len(hdr)-1] == "" {
			hdr = hdr[:len(hdr)-1]
		}
		if ferr := checkHeader(hdr); ferr != nil {
			x.close()
			ferr.Row = x.row
			return nil, nil, ferr
		}
		x.header = hdr
		return x, hdr, nil
	}
}

// checkZip is the zip-bomb guard: it reads the central directory only.
func checkZip(path string, opts Options) *FileError {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fileErrorf("the file is not a valid XLSX workbook (%v)", err)
	}
	defer zr.Close()
	if len(zr.File) > maxZipEntries {
		return fileErrorf("the workbook has %d parts, more than the %d allowed", len(zr.File), maxZipEntries)
	}
	var total uint64
	sheets, contentTypes := 0, false
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, "[Content_Types].xml") {
			contentTypes = true
		}
		total += f.UncompressedSize64
		if total > uint64(opts.MaxXLSXUnzipped) || total < f.UncompressedSize64 {
			return fileErrorf("the workbook unpacks to more than %s, the limit (a zip bomb?)", sizeText(opts.MaxXLSXUnzipped))
		}
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
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
		rec := Record{Row: x.row, Fields: make([]string, len(x.header))}
		copy(rec.Fields, cells)
		if len(cells) > len(x.header) && !blank(cells[len(x.header):]) {
			rec.Fields = cells
			rec.Problem = fmt.Sprintf("row has %d cells, the header has %d", lastNonBlank(cells), len(x.header))
			return rec, nil
		}
		for i, c := range rec.Fields {
			if x.header[i] != "" && len(c) > x.opts.MaxFieldBytes {
				rec.Problem, rec.ProblemColumn = fmt.Sprintf("field is longer than %d bytes", x.opts.MaxFieldBytes), x.header[i]
				break
			}
		}
		return rec, nil
	}
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
