package source

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testdata/xls/sample.xls was written by Gnumeric from the three CSV files
// beside it (see testdata/xls/README.md); its sheets are named after them.
func sampleXLS(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "xls", "sample.xls"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestXLS(t *testing.T) {
	wb := sampleXLS(t)
	statement := []Record{
		rec(1, "中国建设银行 账户交易明细"),
		rec(2, "账号", "6217000000001234"),
		rec(3, "交易时间", "收入", "支出", "余额", "摘要", "笔数"),
		// Dates and times are serial numbers; negative integers keep
		// their sign; formulas give their last computed value.
		rec(4, "46266.416666666664", "100", "", "1100.5", "转账 收款", "1"),
		rec(5, "46267.60434027778", "", "-50", "1050.5", "退款", "-3"),
		rec(6, "46268.37847222222", "12.34", "", "1062.84", "微信支付", "2"),
		rec(7, "46269", "", "-0.01", "1062.83", "手续费"),
		rec(8, "46270.99998842592", "123456789.12", "", "123457851.95", "大额", "7"),
		rec(9, "合计", "123456901.46", "-50.01", "", "退款", "1"),
	}
	for _, c := range []tcase{
		{name: "raw", file: "s.xls", data: wb, opts: Options{Raw: true}, format: XLS, enc: UTF8, records: statement},
		{
			name: "header", file: "s.xls", data: wb, opts: Options{Sheet: "refunds.csv"}, format: XLS,
			header: []string{"refund_id", "amount"}, records: []Record{rec(2, "R1", "5"), rec(3, "R2", "-7.5")},
		},
		{
			name: "sheet name ignores case", file: "s.xls", data: wb, opts: Options{Sheet: "REFUNDS.CSV"},
			header: []string{"refund_id", "amount"},
		},
		{
			name: "rows wider than the header", file: "s.xls", data: wb,
			header: []string{"中国建设银行 账户交易明细"}, records: []Record{
				bad(2, "row has 2 cells, the header has 1", "", "账号", "6217000000001234"),
				bad(3, "row has 6 cells, the header has 1", "", "交易时间", "收入", "支出", "余额", "摘要", "笔数"),
				bad(4, "row has 6 cells, the header has 1", "", "46266.416666666664", "100", "", "1100.5", "转账 收款", "1"),
				bad(5, "row has 6 cells, the header has 1", "", "46267.60434027778", "", "-50", "1050.5", "退款", "-3"),
				bad(6, "row has 6 cells, the header has 1", "", "46268.37847222222", "12.34", "", "1062.84", "微信支付", "2"),
				bad(7, "row has 5 cells, the header has 1", "", "46269", "", "-0.01", "1062.83", "手续费"),
				bad(8, "row has 6 cells, the header has 1", "", "46270.99998842592", "123456789.12", "", "123457851.95", "大额", "7"),
				bad(9, "row has 6 cells, the header has 1", "", "合计", "123456901.46", "-50.01", "", "退款", "1"),
			},
		},
		{
			// A last row of formulas only, which the library does not see.
			name: "formula results", file: "s.xls", data: wb, opts: Options{Sheet: "formulas.csv"},
			header: []string{"a", "b", "c", "d", "e"}, records: []Record{rec(2, "2", "6", "#DIV/0!", "ab", "1")},
		},
		{
			name: "long field in raw mode", file: "s.xls", data: wb, opts: Options{Raw: true, Sheet: "refunds.csv", MaxFieldBytes: 4},
			records: []Record{bad(1, "field 1 is longer than 4 bytes", "", "refund_id", "amount"), rec(2, "R1", "5"), rec(3, "R2", "-7.5")},
		},
		{
			name: "missing sheet", file: "s.xls", data: wb, opts: Options{Sheet: "Bills"},
			errSub: `sheet "Bills" not found; the workbook has "statement.csv", "refunds.csv", "formulas.csv"`,
		},
		{
			name: "detected by its bytes whatever its name", file: "s.csv", data: wb, opts: Options{ContentType: "text/csv", Sheet: "refunds.csv"},
			format: XLS, header: []string{"refund_id", "amount"},
		},
		{
			name: "too many sheets", file: "s.xls", data: wb, opts: Options{MaxSheets: 1},
			errSub: "the workbook has more than 1 sheets, the limit",
		},
		{
			name: "stream larger than the workbook limit", file: "s.xls", data: wb, opts: Options{MaxXLSXUnzipped: 4 << 10},
			errSub: "more than the 4 KiB allowed",
		},
		{
			name: "file larger than twice the workbook limit", file: "s.xls", data: wb, opts: Options{MaxXLSXUnzipped: 1 << 10},
			errSub: "the .xls file is larger than 2 KiB, the limit",
		},
		{
			name: "cut short", file: "s.xls", data: wb[:len(wb)/2],
			errSub: ".xls workbook",
		},
	} {
		t.Run(c.name, c.run)
	}
}

// The library's view of a workbook is corrected where it is wrong: RK
// numbers are decoded here, with their sign.
func TestRKText(t *testing.T) {
	intRK := func(n int32, div100 bool) uint32 {
		rk := uint32(n)<<2 | 2
		if div100 {
			rk |= 1
		}
		return rk
	}
	floatRK := func(f float64, div100 bool) uint32 {
		rk := uint32(math.Float64bits(f) >> 32)
		if div100 {
			rk |= 1
		}
		return rk &^ 2
	}
	for _, c := range []struct {
		rk   uint32
		want string
	}{
		{intRK(100, false), "100"},
		{intRK(-50, false), "-50"},
		{intRK(-1234, true), "-12.34"},
		{intRK(1230, true), "12.3"},
		{intRK(1<<29-1, false), "536870911"},
		{intRK(-1<<29, false), "-536870912"},
		{floatRK(46266.5, false), "46266.5"},
		{floatRK(-0.5, false), "-0.5"},
		{floatRK(1234.5, true), "12.345"},
	} {
		if got := rkText(c.rk); got != c.want {
			t.Errorf("rkText(%#08x) = %q, want %q", c.rk, got, c.want)
		}
	}
}

// xlsStreamAt returns where the sample's workbook stream lies in the file;
// Gnumeric writes it in consecutive sectors.
func xlsStreamAt(t testing.TB, data []byte) (start int, stream []byte) {
	t.Helper()
	start = bytes.Index(data, []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06})
	if start < 0 {
		t.Fatal("no BIFF8 BOF record in the sample")
	}
	p := writeFile(t, "s.xls", data)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stream, ferr := xlsStream(&budgetReader{f: f, budget: 1 << 20}, Options{MaxXLSXUnzipped: 1 << 30}, defaultXLSLimits)
	if ferr != nil {
		t.Fatal(ferr)
	}
	if !bytes.Equal(data[start:start+len(stream)], stream) {
		t.Fatal("the sample's workbook stream is not in consecutive sectors")
	}
	return start, stream
}

