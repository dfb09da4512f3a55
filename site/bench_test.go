package site

// The scale benchmarks. Each runs on generated data (package gen) ingested
// through the real ingest path, at a size given by the environment:
//
//	FEEFLOW_BENCH_PAYMENTS=N   about N payments: N / 28.25 customers over 12
//	                           months (gen makes ~28.25 payments per customer
//	                           and year). Unset: gen's demo size (2,000
//	                           customers, 18 months).
//	FEEFLOW_BENCH_EXPORTS=DIR  make the history of the exports feeflow gen
//	                           wrote in DIR instead of generating them.
//	FEEFLOW_BENCH_DB=FILE      reuse a prepared history. If FILE exists it is
//	                           copied to a temporary folder and used as it is
//	                           (FEEFLOW_BENCH_PAYMENTS is then ignored); if not,
//	                           the data are generated and ingested and the
//	                           database is saved as FILE for the next run,
//	                           with the files of the held-back day beside it
//	                           in FILE.day/ (BenchmarkUploadDay needs them).
//
// The history is everything the generator wrote up to the day before D, the
// last working day of the data, for the payments, settlement lines, refunds
// and invoices (by the paid_at, settled_at, requested_at and issued_at in
// the files), and all the other kinds. The rows of D are written, with the
// files' own headers, as the one-day upload of BenchmarkUploadDay; rows
// after D (a weekend) are left out. Every benchmark starts from the same
// history.
//
// Without FEEFLOW_BENCH_DB each benchmark makes its own data; with it the
// first one makes them and the others reuse them. The build against the
// hand-written one-pass SQL (testdata/baseline.sql), in one run, with the
// ratio printed at the end:
//
//	FEEFLOW_BENCH_DB=/tmp/b565k.duckdb FEEFLOW_BENCH_PAYMENTS=565000 \
//	  go test ./site -run '^$' -bench 'Build' -benchtime 1x -timeout 0 | \
//	  awk '{print} $1 ~ /^BenchmarkBuild-/ {b=$3} $1 ~ /^BenchmarkBuildBaselineSQL/ {s=$3}
//	       END {if (s) printf "build / baseline = %.2f\n", b/s}'
//
// One day's upload into that history, until the new site is current:
//
//	FEEFLOW_BENCH_DB=/tmp/b100k.duckdb FEEFLOW_BENCH_PAYMENTS=100000 \
//	  go test ./site -run '^$' -bench UploadDay -benchtime 1x -timeout 0
//
// The benchmarks set the garbage collector as the feeflow command does
// (GOGC 400 and a soft memory limit of 768 MiB, unless GOGC or GOMEMLIMIT
// is set in the environment).
//
// peak-rss-MB is the process's VmHWM (/proc/self/status), reset when the
// timed part starts: process-wide, so it includes the Go heap the
// benchmark itself keeps as well as DuckDB's memory.

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site/publish"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// paymentsPerCustomerYear is how many payments gen makes per customer and
// year (20,000 customers x 12 months gives 565 k payments).
const paymentsPerCustomerYear = 28.25

// benchZone is the organisation's zone of the benchmark data.
const benchZone = "Asia/Taipei"

// heldBackKinds are the kinds whose rows of the last day make the one-day
// upload, with the column that dates a row.
var heldBackKinds = map[string]string{
	"payments":    "paid_at",
	"settlements": "settled_at",
	"refunds":     "requested_at",
	"invoices":    "issued_at",
}

// dayUpload is the one-day upload kept beside a prepared history: its
// files in upload order.
type dayUpload struct {
	Day   string         `json:"day"`
	Files []gen.FileInfo `json:"files"`
}

// dayManifest is the file in the day folder that lists its files.
const dayManifest = "day.json"

// benchHistory is a prepared history in a temporary folder.
type benchHistory struct {
	db     string // the working copy of the database
	dayDir string // the folder of the held-back day's files
	loc    *time.Location
}

