package source

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rawNumber is a numeric cell stored with exactly this text.
type rawNumber string

// workbook builds an XLSX file with the named sheets, in order; a nil cell
// is left empty and a nil row leaves the row empty.
func workbook(t testing.TB, sheets map[string][][]any, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				if raw, ok := v.(rawNumber); ok {
					err = f.SetCellDefault(name, cell, string(raw))
				} else {
					err = f.SetCellValue(name, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSX(t *testing.T) {
	payments := [][]any{
		nil,
		{" txn_id ", "paid_at", "amount", "method", nil, "note"},
		{"T1", 45123.5, 12.5, "cash"},
		nil,
		{"T2", 45124.25, rawNumber("12.300000000000001"), "wechat", "ignored", "n"},
		{nil, nil, nil, nil},
		{"T3", "2026-09-29 10:00", 100, "alipay", nil, nil, nil, "extra"},
		{"T4", nil, nil, nil, nil, nil, "", ""},
	}
	refunds := [][]any{{"refund_id", "amount"}, {"R1", 5}}
	wb := workbook(t, map[string][][]any{"Payments": payments, "Refunds": refunds, "Empty": nil}, "Payments", "Refunds", "Empty")
	hdr := []string{"txn_id", "paid_at", "amount", "method", "", "note"}
	for _, c := range []tcase{
		{
			name: "first sheet", file: "p.xlsx", data: wb,
			format: XLSX, enc: UTF8, header: hdr,
			records: []Record{
				rec(3, "T1", "45123.5", "12.5", "cash", "", ""),
				rec(5, "T2", "45124.25", "12.300000000000001", "wechat", "ignored", "n"),
				bad(7, "row has 8 cells, the header has 6", "", "T3", "2026-09-29 10:00", "100", "alipay", "", "", "", "extra"),
				rec(8, "T4", "", "", "", "", ""),
			},
		},
		{
			name: "named sheet", file: "p.xlsx", data: wb, opts: Options{Sheet: "Refunds"},
			header: []string{"refund_id", "amount"}, records: []Record{rec(2, "R1", "5")},
		},
		{
			name: "sheet name ignores case", file: "p.xlsx", data: wb, opts: Options{Sheet: "refunds"},
			header: []string{"refund_id", "amount"}, records: []Record{rec(2, "R1", "5")},
		},
		{
			name: "missing sheet", file: "p.xlsx", data: wb, opts: Options{Sheet: "Bills"},
			errSub: `sheet "Bills" not found; the workbook has "Payments", "Refunds", "Empty"`,
		},
		{name: "empty sheet", file: "p.xlsx", data: wb, opts: Options{Sheet: "Empty"}, errSub: `sheet "Empty" is empty`},
		{
			name: "header only", file: "p.xlsx", data: workbook(t, map[string][][]any{"S": {{"a", "b"}}}, "S"),
			header: []string{"a", "b"},
		},
		{
			name: "long cell", file: "p.xlsx", opts: Options{MaxFieldBytes: 3},
			data:    workbook(t, map[string][][]any{"S": {{"a", "b"}, {"1234", "x"}}}, "S"),
			records: []Record{bad(2, "field is longer than 3 bytes", "a", "1234", "x")},
		},
		{
			name: "duplicate header", file: "p.xlsx", data: workbook(t, map[string][][]any{"S": {nil, {"a", "A"}}}, "S"),
			errSub: `column "A" appears twice`, errRow: 2, errCol: "A",
		},
		{
			name: "zip bomb guard", file: "p.xlsx", data: wb, opts: Options{MaxXLSXUnzipped: 4 << 10},
			errSub: "the workbook unpacks to more than 4 KiB, the limit (a zip bomb?)",
		},
		{
			name: "too many sheets", file: "p.xlsx", data: wb, opts: Options{MaxSheets: 2},
			errSub: "the workbook has 3 worksheets, more than the 2 allowed",
		},
		{
			name: "corrupt zip", file: "p.xlsx", data: wb[:len(wb)/2],
			errSub: "not a valid XLSX workbook",
		},
		{
			name: "a zip that is not a workbook", file: "p.xlsx", data: plainZip(t),
			errSub: "the file is a zip archive, not an XLSX workbook",
		},
	} {
		t.Run(c.name, c.run)
	}
}

func plainZip(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("hello.txt")
	fmt.Fprint(w, "hello")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A date cell comes back as its raw serial number, whatever its format.
func TestXLSXRawDate(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	if err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Sheet1", "A1", "paid_at")
	f.SetCellValue("Sheet1", "A2", 45123.5)
	f.SetCellStyle("Sheet1", "A2", "A2", style)
	p := filepath.Join(t.TempDir(), "d.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	tcase{name: "date", file: "d.xlsx", data: data, records: []Record{rec(2, "45123.5")}}.run(t)
}

// Damaged workbooks give a FileError or rows, never a panic.
func TestXLSXDamagedNoPanic(t *testing.T) {
	wb := workbook(t, map[string][][]any{"S": {{"txn_id", "amount"}, {"T1", 1.5}, {"T2", "x"}}}, "S")
	dir := t.TempDir()
	r := newRand(7)
	for i := 0; i < 300; i++ {
		data := append([]byte(nil), wb...)
		for k := 0; k < 1+i%4; k++ {
			data[r.IntN(len(data))] = byte(r.UintN(256))
		}
		if i%10 == 0 {
			data = data[:r.IntN(len(data))]
		}
		p := filepath.Join(dir, fmt.Sprintf("d%d.xlsx", i))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkReader(t, p, Options{Name: "d.xlsx", Format: XLSX})
	}
}

// rawWorkbook writes a one-sheet XLSX by hand, as a hostile tool could:
// sheetData receives the rows' XML, shared holds the shared-strings table.
func rawWorkbook(t testing.TB, shared []string, sheetData func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	part := func(name, text string) io.Writer {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, text)
		return w
	}
	ct := `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	if shared != nil {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	part("[Content_Types].xml", ct+`</Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if shared != nil {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	part("xl/_rels/workbook.xml.rels", rels+`</Relationships>`)
	if shared != nil {
		w := part("xl/sharedStrings.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(shared), len(shared)))
		for _, s := range shared {
			fmt.Fprintf(w, "<si><t>%s</t></si>", s)
		}
		io.WriteString(w, "</sst>")
	}
	w := part("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	sheetData(w)
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// headerRow writes row 1 with inline strings.
func headerRow(w io.Writer, names ...string) {
	io.WriteString(w, `<row r="1">`)
	for i, n := range names {
		fmt.Fprintf(w, `<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>`, excelizeColumn(i+1), n)
	}
	io.WriteString(w, `</row>`)
}

// hostileWorkbooks are the workbooks of about 100 KB that made excelize
// take gigabytes or tens of seconds, and what refuses each.
func hostileWorkbooks(t testing.TB) []struct {
	name   string
	data   []byte
	errSub string
	errRow int
} {
	long := func(n int) []string { return []string{"txn_id", strings.Repeat("x", n)} }
	sharedRows := func(w io.Writer) {
		headerRow(w, "txn_id", "note")
		for r := 2; r <= 12_000; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d" t="s"><v>1</v></c></row>`, r, r, r)
		}
	}
	return []struct {
		name   string
		data   []byte
		errSub string
		errRow int
	}{
		{
			name: "every row points to one 60 KB shared string",
			data: rawWorkbook(t, long(60_000), sharedRows), errSub: "shared string 2 is longer than 32767 characters",
		},
		{
			name: "every row points to one 30 KB shared string",
			data: rawWorkbook(t, long(30_000), sharedRows), errRow: 585,
			errSub: "cell B585: with the cells above it the sheet repeats more than",
		},
		{
			name: "one cell per row in column XFD",
			data: rawWorkbook(t, nil, func(w io.Writer) {
				headerRow(w, "txn_id", "amount")
				for r := 2; r <= 10_000; r++ {
					fmt.Fprintf(w, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="XFD%d"><v>1</v></c></row>`, r, r, r, r)
				}
			}),
			errRow: 66, errSub: "cell XFD66: with the rows above it the sheet spans more than",
		},
		{
			name: "a row of empty cells",
			data: rawWorkbook(t, nil, func(w io.Writer) {
				headerRow(w, "txn_id", "amount")
				io.WriteString(w, `<row r="2">`+strings.Repeat("<c/>", 100_000)+`</row>`)
			}),
			errRow: 2, errSub: "the row has more than 16384 cells, Excel's limit",
		},
		{
			name: "rows full of empty cells",
			data: rawWorkbook(t, nil, func(w io.Writer) {
				headerRow(w, "txn_id", "amount")
				row := strings.Repeat("<c/>", 16_000)
				for r := 2; r <= 400; r++ {
					fmt.Fprintf(w, `<row r="%d">%s</row>`, r, row)
				}
			}),
			errSub: `the part "xl/worksheets/sheet1.xml" unpacks to`,
		},
		{
			name: "a shared-strings table no cell uses",
			data: rawWorkbook(t, func() []string {
				// Varied text, so that the table is not refused as a zip bomb.
				shared, rnd := make([]string, 200_000), newRand(3)
				for i := range shared {
					shared[i] = string(rune('a'+rnd.IntN(26))) + string(rune('a'+rnd.IntN(26)))
				}
				return shared
			}(), func(w io.Writer) {
				headerRow(w, "txn_id")
				io.WriteString(w, `<row r="2"><c r="A2" t="s"><v>7</v></c></row>`)
			}),
			errSub: "the workbook's shared-strings table has 200000 entries for 1 cells that use one, more than 65536 unused, the limit",
		},
		{
			name: "a row number past Excel's last",
			data: rawWorkbook(t, nil, func(w io.Writer) {
				headerRow(w, "txn_id")
				io.WriteString(w, `<row r="1048577"><c r="A1048577"><v>1</v></c></row>`)
			}),
			errRow: 1048577, errSub: "has more than 1048576 rows, Excel's limit",
		},
		{
			name: "rows without numbers past Excel's last",
			data: rawWorkbook(t, nil, func(w io.Writer) {
				headerRow(w, "txn_id")
				io.WriteString(w, `<row r="1048570"><c><v>1</v></c></row>`+strings.Repeat("<row><c><v>1</v></c></row>", 10))
			}),
			errRow: 1048577, errSub: "has more than 1048576 rows, Excel's limit",
		},
	}
}

// Hostile workbooks are refused with a FileError naming what and where,
// after a bounded amount of work: the bytes allocated while refusing stay
// under a few megabytes, where reading them took gigabytes.
func TestXLSXHostile(t *testing.T) {
	for _, c := range hostileWorkbooks(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("%d KB", len(c.data)>>10)
			p := writeFile(t, "h.xlsx", c.data)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res := readAll(t, p, Options{Name: "h.xlsx"})
			runtime.ReadMemStats(&after)
			var fe *FileError
			if !errors.As(res.err, &fe) || !strings.Contains(fe.Error(), c.errSub) || fe.Row != c.errRow {
				t.Fatalf("err = %v, want a FileError at row %d containing %q", res.err, c.errRow, c.errSub)
			}
			if len(res.records) > 0 {
				t.Errorf("%d records before the refusal, want none", len(res.records))
			}
			// The guard keeps no more than counters and the shared strings'
			// lengths; the caps (16 MiB of shared text, a million grid cells)
			// are what the refusal may cost at most.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing allocated %d MiB, want under 64 MiB", alloc>>20)
			}
		})
	}
}

// A workbook under every cap reads whole, the caps apart: a long shared
// string used on a few rows, a stray cell in column XFD.
func TestXLSXUnderTheCaps(t *testing.T) {
	wb := rawWorkbook(t, []string{"txn_id", "note", strings.Repeat("长", 32767)}, func(w io.Writer) {
		io.WriteString(w, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`)
		for r := 2; r <= 100; r++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>2</v></c><c r="B%d"><v>%d</v></c></row>`, r, r, r, r)
		}
		io.WriteString(w, `<row r="101"><c r="A101"><v>1</v></c><c r="XFD101"><v>1</v></c></row>`)
	})
	res := readAll(t, writeFile(t, "u.xlsx", wb), Options{Name: "u.xlsx", MaxFieldBytes: 200 << 10})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.records) != 100 || res.records[98].Fields[1] != "100" || res.records[99].Problem != "row has 16384 cells, the header has 2" {
		t.Fatalf("%d records, last %+v", len(res.records), res.records[len(res.records)-1].Problem)
	}
}

// In raw mode every filled row is a record, the header and the lines
// around it included, numbered as the sheet numbers it.
func TestXLSXRaw(t *testing.T) {
	statement := [][]any{
		{"交易明细"},
		{"账号:", "6222 0000 1234"},
		nil,
		{"交易时间", "收入", "支出", "摘要", nil},
		{45123.5, "100.00", nil, "转账", nil},
		{nil, nil, nil, nil, nil},
		{45124.25, nil, rawNumber("12.3"), " 手续费 ", nil, nil, "x"},
		{"合计", "100.00", "12.30"},
	}
	wb := workbook(t, map[string][][]any{"明细": statement, "Other": {{"a"}}}, "明细", "Other")
	for _, c := range []tcase{
		{
			name: "every row", file: "s.xlsx", data: wb, opts: Options{Raw: true}, format: XLSX,
			records: []Record{
				rec(1, "交易明细"),
				rec(2, "账号:", "6222 0000 1234"),
				rec(4, "交易时间", "收入", "支出", "摘要"),
				rec(5, "45123.5", "100.00", "", "转账"),
				rec(7, "45124.25", "", "12.3", " 手续费 ", "", "", "x"),
				rec(8, "合计", "100.00", "12.30"),
			},
		},
		{
			name: "named sheet", file: "s.xlsx", data: wb, opts: Options{Raw: true, Sheet: "other"},
			records: []Record{rec(1, "a")},
		},
		{
			name: "long field", file: "s.xlsx", data: wb, opts: Options{Raw: true, MaxFieldBytes: 12},
			records: []Record{
				rec(1, "交易明细"),
				bad(2, "field 2 is longer than 12 bytes", "", "账号:", "6222 0000 1234"),
				rec(4, "交易时间", "收入", "支出", "摘要"),
				rec(5, "45123.5", "100.00", "", "转账"),
				rec(7, "45124.25", "", "12.3", " 手续费 ", "", "", "x"),
				rec(8, "合计", "100.00", "12.30"),
			},
		},
		{
			name: "empty sheet gives no records", file: "e.xlsx", opts: Options{Raw: true},
			data: workbook(t, map[string][][]any{"S": nil}, "S"), records: []Record{},
		},
		{
			// A header that would be refused is only a row here.
			name: "duplicate names are data", file: "d.xlsx", opts: Options{Raw: true},
			data: workbook(t, map[string][][]any{"S": {{"a", "A"}}}, "S"), records: []Record{rec(1, "a", "A")},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.run(t)
			r, err := Open(writeFile(t, c.file, c.data), Options{Name: c.file, Raw: true})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if h := r.Header(); h != nil {
				t.Errorf("Header() = %q in raw mode, want nil", h)
			}
		})
	}
}

// zipPart returns a part holding text, as a zip.File.
func zipPart(t testing.TB, text []byte) *zip.File {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(text)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0]
}

// scanBoth scans a part with the fast scanner and with encoding/xml; fast
// is false when the fast scanner left the part to encoding/xml.
func scanBoth(t testing.TB, text []byte, shared []int32, lim xlsxLimits) (fastRes, slowRes string, fast bool) {
	f := zipPart(t, text)
	show := func(refs int64, ferr *FileError) string {
		if ferr != nil {
			return ferr.Error()
		}
		return fmt.Sprint(refs, " refs")
	}
	rc, _ := f.Open()
	s := &sheetScan{f: f, lim: lim, shared: shared, maxSheets: 3}
	err := s.fast(bufio.NewReaderSize(&runGuard{r: rc, limit: lim.textRun}, 64<<10))
	rc.Close()
	var ferr *FileError
	switch {
	case errors.Is(err, errSlowPath):
	case errors.As(err, &ferr):
		fastRes, fast = ferr.Error(), true
	default:
		fastRes, fast = show(s.refs, partError(f, err, lim)), true
	}
	s = &sheetScan{f: f, lim: lim, shared: shared, maxSheets: 3}
	return fastRes, show(s.refs, s.slow()), fast
}

// The fast scanner counts what encoding/xml counts, or leaves the part to
// it: on the hostile sheets, on markup it does not handle, and on damaged
// sheets.
func TestXLSXFastScan(t *testing.T) {
	lim := defaultXLSXLimits
	lim.gridAllowance, lim.sharedAllowance, lim.rowCells = 40, 40, 6
	shared := []int32{5, 30, 2}
	body := func(rows string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`)
	}
	cases := map[string][]byte{
		"plain":             body(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1.5</v></c></row><row r="2"><c r="C2" t="s"><v>1</v></c></row>`),
		"grid":              body(`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="AN2"><v>1</v></c></row>`),
		"shared text":       body(strings.Repeat(`<row><c t="s"><v> 1 </v></c></row>`, 4)),
		"cells in a row":    body(`<row r="3">` + strings.Repeat(`<c/>`, 7) + `</row>`),
		"prefixes":          body(`<x:row r="1"><x:c r="ZZ1" x:t="s"><x:v>1</x:v></x:c></x:row>`),
		"quoted >":          body(`<row r="1" spans="1:2" x14ac:dyDescent="a>b"><c r="AN1" s='3'><v>1</v></c></row>`),
		"rows before data":  []byte(`<worksheet><sheetPr><row r="9"><c r="AZ9"><v>1</v></c></row></sheetPr><sheetData/></worksheet>`),
		"rows after data":   body(`<row r="1"/>`)[:0:0],
		"no declaration":    []byte(`<worksheet><sheetData><row><c r="AN1"><v>1</v></c></row></sheetData></worksheet>`),
		"comment":           body(`<!-- <row><c r="AN1"><v>1</v></c></row> --><row r="1"><c r="AN1"><v>1</v></c></row>`),
		"cdata":             body(`<row r="1"><c r="A1" t="s"><v><![CDATA[1]]></v></c></row>`),
		"entity in a value": body(`<row r="1"><c r="A1" t="s"><v>&#49;</v></c></row>`),
		"entity in r":       body(`<row r="1"><c r="A&#78;1"><v>1</v></c></row>`),
		"utf-16 declared":   []byte(`<?xml version="1.0" encoding="UTF-16"?><worksheet/>`),
		"gbk declared":      []byte(`<?xml version="1.0" encoding="gbk"?><worksheet><sheetData><row><c r="AN1"><v>1</v></c></row></sheetData></worksheet>`),
		"cut short":         body(`<row r="1"><c r="AN1"><v>1</v></c></row>`)[:150],
		"workbook":          []byte(`<workbook><sheets><sheet name="a"/><sheet name="b"/><sheet name="c"/><sheet name="d"/></sheets></workbook>`),
	}
	cases["rows after data"] = append(body(``), []byte(`<row r="1"><c r="AZ1"><v>1</v></c></row>`)...)
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			fastRes, slowRes, fast := scanBoth(t, text, shared, lim)
			t.Logf("fast %v: %s", fast, slowRes)
			if fast && fastRes != slowRes {
				t.Errorf("fast scan: %s\nencoding/xml: %s", fastRes, slowRes)
			}
		})
	}
	// Damaged sheets: where encoding/xml stops, the fast scanner may count
	// on (excelize stops there too), but never less.
	r := newRand(17)
	const alphabet = `<>/="' rcvst1A&!?:`
	bases := []string{"plain", "grid", "shared text", "prefixes", "quoted >", "rows before data", "rows after data", "cells in a row"}
	for i := 0; i < 4000; i++ {
		text := append([]byte(nil), cases[bases[i%len(bases)]]...)
		for k := 0; k < 1+i%4; k++ {
			text[r.IntN(len(text))] = alphabet[r.IntN(len(alphabet))]
		}
		fastRes, slowRes, fast := scanBoth(t, text, shared, lim)
		var fastRefs, slowRefs int
		_, fastErr := fmt.Sscanf(fastRes, "%d refs", &fastRefs)
		_, slowErr := fmt.Sscanf(slowRes, "%d refs", &slowRefs)
		switch {
		case !fast, strings.Contains(slowRes, "damaged"):
		case slowErr == nil && fastErr == nil && fastRefs < slowRefs,
			slowErr != nil && fastErr == nil:
			t.Errorf("%q:\nfast scan: %s\nencoding/xml: %s", text, fastRes, slowRes)
		}
	}
}
