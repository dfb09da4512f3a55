package source

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	methods    = []string{"cash", "card", "bank_transfer", "wechat", "alipay"}
	collectors = []string{"Wang", "Li", "Zhang", "Chen", "陳大文", "林小美"}
)

// writePayments writes a payments-like CSV of n rows and returns its size.
func writePayments(tb testing.TB, path string, n int) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status\n")
	day := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := day.Add(time.Duration(i) * 37 * time.Second)
		note := ""
		if i%50 == 0 {
			note = `"R` + strconv.Itoa(i) + `, reissued"`
		} else {
			note = "R" + strconv.Itoa(i)
		}
		fmt.Fprintf(w, "T%08d,%s,C%06d,B%07d,%s,%d.%02d,%s,%s,%s,%s\n",
			i, at.Format("2006-01-02 15:04:05"), i%20000, i/3, "mgmt_fee", 50+i%900, i%100,
			methods[i%len(methods)], collectors[i%len(collectors)], note, "completed")
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

func readRows(tb testing.TB, path string) int {
	r, err := Open(path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if rec.Problem != "" {
			tb.Fatalf("row %d: %s", rec.Row, rec.Problem)
		}
		n++
	}
}

// BenchmarkCSV reads a 200k-row payments CSV (about 21 MB); MB/s is of the file.
func BenchmarkCSV(b *testing.B) {
	p := filepath.Join(b.TempDir(), "payments.csv")
	const rows = 200_000
	b.SetBytes(writePayments(b, p, rows))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if n := readRows(b, p); n != rows {
			b.Fatalf("%d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
}

// TestBigFileMemory reads a 1 GB CSV and checks the peak RSS; it runs only
// with FEEFLOW_SOURCE_BIG=1 (it writes 1 GB to the temp dir).
func TestBigFileMemory(t *testing.T) {
	if os.Getenv("FEEFLOW_SOURCE_BIG") == "" {
		t.Skip("set FEEFLOW_SOURCE_BIG=1 to read a 1 GB file")
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	size := writePayments(t, p, 10_000_000)
	runtime.GC()
	start := time.Now()
	n := readRows(t, p)
	el := time.Since(start)
	peak := peakRSS(t)
	t.Logf("%d rows, %.0f MB in %v (%.0f MB/s), peak RSS %d MiB", n, float64(size)/1e6, el, float64(size)/1e6/el.Seconds(), peak>>20)
	if peak > 256<<20 {
		t.Errorf("peak RSS %d MiB, want under 256 MiB", peak>>20)
	}
}

// peakRSS reads VmHWM (the peak resident set) of this process from /proc.
func peakRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// normalWorkbook is a payments sheet of about size bytes, written like the
// hostile ones: unique IDs and repeated methods as shared strings, numbers
// and dates as values.
func normalWorkbook(tb testing.TB, size int) []byte {
	build := func(rows int) []byte {
		shared := []string{"txn_id", "paid_at", "amount", "method"}
		shared = append(shared, methods...)
		for i := range rows {
			shared = append(shared, fmt.Sprintf("T%08d", i*7919%100_000_000))
		}
		return rawWorkbook(tb, shared, func(w io.Writer) {
			io.WriteString(w, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>`)
			for i := range rows {
				r := i + 2
				fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" s="1"><v>%.5f</v></c><c r="C%d"><v>%d.%02d</v></c><c r="D%d" t="s"><v>%d</v></c></row>`,
					r, r, 4+len(methods)+i, r, 46000+float64(i*37%86400)/86400, r, 50+i*13%900, i*7%100, r, 4+i%len(methods))
			}
		})
	}
	probe := build(1000)
	return build(1000 * size / len(probe))
}

// BenchmarkXLSXHostile reads each hostile workbook until it is refused,
// beside a normal workbook of the same size read whole (and its guard pass
// alone): time and bytes allocated per workbook.
func BenchmarkXLSXHostile(b *testing.B) {
	cases := hostileWorkbooks(b)
	normal := normalWorkbook(b, len(cases[0].data))
	run := func(name string, data []byte, guardOnly bool) {
		p := writeFile(b, "b.xlsx", data)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if guardOnly {
					if _, ferr := guardXLSX(p, Options{MaxXLSXUnzipped: DefaultMaxXLSXUnzipped, MaxSheets: DefaultMaxSheets}, defaultXLSXLimits); ferr != nil {
						b.Fatal(ferr)
					}
					continue
				}
				r, err := Open(p, Options{Name: "b.xlsx"})
				if err != nil {
					continue // refused
				}
				for {
					if _, err := r.Next(); err != nil {
						break
					}
				}
				r.Close()
			}
		})
	}
	run("normal workbook", normal, false)
	run("normal workbook, guard pass only", normal, true)
	for _, c := range cases {
		run(c.name, c.data, false)
	}
}