// commandGC runs the benchmark with the garbage collector set as the
// feeflow command sets it (cmd/feeflow, main.go: GOGC 400 and a soft limit
// of 768 MiB, unless GOGC or GOMEMLIMIT is set), so that it measures what
// `feeflow build` and the server do.
func commandGC(b *testing.B) {
	if os.Getenv("GOGC") == "" {
		old := debug.SetGCPercent(400)
		b.Cleanup(func() { debug.SetGCPercent(old) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		old := debug.SetMemoryLimit(768 << 20)
		b.Cleanup(func() { debug.SetMemoryLimit(old) })
	}
}

// benchMemoryLimit bounds DuckDB's memory as feeflow's commands do (the
// build's and the server's bound, FEEFLOW_MEMORY_LIMIT overriding it): the
// benchmarks measure within it.
func benchMemoryLimit() string {
	if env := os.Getenv("FEEFLOW_MEMORY_LIMIT"); env != "" {
		return env
	}
	return "1GB"
}

// prepareHistory returns a working copy of the benchmark history (see the
// top of this file), generating and ingesting it when no prepared one is
// given.
func prepareHistory(b *testing.B) benchHistory {
	b.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation(benchZone)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	h := benchHistory{db: filepath.Join(dir, "bench.duckdb"), loc: loc}
	saved := os.Getenv("FEEFLOW_BENCH_DB")
	if saved != "" {
		h.dayDir = saved + ".day"
		if _, err := os.Stat(saved); err == nil {
			b.Logf("using the prepared history %s", saved)
			copyBenchFile(b, saved, h.db)
			return h
		}
	} else {
		h.dayDir = filepath.Join(dir, "day")
	}
	started := time.Now()
	exports, man := benchExports(b, dir, loc)
	files := splitLastDay(b, exports, man, filepath.Join(dir, "history"), h.dayDir)
	store, err := data.Open(ctx, h.db, data.Options{Location: loc, MemoryLimit: benchMemoryLimit()})
	if err != nil {
		b.Fatal(err)
	}
	if err := analytics.Install(ctx, store); err != nil {
		b.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: loc})
	for _, f := range files {
		if _, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: f.File, FileName: filepath.Base(f.File)}); err != nil {
			b.Fatalf("ingest %s: %v", f.File, err)
		}
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	if os.Getenv("FEEFLOW_BENCH_EXPORTS") == "" {
		os.RemoveAll(exports)
	}
	os.RemoveAll(filepath.Join(dir, "history"))
	b.Logf("generated and ingested %d customers x %d months in %s", man.Customers, man.Months, time.Since(started).Round(time.Second))
	if saved != "" {
		// a run stopped while copying must not leave a history that looks prepared
		copyBenchFile(b, h.db, saved+".part")
		if err := os.Rename(saved+".part", saved); err != nil {
			b.Fatal(err)
		}
		b.Logf("saved the history as %s and its last day in %s", saved, h.dayDir)
	}
	return h
}

// benchExports returns the generated exports the history is made of: those
// in FEEFLOW_BENCH_EXPORTS (a folder feeflow gen wrote, manifest.json
// beside the files) when it is set, else new ones of the benchmark's size.
func benchExports(b *testing.B, dir string, loc *time.Location) (string, *gen.Manifest) {
	b.Helper()
	if exports := os.Getenv("FEEFLOW_BENCH_EXPORTS"); exports != "" {
		raw, err := os.ReadFile(filepath.Join(exports, "manifest.json"))
		if err != nil {
			b.Fatalf("FEEFLOW_BENCH_EXPORTS: %v", err)
		}
		var man gen.Manifest
		if err := json.Unmarshal(raw, &man); err != nil {
			b.Fatalf("FEEFLOW_BENCH_EXPORTS: %v", err)
		}
		return exports, &man
	}
	customers, months := benchSize(b)
	exports := filepath.Join(dir, "exports")
	man, err := gen.Write(context.Background(), exports, gen.Config{Customers: customers, Months: months,
		End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Location: loc})
	if err != nil {
		b.Fatal(err)
	}
	return exports, man
}

// benchSize reads FEEFLOW_BENCH_PAYMENTS as customers and months for gen.
func benchSize(b *testing.B) (customers, months int) {
	s := os.Getenv("FEEFLOW_BENCH_PAYMENTS")
	if s == "" {
		return gen.DefaultCustomers, gen.DefaultMonths
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("FEEFLOW_BENCH_PAYMENTS=%q: want a positive number of payments", s)
	}
	return max(1, int(math.Round(float64(n)/paymentsPerCustomerYear))), 12
}

// benchFile is one file to ingest: its kind and path.
type benchFile struct{ Kind, File string }

// splitLastDay writes the rows of the held-back kinds dated before the
// manifest's last day into histDir and the last day's into dayDir (UTF-8,
// the files' own headers), and returns the history's files in upload
// order. The other kinds go to the history as the generator wrote them.
func splitLastDay(b *testing.B, exports string, man *gen.Manifest, histDir, dayDir string) []benchFile {
	b.Helper()
	for _, d := range []string{histDir, dayDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	day := dayUpload{Day: uploadDay(b, man.AsOf)}
	var history []benchFile
	for _, f := range man.Files {
		src := filepath.Join(exports, f.File)
		col, held := heldBackKinds[f.Kind]
		if !held {
			history = append(history, benchFile{f.Kind, src})
			continue
		}
		at := -1
		for i, c := range f.Columns {
			if c == col {
				at = i
			}
		}
		if at < 0 {
			b.Fatalf("%s has no column %s", f.File, col)
		}
		hist, last, later := splitFile(b, src, f.Encoding, at, day.Day, filepath.Join(histDir, f.File), filepath.Join(dayDir, f.File))
		history = append(history, benchFile{f.Kind, filepath.Join(histDir, f.File)})
		if last > 0 {
			day.Files = append(day.Files, gen.FileInfo{Kind: f.Kind, File: f.File, Rows: last})
		}
		b.Logf("%s: %d rows in the history, %d on %s, %d left out after it", f.File, hist, last, day.Day, later)
	}
	js, err := json.MarshalIndent(day, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dayDir, dayManifest), js, 0o644); err != nil {
		b.Fatal(err)
	}
	return history
}

