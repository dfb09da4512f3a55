package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf8"
)

// Seed corpora are in testdata/fuzz/<Target>/.

// checkReader opens the file and reads it to the end, checking the
// properties every input must keep: no panic, only *FileError for bad
// content, one field per header column unless the row has a Problem, and
// strictly increasing row numbers.
func checkReader(t *testing.T, path string, opts Options) (header []string, records []Record, ok bool) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Message == "" {
			t.Fatalf("Open: %v (%T), want a *FileError", err, err)
		}
		return nil, nil, false
	}
	defer r.Close()
	hdr := r.Header()
	names := map[string]bool{}
	for _, h := range hdr {
		names[h] = true
	}
	prev := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return hdr, records, true
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Fatalf("Next: %v (%T), want a *FileError", err, err)
			}
			if fe.Row < 0 {
				t.Fatalf("FileError row %d", fe.Row)
			}
			return hdr, records, false
		}
		if rec.Problem == "" && len(rec.Fields) != len(hdr) {
			t.Fatalf("row %d has %d fields, header %d, and no problem", rec.Row, len(rec.Fields), len(hdr))
		}
		if rec.Problem == "" && rec.ProblemColumn != "" {
			t.Fatalf("row %d: ProblemColumn %q without a Problem", rec.Row, rec.ProblemColumn)
		}
		if rec.ProblemColumn != "" && !names[rec.ProblemColumn] {
			t.Fatalf("row %d: ProblemColumn %q is not a header name", rec.Row, rec.ProblemColumn)
		}
		if rec.Row <= prev {
			t.Fatalf("row %d after row %d", rec.Row, prev)
		}
		prev = rec.Row
		records = append(records, rec)
	}
}

func fuzzFile(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func FuzzCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzFile(t, "f.csv", data)
		checkReader(t, p, Options{Name: "f.csv", Format: CSV, KnownHeader: known})
		checkReader(t, p, Options{Name: "f.csv", Format: CSV, MaxFieldBytes: 4, Encoding: GBK})
	})
}

func FuzzJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, ndjson bool) {
		format := JSON
		if ndjson {
			format = NDJSON
		}
		p := fuzzFile(t, "f.json", data)
		hdr, recs, ok := checkReader(t, p, Options{Name: "f.json", Format: format, Encoding: UTF8})
		if ok && format == JSON {
			compareWithStdlib(t, data, hdr, recs)
		}
		checkReader(t, p, Options{Name: "f.json", KnownHeader: known, MaxFieldBytes: 3})
	})
}

// compareWithStdlib checks the values read from a JSON array against
// encoding/json's reading of the same text.
func compareWithStdlib(t *testing.T, data []byte, hdr []string, recs []Record) {
	if !utf8.Valid(data) || !json.Valid(data) {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var arr []any
	if err := dec.Decode(&arr); err != nil {
		return
	}
	if len(arr) != len(recs) {
		t.Fatalf("%d records, encoding/json sees %d elements", len(recs), len(arr))
	}
	for _, rec := range recs {
		obj, isObj := arr[rec.Row-1].(map[string]any)
		if !isObj {
			if rec.Problem == "" {
				t.Fatalf("element %d is not an object but has no problem", rec.Row)
			}
			continue
		}
		if rec.Problem != "" {
			continue
		}
		for k := range obj {
			if trimCell(k) != k {
				return // keys are trimmed: the maps differ
			}
		}
		for i, h := range hdr {
			if h == "" {
				continue
			}
			want := ""
			switch v := obj[h].(type) {
			case string:
				want = v
			case json.Number:
				want = string(v)
			case bool:
				want = strconv.FormatBool(v)
			case nil:
			default:
				t.Fatalf("element %d, %q: nested value %v without a problem", rec.Row, h, v)
			}
			if rec.Fields[i] != want {
				t.Fatalf("element %d, %q = %q, encoding/json says %q", rec.Row, h, rec.Fields[i], want)
			}
		}
	}
}

func FuzzDetectEncoding(f *testing.F) {
	f.Fuzz(func(t *testing.T, head []byte, truncated, jsonish bool, extra []byte) {
		if len(extra) == 0 {
			extra = nil
		}
		enc, bom, ferr := detectEncoding(head, truncated, extra, jsonish, known)
		enc2, bom2, ferr2 := detectEncoding(head, truncated, extra, jsonish, known)
		if enc != enc2 || bom != bom2 || (ferr == nil) != (ferr2 == nil) {
			t.Fatalf("not deterministic: %q %d %v / %q %d %v", enc, bom, ferr, enc2, bom2, ferr2)
		}
		if ferr != nil {
			if enc != "" || ferr.Message == "" {
				t.Fatalf("error %v with encoding %q", ferr, enc)
			}
			return
		}
		switch enc {
		case UTF8:
			if bom == 3 {
				if !bytes.HasPrefix(head, utf8BOM) {
					t.Fatalf("BOM length 3 without a BOM")
				}
			} else if bom != 0 {
				t.Fatalf("bom = %d", bom)
			} else {
				ev := head
				if extra != nil && isASCII(head) {
					ev, truncated = extra, true
				}
				if !validUTF8Prefix(ev, truncated) {
					t.Fatalf("utf-8 chosen for invalid UTF-8 %q", ev)
				}
			}
		case GBK, Big5:
			if bom != 0 {
				t.Fatalf("bom %d with %q", bom, enc)
			}
		default:
			t.Fatalf("encoding %q", enc)
		}
		if bytes.IndexByte(head[bom:], 0) >= 0 {
			t.Fatalf("NUL byte accepted as %q", enc)
		}
	})
}

// FuzzXLSX feeds arbitrary bytes, and mutations of a real workbook, to the
// XLSX reader: damaged workbooks must give a FileError, never a panic or an
// unbounded read.
func FuzzXLSX(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	if b, err := os.ReadFile(filepath.Join("testdata", "fuzz-seed.xlsx")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "f.xlsx")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		checkReader(t, path, Options{Name: "f.xlsx", Format: XLSX, MaxXLSXUnzipped: 8 << 20})
		checkRaw(t, path, Options{Name: "f.xlsx", Format: XLSX, MaxXLSXUnzipped: 8 << 20, Raw: true})
	})
}

// FuzzXLS feeds arbitrary bytes, and mutations of a real .xls workbook, to
// the XLS reader: damaged workbooks must give a FileError, never a panic, a
// hang or an allocation the caps do not bound.
func FuzzXLS(f *testing.F) {
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	if b, err := os.ReadFile(filepath.Join("testdata", "xls", "sample.xls")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "f.xls")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		checkReader(t, path, Options{Name: "f.xls", Format: XLS, MaxXLSXUnzipped: 8 << 20})
		checkRaw(t, path, Options{Name: "f.xls", Format: XLS, MaxXLSXUnzipped: 8 << 20, Raw: true, Sheet: "refunds.csv"})
	})
}

// checkRaw reads a file in raw mode to the end: no panic, only *FileError
// for bad content, no header, no blank record, strictly increasing rows.
func checkRaw(t *testing.T, path string, opts Options) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Message == "" {
			t.Fatalf("Open: %v (%T), want a *FileError", err, err)
		}
		return
	}
	defer r.Close()
	if h := r.Header(); h != nil {
		t.Fatalf("header %q in raw mode", h)
	}
	prev := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Message == "" || fe.Row < 0 {
				t.Fatalf("Next: %v (%T), want a *FileError", err, err)
			}
			return
		}
		if blank(rec.Fields) || rec.Row <= prev {
			t.Fatalf("record %+v after row %d", rec, prev)
		}
		prev = rec.Row
	}
}
