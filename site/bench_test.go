package site

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
)

// BenchmarkBuild builds the site of a demo-size data set (gen's defaults:
// 2,000 customers, 18 months) and reports how the time splits between
// reading the views and rendering and writing the files:
//
//	go test ./site -run '^$' -bench Build -benchtime 3x
func BenchmarkBuild(b *testing.B) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	man, err := gen.Write(ctx, filepath.Join(dir, "exports"), gen.Config{End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Location: loc})
	if err != nil {
		b.Fatal(err)
	}
	store, err := data.Open(ctx, filepath.Join(dir, "bench.duckdb"), data.Options{Location: loc})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := analytics.Install(ctx, store); err != nil {
		b.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: loc})
	for _, f := range man.Files {
		if _, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: filepath.Join(dir, "exports", f.File), FileName: f.File}); err != nil {
			b.Fatalf("ingest %s: %v", f.File, err)
		}
	}
	m := analytics.New(store)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	out := filepath.Join(dir, "site")
	var loadTime, renderTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		d, err := load(ctx, m, time.Time{}, now)
		if err != nil {
			b.Fatal(err)
		}
		loaded := time.Now()
		bl := &builder{d: d, now: now, langs: Languages, files: map[string][]byte{}}
		if err := bl.build(ctx); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(out) // a build is written into a new folder
		if _, err := bl.write(out); err != nil {
			b.Fatal(err)
		}
		loadTime += loaded.Sub(start)
		renderTime += time.Since(loaded)
	}
	b.StopTimer()
	n := time.Duration(b.N)
	b.ReportMetric(float64((loadTime / n).Milliseconds()), "views-ms/op")
	b.ReportMetric(float64((renderTime / n).Milliseconds()), "render-ms/op")
	b.ReportMetric(100*renderTime.Seconds()/(loadTime+renderTime).Seconds(), "render-%")
	page, _ := os.ReadFile(filepath.Join(out, "en", "index.html"))
	js, _ := os.ReadFile(filepath.Join(out, "assets", "echarts.min.js"))
	charts, _ := os.ReadFile(filepath.Join(out, "assets", "charts.js"))
	css, _ := os.ReadFile(filepath.Join(out, "assets", "site.css"))
	b.ReportMetric(float64(len(page)+len(js)+len(charts)+len(css)), "overview-bytes")
}
