package source

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readRaw(t *testing.T, body string) ([]Record, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{Raw: true})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if !r.Raw() || r.Header() != nil && len(r.Header()) != 0 {
		t.Fatalf("raw reader took header %v", r.Header())
	}
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}

func TestRawCSV(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       [][]string
		rows       []int
		errSub     string
	}{
		{name: "title, header, trailing delimiter, short footer",
			body: "Statement\n\nDate,Amount,\n20260901,5.00,\nTotal,5.00\n",
			want: [][]string{{"Statement"}, {"Date", "Amount", ""}, {"20260901", "5.00", ""}, {"Total", "5.00"}}, rows: []int{1, 3, 4, 5}},
		{name: "bare quote inside an unquoted field",
			body: "a,b\n12\" pipe,2\n", want: [][]string{{"a", "b"}, {`12" pipe`, "2"}}},
		{name: "quote followed by a tab",
			body: "\"2026-09-01\"\t,\"420000\"\t,\"x\"\n", want: [][]string{{"2026-09-01", "420000", "x"}}},
		{name: "quoted line break and doubled quote, CRLF",
			body: "a,b\r\n\"line\r\nnext\",\"say \"\"hi\"\"\"\r\n", want: [][]string{{"a", "b"}, {"line\nnext", `say "hi"`}}, rows: []int{1, 2}},
		{name: "tab separated", body: "a\tb\n1\t2\n", want: [][]string{{"a", "b"}, {"1", "2"}}},
		{name: "tab separated below a title", body: "Statement, September\na\tb\n1\t2\n", want: [][]string{{"Statement, September"}, {"a", "b"}, {"1", "2"}}},
		{name: "cells ending in a tab, comma separated", body: "a,b,c\n1\t,2\t,3\n", want: [][]string{{"a", "b", "c"}, {"1\t", "2\t", "3"}}},
		{name: "text after a closing quote", body: "a,b\n\"x\"y,2\n", errSub: "field 1: a quote (\") inside a quoted field on line 2"},
		{name: "unterminated quote", body: "a,b\n1,\"open\n2,3\n", errSub: "the quoted field 2 that starts on line 2 is never closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs, err := readRaw(t, c.body)
			if c.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), c.errSub) {
					t.Fatalf("err = %v, want %q", err, c.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			var rows []int
			for _, r := range recs {
				got = append(got, r.Fields)
				rows = append(rows, r.Row)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("records = %q, want %q", got, c.want)
			}
			if c.rows != nil && !reflect.DeepEqual(rows, c.rows) {
				t.Errorf("rows = %v, want %v", rows, c.rows)
			}
		})
	}
}

func TestCSVTrailingDelimiter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.csv")
	os.WriteFile(path, []byte("a,b\n1,2,\n3,4\n"), 0o644)
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < 2; i++ {
		rec, err := r.Next()
		if err != nil || rec.Problem != "" || len(rec.Fields) != 2 {
			t.Errorf("row %d = %+v, %v", i+2, rec, err)
		}
	}
}

// FuzzRawCSV reads arbitrary text without a header: no panic, rows in
// increasing order, every error a FileError naming a line.
func FuzzRawCSV(f *testing.F) {
	f.Add([]byte("Statement\n\nDate,Amount,\n20260901,5.00,\nTotal,5.00\n"))
	f.Add([]byte("\"2026-09-01\"\t,\"420000\"\t,\"x\"\n12\" pipe,2\n\"open\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, Options{Raw: true, Format: CSV, MaxFieldBytes: 64})
		if err != nil {
			return
		}
		defer r.Close()
		last := 0
		for {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if fe, ok := err.(*FileError); !ok || fe.Row <= 0 {
					t.Fatalf("error %v is not a FileError naming a line", err)
				}
				return
			}
			if rec.Row <= last {
				t.Fatalf("row %d after row %d", rec.Row, last)
			}
			last = rec.Row
		}
	})
}