// firstRecord returns the offset in the stream of the first record of the
// given type in the first sheet.
func firstRecord(t testing.TB, stream []byte, typ uint16) int {
	t.Helper()
	offsets, ferr := scanBIFF(stream, Options{MaxSheets: 64}, defaultXLSLimits)
	if ferr != nil {
		t.Fatal(ferr)
	}
	for p := offsets[0]; ; {
		rec, ok := biffAt(stream, p)
		if !ok {
			t.Fatalf("no record %#x", typ)
		}
		if rec.typ == typ {
			return p
		}
		p = rec.next
	}
}

// Damaged and hostile workbooks give a FileError naming the problem, in
// bounded time: the library follows a cyclic sector chain forever and
// allocates what a directory entry declares.
func TestXLSHostile(t *testing.T) {
	wb := sampleXLS(t)
	start, stream := xlsStreamAt(t, wb)
	patch := func(f func(b []byte)) []byte {
		b := append([]byte(nil), wb...)
		f(b)
		return b
	}
	dirEntry := bytes.Index(wb, []byte("W\x00o\x00r\x00k\x00b\x00o\x00o\x00k\x00\x00\x00"))
	if dirEntry < 0 {
		t.Fatal("no Workbook directory entry")
	}
	number := start + firstRecord(t, stream, biffNumber)
	for _, c := range []struct {
		name   string
		data   []byte
		errSub string
		errRow int
	}{
		{
			name: "a cell past column IV",
			data: patch(func(b []byte) { binary.LittleEndian.PutUint16(b[number+6:], 300) }),
			// The record's row is 0-based in the file.
			errSub: "has a cell in column 301, past the 256 of an .xls sheet", errRow: int(binary.LittleEndian.Uint16(wb[number+4:])) + 1,
		},
		{
			name:   "a workbook stream declared at 4 GB",
			data:   patch(func(b []byte) { binary.LittleEndian.PutUint32(b[dirEntry+120:], 0xFFFFFFF0) }),
			errSub: "more than the 64 MiB allowed",
		},
		{
			name: "every sector chain loops back",
			data: patch(func(b []byte) {
				// The FAT: its first sector is the first entry of the header's list.
				fat := (int(binary.LittleEndian.Uint32(b[0x4C:])) + 1) * 512
				for i := fat; i < fat+512; i += 4 {
					if binary.LittleEndian.Uint32(b[i:]) == 0xFFFFFFFE {
						binary.LittleEndian.PutUint32(b[i:], uint32((i-fat)/4))
					}
				}
			}),
			errSub: ".xls workbook",
		},
		{
			name:   "password-protected",
			data:   patch(func(b []byte) { binary.LittleEndian.PutUint16(b[start+20:], biffFilePass) }),
			errSub: "the .xls workbook is password-protected",
		},
		{
			name:   "older than Excel 97",
			data:   patch(func(b []byte) { binary.LittleEndian.PutUint16(b[start+4:], 0x0500) }),
			errSub: "in a format older than Excel 97",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan result, 1)
			go func() { done <- readAll(t, writeFile(t, "h.xls", c.data), Options{Name: "h.xls"}) }()
			var res result
			select {
			case res = <-done:
			case <-time.After(time.Minute): // a hang, not a timing
				t.Fatal("reading did not end")
			}
			var fe *FileError
			if !errors.As(res.err, &fe) || !strings.Contains(fe.Error(), c.errSub) || fe.Row != c.errRow {
				t.Fatalf("err = %v, want a FileError at row %d containing %q", res.err, c.errRow, c.errSub)
			}
		})
	}
}

