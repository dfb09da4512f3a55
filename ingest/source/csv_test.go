package source

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestCSV(t *testing.T) {
	hdr := []string{"txn_id", "paid_at", "amount", "method"}
	for _, c := range []tcase{
		{
			name: "comma", file: "p.csv",
			data:   []byte("txn_id,paid_at,amount,method\nT1,2026-09-29 10:00,12.50,cash\nT2,2026-09-29 11:00,3,wechat\n"),
			format: CSV, enc: UTF8, header: hdr,
			records: []Record{rec(2, "T1", "2026-09-29 10:00", "12.50", "cash"), rec(3, "T2", "2026-09-29 11:00", "3", "wechat")},
		},
		{
			name: "semicolon", file: "p.csv",
			data:    []byte("txn_id;paid_at;amount;method\r\nT1;2026-09-29;12,50;cash\r\n"),
			header:  hdr,
			records: []Record{rec(2, "T1", "2026-09-29", "12,50", "cash")},
		},
		{
			name: "tab", file: "p.tsv",
			data:    []byte("txn_id\tpaid_at\tamount\tmethod\nT1\t2026-09-29\t1,000.00\tcash\n"),
			header:  hdr,
			records: []Record{rec(2, "T1", "2026-09-29", "1,000.00", "cash")},
		},
		{
			name: "delimiter inside quotes does not count", file: "p.csv",
			data:    []byte("\"a;b;c\",d\n1,2\n"),
			header:  []string{"a;b;c", "d"},
			records: []Record{rec(2, "1", "2")},
		},
		{
			name: "single column", file: "p.csv",
			data:    []byte("txn_id\nT1\nT2\n"),
			header:  []string{"txn_id"},
			records: []Record{rec(2, "T1"), rec(3, "T2")},
		},
		{
			name: "quoted commas and newlines keep the starting line", file: "p.csv",
			data: []byte("txn_id,note,amount\n" +
				"T1,\"Wang, Li\",1\n" +
				"T2,\"line one\nline two\r\nline three\",2\n" +
				"T3,\"say \"\"hi\"\"\",3\n"),
			header: []string{"txn_id", "note", "amount"},
			records: []Record{
				rec(2, "T1", "Wang, Li", "1"),
				rec(3, "T2", "line one\nline two\nline three", "2"),
				rec(6, "T3", `say "hi"`, "3"),
			},
		},
		{
			name: "utf-8 with BOM", file: "p.csv",
			data:    []byte("\xEF\xBB\xBF交易號,實收金額\n T1 ,100\n"),
			enc:     UTF8,
			header:  []string{"交易號", "實收金額"},
			records: []Record{rec(2, " T1 ", "100")},
		},
		{
			name: "header cells trimmed, empty header cell allowed", file: "p.csv",
			data:    []byte(" txn_id ,\u3000amount\u00a0,,note\nT1,1,x,\n"),
			header:  []string{"txn_id", "amount", "", "note"},
			records: []Record{rec(2, "T1", "1", "x", "")},
		},
		{
			name: "blank lines and empty rows skipped", file: "p.csv",
			data:    []byte("\n\ntxn_id,amount\n\nT1,1\n,\n  \n\r\nT2,2\n,,,\n"),
			header:  []string{"txn_id", "amount"},
			records: []Record{rec(5, "T1", "1"), rec(9, "T2", "2")},
		},
		{
			name: "header only", file: "p.csv",
			data:   []byte("txn_id,amount\n"),
			header: []string{"txn_id", "amount"}, records: []Record{},
		},
		{
			name: "header only without newline", file: "p.csv",
			data:   []byte("txn_id,amount"),
			header: []string{"txn_id", "amount"}, records: []Record{},
		},
		{
			name: "no final newline", file: "p.csv",
			data:    []byte("a,b\n1,2"),
			records: []Record{rec(2, "1", "2")},
		},
		{
			name: "ragged rows are problems and reading goes on", file: "p.csv",
			data: []byte("a,b,c\n1,2,3\n1,2\n1,2,3,4\n4,5,6\n"),
			records: []Record{
				rec(2, "1", "2", "3"),
				bad(3, "row has 2 fields, the header has 3", "", "1", "2"),
				bad(4, "row has 4 fields, the header has 3", "", "1", "2", "3", "4"),
				rec(5, "4", "5", "6"),
			},
		},
		{
			name: "one field row", file: "p.csv",
			data:    []byte("a,b\nx\n"),
			records: []Record{bad(2, "row has 1 field, the header has 2", "", "x")},
		},
		{
			name: "long field is a problem", file: "p.csv", opts: Options{MaxFieldBytes: 8},
			data:    []byte("a,b\n12345678,x\n123456789,y\nz,\"123456789\"\n"),
			records: []Record{rec(2, "12345678", "x"), bad(3, "field is longer than 8 bytes", "a", "123456789", "y"), bad(4, "field is longer than 8 bytes", "b", "z", "123456789")},
		},
		{
			name: "long field in a column without a name is ignored", file: "p.csv", opts: Options{MaxFieldBytes: 4},
			data:    []byte("a,\n1,123456789\n"),
			records: []Record{rec(2, "1", "123456789")},
		},
		{
			name: "default field limit", file: "p.csv",
			data:    []byte("a\n" + strings.Repeat("x", 64<<10+1) + "\n"),
			records: []Record{bad(2, "field is longer than 65536 bytes", "a", strings.Repeat("x", 64<<10+1))},
		},
		{
			name: "invalid utf-8 in a field is a problem", file: "p.csv", opts: Options{Encoding: UTF8},
			data:    []byte("txn_id,collector\nT1,Wang\nT2,\xff\xfeX\nT3,Li\n"),
			records: []Record{rec(2, "T1", "Wang"), bad(3, "contains bytes that are not valid utf-8", "collector", "T2", "\xff\xfeX"), rec(4, "T3", "Li")},
		},
		{
			name: "unterminated quote", file: "p.csv",
			data:   []byte("txn_id,note,amount\nT1,ok,1\nT2,\"never closed,2\nT3,x,3\n"),
			errSub: "unterminated quote: the quoted field that starts on line 3 is never closed", errRow: 3, errCol: "note",
		},
		{
			name: "unterminated quote in a later column", file: "p.csv",
			data:   []byte("txn_id,note,amount\nT1,ok,\"1\n"),
			errSub: "line 2 is never closed", errRow: 2, errCol: "amount",
		},
		{
			name: "bare quote", file: "p.csv",
			data:   []byte("txn_id,note,amount\nT1,ok,1\nT2,5\" screen,2\n"),
			errSub: `a quote (") inside an unquoted field on line 3`, errRow: 3, errCol: "note",
		},
		{
			name: "text after a closing quote", file: "p.csv",
			data:   []byte("a,b,c\n1,\"x\ny\"z,3\n"),
			errSub: `a quote (") inside a quoted field on line 3, column 2 must be doubled`, errRow: 2, errCol: "b",
		},
		{
			name: "bad quote in the header", file: "p.csv",
			data:   []byte("a,b\"c\n1,2\n"),
			errSub: "inside an unquoted field on line 1", errRow: 1,
		},
		{
			name: "duplicate header", file: "p.csv",
			data:   []byte("txn_id,amount,Amount\nT1,1,2\n"),
			errSub: `column "Amount" appears twice (columns 2 and 3)`, errRow: 1, errCol: "Amount",
		},
		{name: "empty file", file: "p.csv", data: nil, errSub: "the file is empty"},
		{name: "blank file", file: "p.csv", data: []byte("\n \r\n\t\n"), errSub: "the file is empty"},
		{name: "BOM only", file: "p.csv", data: []byte("\xEF\xBB\xBF"), errSub: "the file is empty"},
		{name: "empty rows only", file: "p.csv", data: []byte(",,\n,\n"), errSub: "the file is empty"},
		{
			name: "old Mac line endings", file: "p.csv",
			data:    []byte("a,b\r1,2\r3,\"x\ry\"\r"),
			records: []Record{rec(2, "1", "2"), rec(3, "3", "x\ny")},
		},
	} {
		t.Run(c.name, c.run)
	}
}