// uploadDay is the day held back: the last working day (Monday to Friday)
// of the data, so that the upload is a day of ordinary size.
func uploadDay(b *testing.B, asOf string) string {
	d, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		b.Fatal(err)
	}
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d.Format(time.DateOnly)
}

// splitFile copies the rows of src dated before day (column at, a local
// timestamp "YYYY-MM-DD ...") to hist and those of the day to last, leaves
// out the later ones, and counts them.
func splitFile(b *testing.B, src, encoding string, at int, day, hist, last string) (nHist, nLast, nLater int) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	var r io.Reader = bufio.NewReaderSize(in, 1<<20)
	switch encoding {
	case "gbk":
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	case "big5":
		r = transform.NewReader(r, traditionalchinese.Big5.NewDecoder())
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		b.Fatalf("%s: %v", src, err)
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	type out struct {
		f *os.File
		w *bufio.Writer
		c *csv.Writer
	}
	open := func(name string) out {
		f, err := os.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		c := csv.NewWriter(w)
		if err := c.Write(header); err != nil {
			b.Fatal(err)
		}
		return out{f, w, c}
	}
	h, l := open(hist), open(last)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatalf("%s: %v", src, err)
		}
		on := rec[at]
		if len(on) >= 10 {
			on = strings.ReplaceAll(on[:10], "/", "-")
		}
		switch {
		case on < day:
			err, nHist = h.c.Write(rec), nHist+1
		case on == day:
			err, nLast = l.c.Write(rec), nLast+1
		default:
			nLater++
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, o := range []out{h, l} {
		o.c.Flush()
		if err := o.c.Error(); err != nil {
			b.Fatal(err)
		}
		if err := o.w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := o.f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if nLast == 0 {
		os.Remove(last)
	}
	return nHist, nLast, nLater
}

// copyBenchFile copies a file (a database, whole).
func copyBenchFile(b *testing.B, from, to string) {
	b.Helper()
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// openHistory opens the working copy of the history.
func openHistory(b *testing.B, h benchHistory) *data.Store {
	b.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, h.db, data.Options{Location: h.loc, MemoryLimit: benchMemoryLimit()})
	if err != nil {
		b.Fatal(err)
	}
	if err := analytics.Install(ctx, store); err != nil {
		b.Fatal(err)
	}
	return store
}

// reportSize reports the payments in the store.
func reportSize(b *testing.B, store *data.Store) {
	b.Helper()
	var n int64
	if err := store.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM payments").Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n), "payments")
}

// resetPeakRSS makes VmHWM start again from the current resident size
// (Linux 4.0+; elsewhere peak-rss-MB then covers the whole process).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// reportPeakRSS reports VmHWM, when the system tells it.
func reportPeakRSS(b *testing.B) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				b.ReportMetric(float64(kb)/1024, "peak-rss-MB")
			}
		}
	}
}

// benchNow is the build time printed on the pages.
var benchNow = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// buildSplit does what Build does (with the data dictionary, as `feeflow
// build` and the server build), step by step, so that the time splits into
// reading the views and rendering and writing the files.
func buildSplit(ctx context.Context, store *data.Store, out string) (views, render time.Duration, err error) {
	start := time.Now()
	m := analytics.New(store)
	dict, err := analytics.Dictionary(ctx, store)
	if err != nil {
		return 0, 0, err
	}
	d, err := load(ctx, m, time.Time{}, benchNow)
	if err != nil {
		return 0, 0, err
	}
	bl := &builder{d: d, dict: dict, now: benchNow.In(d.zone), langs: Languages, files: map[string][]byte{}, currency: DefaultCurrency}
	if bl.lists, err = loadLists(ctx, m, d.asOf, false); err != nil {
		return 0, 0, err
	}
	loaded := time.Now()
	if err := bl.build(ctx); err != nil {
		return 0, 0, err
	}
	if _, err := bl.write(out); err != nil {
		return 0, 0, err
	}
	return loaded.Sub(start), time.Since(loaded), nil
}