// The caps are checked on the stream before the library reads it.
func TestXLSLimits(t *testing.T) {
	_, stream := xlsStreamAt(t, sampleXLS(t))
	opts := Options{MaxSheets: 64}
	for _, c := range []struct {
		lim    xlsLimits
		errSub string
	}{
		{xlsLimits{records: 20, cells: 1 << 20, grid: 1 << 20}, "more than 20 records in its sheets"},
		{xlsLimits{records: 1 << 20, cells: 30, grid: 1 << 20}, "more than 30 cells, the limit"},
		{xlsLimits{records: 1 << 20, cells: 1 << 20, grid: 40}, "sheet 1 spans more than 40 cells"},
		{xlsLimits{records: 1 << 20, cells: 1 << 20, grid: 1 << 20}, ""},
	} {
		t.Run(fmt.Sprint(c.lim), func(t *testing.T) {
			_, ferr := scanBIFF(stream, opts, c.lim)
			switch {
			case c.errSub == "" && ferr != nil:
				t.Fatalf("scanBIFF: %v", ferr)
			case c.errSub != "" && (ferr == nil || !strings.Contains(ferr.Error(), c.errSub)):
				t.Fatalf("scanBIFF: %v, want %q", ferr, c.errSub)
			}
		})
	}
}

// Damaged workbooks give a FileError or rows, never a panic or a hang.
func TestXLSDamagedNoPanic(t *testing.T) {
	wb := sampleXLS(t)
	dir := t.TempDir()
	r := newRand(11)
	for i := 0; i < 300; i++ {
		data := append([]byte(nil), wb...)
		for k := 0; k < 1+i%8; k++ {
			data[r.IntN(len(data))] = byte(r.UintN(256))
		}
		if i%10 == 0 {
			data = data[:r.IntN(len(data))]
		}
		p := filepath.Join(dir, fmt.Sprintf("d%d.xls", i))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkReader(t, p, Options{Name: "d.xls", Format: XLS})
		checkRaw(t, p, Options{Name: "d.xls", Format: XLS, Raw: true})
	}
}