// A missing closing quote early in a big file stops at the record limit
// instead of reading the rest of the file into memory.
func TestCSVRecordLimit(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("txn_id,note\nT1,ok\nT2,\"oops\n")
	for b.Len() < minRecordBytes+1<<20 {
		b.WriteString("T9,some text that goes on and on\n")
	}
	tcase{
		name: "record limit", file: "big.csv", data: b.Bytes(),
		records: []Record{rec(2, "T1", "ok")},
		errSub:  `the row starting on line 3 is longer than 16 MiB; the quoted field that starts on line 3 is probably never closed`,
		errRow:  3, errCol: "note",
	}.run(t)
}

func TestSniffDelimiter(t *testing.T) {
	for in, want := range map[string]byte{
		"a,b,c":           ',',
		"a;b;c":           ';',
		"a\tb\tc":         '\t',
		"a":               ',',
		"a;b,c":           ',', // tie
		"\"x,y,z\";b;c":   ';',
		"\n\n a;b\nc,d,e": ';',
		"a\tb;c\td":       '\t',
	} {
		if got := sniffDelimiter([]byte(in), false); got != want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every data row keeps the line it starts on, whatever comes before it.
func TestCSVRowNumbers(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,note\n")
	line := 2
	var want []Record
	for i := 0; i < 200; i++ {
		switch i % 4 {
		case 0:
			b.WriteString("\n")
			line++
		case 1:
			fmt.Fprintf(&b, "%d,\"two\nlines\"\n", i)
			want = append(want, rec(line, fmt.Sprint(i), "two\nlines"))
			line += 2
			continue
		}
		fmt.Fprintf(&b, "%d,x\n", i)
		want = append(want, rec(line, fmt.Sprint(i), "x"))
		line++
	}
	tcase{name: "rows", file: "r.csv", data: []byte(b.String()), records: want}.run(t)
}
