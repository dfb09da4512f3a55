package source

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// knownHeaders is a stand-in for the caller's header aliases (English,
// Traditional and Simplified).
var knownHeaders = map[string]bool{}

func init() {
	for _, h := range []string{
		"txn_id", "paid_at", "customer_id", "bill_id", "fee_item", "amount", "method", "collector", "receipt_no", "status",
		"交易號", "收費時間", "實收金額", "付款方式", "收費員", "客戶編號",
		"交易号", "收费时间", "实收金额", "支付方式", "收费员", "客户编号",
	} {
		knownHeaders[strings.ToLower(h)] = true
	}
}

func known(s string) bool { return knownHeaders[strings.ToLower(s)] }

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode gbk %q: %v", s, err)
	}
	return b
}

func big5(t testing.TB, s string) []byte {
	t.Helper()
	b, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode big5 %q: %v", s, err)
	}
	return b
}

func utf16(t testing.TB, s string, e unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// result is everything a Reader yields for one file.
type result struct {
	format  Format
	enc     Encoding
	header  []string
	records []Record
	err     error // from Open or Next
}

func readAll(t testing.TB, path string, opts Options) result {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		return result{err: err}
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	res := result{format: r.Format(), enc: r.Encoding(), header: r.Header()}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after io.EOF = %v, want io.EOF again", err)
			}
			return res
		}
		if err != nil {
			res.err = err
			return res
		}
		res.records = append(res.records, rec)
	}
}

// tcase is one file and what reading it must give.
type tcase struct {
	name    string
	file    string // file name (its extension matters)
	data    []byte
	opts    Options
	format  Format
	enc     Encoding
	header  []string
	records []Record // nil: not checked; empty: none
	errSub  string   // a *FileError whose text contains this
	errRow  int
	errCol  string
}

func (c tcase) run(t *testing.T) {
	t.Helper()
	opts := c.opts
	if opts.Name == "" {
		opts.Name = c.file
	}
	res := readAll(t, writeFile(t, c.file, c.data), opts)
	if c.errSub != "" {
		var fe *FileError
		if !errors.As(res.err, &fe) {
			t.Fatalf("err = %v (%T), want a *FileError containing %q", res.err, res.err, c.errSub)
		}
		if !strings.Contains(fe.Error(), c.errSub) {
			t.Errorf("err = %q, want it to contain %q", fe.Error(), c.errSub)
		}
		if fe.Row != c.errRow || fe.Column != c.errCol {
			t.Errorf("err at row %d column %q, want row %d column %q (%v)", fe.Row, fe.Column, c.errRow, c.errCol, fe)
		}
	} else if res.err != nil {
		t.Fatalf("unexpected error: %v", res.err)
	}
	if c.format != "" && res.format != c.format {
		t.Errorf("format = %q, want %q", res.format, c.format)
	}
	if c.enc != "" && res.enc != c.enc {
		t.Errorf("encoding = %q, want %q", res.enc, c.enc)
	}
	if c.header != nil && !reflect.DeepEqual(res.header, c.header) {
		t.Errorf("header = %q, want %q", res.header, c.header)
	}
	if c.records != nil {
		if len(res.records) != len(c.records) {
			if len(res.records) > 20 {
				res.records = res.records[:20]
			}
			t.Errorf("%d records, want %d:\n got  %+v\n want %+v", len(res.records), len(c.records), res.records, c.records)
			return
		}
		for i := range c.records {
			if !reflect.DeepEqual(res.records[i], c.records[i]) {
				t.Errorf("record %d:\n got  %+v\n want %+v", i, res.records[i], c.records[i])
			}
		}
	}
}

func rec(row int, fields ...string) Record { return Record{Row: row, Fields: fields} }

