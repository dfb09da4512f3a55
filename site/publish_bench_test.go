package site

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site/publish"
)

// BenchmarkPublishUnchanged publishes the site of a demo-size data set
// (gen's defaults: 2,000 customers, 18 months) through site/publish, in
// each round once written from scratch and once over a published build of
// the same bytes, where every file is compared and linked instead of
// written; it reports both and their ratio, and the bytes each site folder
// holds on disk (the current and the previous build, linked files counted
// once):
//
//	go test ./site -run '^$' -bench PublishUnchanged -benchtime 20x
func BenchmarkPublishUnchanged(b *testing.B) {
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
	d, err := load(ctx, m, time.Time{}, now)
	if err != nil {
		b.Fatal(err)
	}
	bl := &builder{d: d, now: now, langs: Languages, files: map[string][]byte{}, currency: DefaultCurrency}
	if bl.lists, err = loadLists(ctx, m, d.asOf, false); err != nil {
		b.Fatal(err)
	}
	if err := bl.build(ctx); err != nil {
		b.Fatal(err)
	}
	// One site folder per way of writing, as the server and `feeflow build`
	// keep it: the same files each round.
	open := func(name string) *publish.Folder {
		f, err := publish.Open(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		f.Grace = 0
		return f
	}
	scratch, linked := open("scratch"), open("linked")
	defer scratch.Close()
	defer linked.Close()
	write := func(link bool) func(ctx context.Context, dir string) error {
		return func(ctx context.Context, dir string) error {
			bl.prev = ""
			if link {
				bl.prev = publish.Previous(dir)
			}
			_, err := bl.write(dir)
			return err
		}
	}
	if _, err := linked.Publish(ctx, write(true)); err != nil { // the build to link from
		b.Fatal(err)
	}
	var scratchTime, linkedTime time.Duration
	var sum publish.Summary
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := scratch.Publish(ctx, write(false)); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if sum, err = linked.Publish(ctx, write(true)); err != nil {
			b.Fatal(err)
		}
		scratchTime += mid.Sub(start)
		linkedTime += time.Since(mid)
	}
	b.StopTimer()
	if sum.Written != 0 || sum.Unchanged != sum.Files {
		b.Fatalf("a publish with nothing changed = %+v, want every file unchanged", sum)
	}
	n := float64(b.N)
	b.ReportMetric(scratchTime.Seconds()*1000/n, "scratch-ms/op")
	b.ReportMetric(linkedTime.Seconds()*1000/n, "unchanged-ms/op")
	b.ReportMetric(scratchTime.Seconds()/linkedTime.Seconds(), "scratch/unchanged")
	b.ReportMetric(float64(sum.Files), "files")
	b.ReportMetric(float64(sum.Bytes)/1e6, "site-MB")
	b.ReportMetric(float64(diskBytes(b, filepath.Join(dir, "scratch")))/1e6, "scratch-folder-MB")
	b.ReportMetric(float64(diskBytes(b, filepath.Join(dir, "linked")))/1e6, "unchanged-folder-MB")
}

// diskBytes adds up the sizes of the files under dir, a file with several
// names (hard links) once.
func diskBytes(b *testing.B, dir string) int64 {
	var seen []fs.FileInfo
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		for _, s := range seen {
			if os.SameFile(s, fi) {
				return nil
			}
		}
		seen = append(seen, fi)
		total += fi.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}