// BenchmarkBuild builds the whole site of the history (read the views,
// render every page in every language, write the files) and reports how
// the time splits.
func BenchmarkBuild(b *testing.B) {
	commandGC(b)
	ctx := context.Background()
	h := prepareHistory(b)
	store := openHistory(b, h)
	defer store.Close()
	out := filepath.Join(b.TempDir(), "site")
	var views, render time.Duration
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		os.RemoveAll(out) // a build is written into a new folder
		v, r, err := buildSplit(ctx, store, out)
		if err != nil {
			b.Fatal(err)
		}
		views += v
		render += r
	}
	b.StopTimer()
	reportPeakRSS(b)
	reportSize(b, store)
	n := time.Duration(b.N)
	b.ReportMetric(float64((views / n).Milliseconds()), "views-ms/op")
	b.ReportMetric(float64((render / n).Milliseconds()), "render-ms/op")
	b.ReportMetric(100*render.Seconds()/(views+render).Seconds(), "render-%")
	var bytes int
	for _, f := range []string{"en/index.html", "assets/echarts.min.js", "assets/charts.js", "assets/site.css"} {
		data, _ := os.ReadFile(filepath.Join(out, f))
		bytes += len(data)
	}
	b.ReportMetric(float64(bytes), "overview-bytes")
}

// BenchmarkBuildBaselineSQL runs the hand-written one-pass SQL of the
// site's core figures (testdata/baseline.sql) on the same history as
// BenchmarkBuild, reading every row: the floor the build is measured
// against.
func BenchmarkBuildBaselineSQL(b *testing.B) {
	commandGC(b)
	ctx := context.Background()
	stmts := baselineStatements(b)
	h := prepareHistory(b)
	store := openHistory(b, h)
	defer store.Close()
	var run *baselineRun
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if run, err = runBaseline(ctx, store.DB(), stmts, false); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPeakRSS(b)
	reportSize(b, store)
	b.ReportMetric(float64(run.rows), "result-rows")
	var took []string
	for _, s := range stmts {
		took = append(took, fmt.Sprintf("%s %dms", s.name, run.took[s.name].Milliseconds()))
	}
	b.Logf("last run by statement: %s", strings.Join(took, ", "))
}

// BenchmarkUploadDay uploads the held-back day into the history, file by
// file in upload order as finance would, then builds and publishes the
// site: the time from the start of the first ingest to the new site being
// current. Each round starts from a fresh copy of the history.
func BenchmarkUploadDay(b *testing.B) {
	commandGC(b)
	ctx := context.Background()
	h := prepareHistory(b)
	raw, err := os.ReadFile(filepath.Join(h.dayDir, dayManifest))
	if err != nil {
		b.Fatalf("the held-back day: %v (a history saved by an older benchmark has no %s beside it: prepare it again)", err, filepath.Base(h.dayDir))
	}
	var day dayUpload
	if err := json.Unmarshal(raw, &day); err != nil {
		b.Fatal(err)
	}
	pristine := h.db + ".pristine"
	if err := os.Rename(h.db, pristine); err != nil {
		b.Fatal(err)
	}
	root := filepath.Join(b.TempDir(), "site")
	var ingestTime, buildTime time.Duration
	var dayRows int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		copyBenchFile(b, pristine, h.db)
		store := openHistory(b, h)
		folder, err := publish.Open(root)
		if err != nil {
			b.Fatal(err)
		}
		in := ingest.New(store, ingest.Config{Location: h.loc})
		dayRows = 0
		resetPeakRSS()
		b.StartTimer()
		start := time.Now()
		for _, f := range day.Files {
			res, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: filepath.Join(h.dayDir, f.File), FileName: f.File})
			if err != nil {
				b.Fatalf("ingest %s: %v", f.File, err)
			}
			if got := res.RowsAccepted + res.RowsDuplicate; got != f.Rows {
				b.Fatalf("ingest %s: %d rows accepted or duplicate, want %d", f.File, got, f.Rows)
			}
			dayRows += f.Rows
		}
		ingested := time.Now()
		if _, err := folder.Publish(ctx, func(ctx context.Context, dir string) error {
			dict, err := analytics.Dictionary(ctx, store)
			if err != nil {
				return err
			}
			_, err = Build(ctx, analytics.New(store), Options{Out: dir, Now: benchNow, Dictionary: dict})
			return err
		}); err != nil {
			b.Fatal(err)
		}
		ingestTime += ingested.Sub(start)
		buildTime += time.Since(ingested)
		b.StopTimer()
		reportPeakRSS(b)
		if i == b.N-1 {
			reportSize(b, store)
		}
		folder.Close()
		store.Close()
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64((ingestTime / n).Milliseconds()), "ingest-ms/op")
	b.ReportMetric(float64((buildTime / n).Milliseconds()), "build-ms/op")
	b.ReportMetric(float64(dayRows), "day-rows")
	b.Logf("uploaded %s: %d rows in %d files", day.Day, dayRows, len(day.Files))
}