func bad(row int, problem, col string, fields ...string) Record {
	return Record{Row: row, Fields: fields, Problem: problem, ProblemColumn: col}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestFileErrorText(t *testing.T) {
	for _, c := range []struct {
		e    FileError
		want string
	}{
		{FileError{Message: "the file is empty"}, "the file is empty"},
		{FileError{Row: 3, Message: "m"}, "row 3: m"},
		{FileError{Row: 3, Column: "amount", Message: "m"}, `row 3, column "amount": m`},
		{FileError{Column: "amount", Message: "m"}, `column "amount": m`},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

func TestFormatDetection(t *testing.T) {
	csv := []byte("txn_id,amount\nT1,1\n")
	arr := []byte(` [{"txn_id":"T1"}]`)
	nd := []byte("{\"txn_id\":\"T1\"}\n")
	xlsx := workbook(t, map[string][][]any{"Sheet1": {{"txn_id"}, {"T1"}}}, "Sheet1")
	for _, c := range []struct {
		name, file, ctype string
		force             Format
		data              []byte
		want              Format
		errSub            string
	}{
		{"extension csv", "a.csv", "", "", csv, CSV, ""},
		{"extension tsv", "a.tsv", "", "", []byte("txn_id\tamount\nT1\t1\n"), CSV, ""},
		{"extension txt sniffs", "a.txt", "", "", arr, JSON, ""},
		{"extension jsonl", "a.jsonl", "", "", nd, NDJSON, ""},
		{"sniff array", "upload", "", "", arr, JSON, ""},
		{"sniff object", "upload", "", "", nd, NDJSON, ""},
		{"sniff csv", "upload", "", "", csv, CSV, ""},
		{"sniff zip", "upload", "", "", xlsx, XLSX, ""},
		{"content type json", "upload", "application/json; charset=utf-8", "", arr, JSON, ""},
		{"content type ndjson", "upload", "application/x-ndjson", "", nd, NDJSON, ""},
		{"octet-stream sniffs", "upload", "application/octet-stream", "", xlsx, XLSX, ""},
		{"content type beats extension", "a.json", "text/csv", "", csv, CSV, ""},
		{"text/csv but a zip: bytes win", "a.csv", "text/csv", "", xlsx, XLSX, ""},
		{"xlsx type but text: bytes win", "a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "", csv, CSV, ""},
		{"text/csv but JSON: bytes win", "upload", "text/csv", "", arr, JSON, ""},
		{"json type but an object stream", "upload", "application/json", "", nd, NDJSON, ""},
		{"ndjson type but an array", "a.ndjson", "", "", arr, JSON, ""},
		{"forced csv", "a.json", "application/json", CSV, csv, CSV, ""},
		{"forced json on objects", "upload", "", JSON, nd, NDJSON, ""},
		{"forced xlsx on text", "a.csv", "", XLSX, csv, "", "not a valid XLSX workbook"},
		{"unknown forced format", "a.csv", "", "xlsb", csv, "", `unknown format "xlsb"`},
		{"ole2 bytes that are no workbook", "a.xls", "", "", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "", "the file is not a valid .xls workbook"},
		{"forced xls on text", "a.csv", "", XLS, csv, "", "the file is not a valid .xls workbook"},
		{"text named .xls", "a.xls", "application/vnd.ms-excel", "", []byte("txn_id\tamount\nT1\t1\n"), CSV, ""},
		{"web page named .xls", "a.xls", "", "", []byte("<html><table><tr><td>txn_id</td></tr></table></html>"), "", "is a web page (HTML)"},
		{"xml spreadsheet named .xls", "a.xls", "", "", []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>`), "", "is an XML spreadsheet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := readAll(t, writeFile(t, "f", c.data), Options{Name: c.file, ContentType: c.ctype, Format: c.force})
			if c.errSub != "" {
				if res.err == nil || !strings.Contains(res.err.Error(), c.errSub) {
					t.Fatalf("err = %v, want %q", res.err, c.errSub)
				}
				return
			}
			if res.err != nil {
				t.Fatalf("err = %v", res.err)
			}
			if res.format != c.want {
				t.Errorf("format = %q, want %q", res.format, c.want)
			}
			if len(res.records) != 1 || res.records[0].Fields[0] != "T1" {
				t.Errorf("records = %+v", res.records)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "missing.csv"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
	var fe *FileError
	if _, err := Open(t.TempDir(), Options{}); err == nil || errors.As(err, &fe) {
		t.Errorf("directory: err = %v, want a non-FileError", err)
	}
	p := writeFile(t, "a.csv", []byte("a\n1\n"))
	if _, err := Open(p, Options{Encoding: "latin1"}); !errors.As(err, &fe) || !strings.Contains(fe.Message, `unknown encoding "latin1"`) {
		t.Errorf("unknown encoding: err = %v", err)
	}
	r, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v, want an error", err)
	}
}
