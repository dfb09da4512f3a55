package source

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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
