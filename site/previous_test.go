package site_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site"
	"github.com/feeflow/feeflow/site/publish"
)

// TestBuildAgainOfTheSameDataWritesNothing: a build of unchanged data over
// the previous one writes no file; every file is the previous build's own
// (a hard link), with the same bytes.
func TestBuildAgainOfTheSameDataWritesNothing(t *testing.T) {
	prev, before := cleanSite(t)
	dict, err := analytics.Dictionary(context.Background(), clean.store)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "again")
	sum, err := site.Build(context.Background(), clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow, Dictionary: dict, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Written != 0 || sum.Unchanged != len(before) || sum.Files != len(before) || sum.Pages != clean.sum.Pages || sum.Bytes != clean.sum.Bytes {
		t.Errorf("Summary of the same data again = %+v, want 0 written and all %d files unchanged (first build %+v)", sum, len(before), clean.sum)
	}
	assertSameTree(t, out, before)
	for _, n := range sortedNames(before) {
		if !sameFile(t, filepath.Join(out, filepath.FromSlash(n)), filepath.Join(prev, filepath.FromSlash(n))) {
			t.Errorf("%s was written again, not kept from the previous build", n)
		}
	}
}

// TestBuildLinksOnlyWhatDidNotChange: a build whose pages changed (a day
// earlier, an hour later) writes those pages as new files and links the
// rest; the previous build keeps every byte it had, and the new one equals
// a build written from scratch.
func TestBuildLinksOnlyWhatDidNotChange(t *testing.T) {
	prev, before := cleanSite(t)
	dict, err := analytics.Dictionary(context.Background(), clean.store)
	if err != nil {
		t.Fatal(err)
	}
	opts := site.Options{AsOf: fixtureAsOf.AddDate(0, 0, -1), Now: fixtureNow.Add(time.Hour), Dictionary: dict}
	out := filepath.Join(t.TempDir(), "later")
	o := opts
	o.Out, o.Previous = out, prev
	sum, err := site.Build(context.Background(), clean.m, o)
	if err != nil {
		t.Fatal(err)
	}
	scratch := filepath.Join(t.TempDir(), "scratch")
	o = opts
	o.Out = scratch
	if _, err := site.Build(context.Background(), clean.m, o); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, scratch)
	assertSameTree(t, out, want)
	assertSameTree(t, prev, before) // the previous build is as it was

	written, kept := 0, 0
	for _, n := range sortedNames(want) {
		shared := sameFile(t, filepath.Join(out, filepath.FromSlash(n)), filepath.Join(prev, filepath.FromSlash(n)))
		unchanged := bytes.Equal(want[n], before[n])
		switch {
		case shared && !unchanged:
			t.Errorf("%s changed but is linked to the previous build's file", n)
		case !shared && unchanged:
			t.Errorf("%s did not change but was written again", n)
		case shared:
			kept++
		default:
			written++
		}
	}
	if sum.Written != written || sum.Unchanged != kept || written == 0 || kept == 0 {
		t.Errorf("Summary = %+v, want %d written and %d unchanged, both above 0", sum, written, kept)
	}
}

// TestALaterBuildRewritesOnlyThePicker: the build time is printed on the
// language picker alone, so a build of the same figures an hour later
// writes index.html and links every other file from the previous build.
func TestALaterBuildRewritesOnlyThePicker(t *testing.T) {
	prev, before := cleanSite(t)
	dict, err := analytics.Dictionary(context.Background(), clean.store)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "later")
	sum, err := site.Build(context.Background(), clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow.Add(time.Hour), Dictionary: dict, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Written != 1 || sum.Unchanged != len(before)-1 {
		t.Errorf("Summary of the same figures an hour later = %+v, want 1 file written (index.html) and %d unchanged", sum, len(before)-1)
	}
	for _, n := range sortedNames(before) {
		if shared := sameFile(t, filepath.Join(out, filepath.FromSlash(n)), filepath.Join(prev, filepath.FromSlash(n))); shared == (n == "index.html") {
			t.Errorf("%s: linked from the previous build %v", n, shared)
		}
	}
}

// TestPublishOneMoreDay follows a day of finance's work: the site is
// published, the next day's payments (with their receipts) are ingested,
// and the site is published again through the site folder. Only some files
// are written; the published site equals a build from scratch of the same
// data, byte for byte; the build it replaced is untouched.
func TestPublishOneMoreDay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatal(err)
	}
	exports := filepath.Join(dir, "exports")
	man, err := gen.Write(ctx, exports, gen.Config{Customers: 80, Months: 3, Seed: 7, End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	day := holdBackLastDay(t, exports)
	store, err := data.Open(ctx, filepath.Join(dir, "f.duckdb"), data.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: loc, Now: func() time.Time { return fixtureNow }})
	upload := func(kind, file string) {
		t.Helper()
		res, err := in.Ingest(ctx, ingest.Upload{Kind: kind, Path: filepath.Join(exports, file), FileName: file})
		if err != nil {
			var errs any
			if res != nil {
				errs = res.Errors
			}
			t.Fatalf("ingest %s: %v %v", file, err, errs)
		}
	}
	for _, f := range man.Files {
		upload(f.Kind, f.File)
	}

	m := analytics.New(store)
	// The server's and `feeflow build`'s write function: every build of
	// the folder links what it can from the one it replaces.
	opts := site.Options{Now: fixtureNow, Langs: []string{"en", "zh-Hant"}}
	write := func(ctx context.Context, dir string) error {
		o := opts
		o.Out, o.Previous = dir, publish.Previous(dir)
		_, err := site.Build(ctx, m, o)
		return err
	}
	folder, err := publish.Open(filepath.Join(dir, "site"))
	if err != nil {
		t.Fatal(err)
	}
	defer folder.Close()
	first, err := folder.Publish(ctx, write)
	if err != nil {
		t.Fatal(err)
	}
	if first.Written != first.Files || first.Unchanged != 0 {
		t.Errorf("first publish = %+v, want every file written", first)
	}
	firstDir := folder.Current().Dir
	firstFiles := readTree(t, firstDir)

	// The day's payments in the morning, the rest in the afternoon: each
	// upload is published as the server does.
	upload(day[0].kind, day[0].file)
	opts.Now = fixtureNow.Add(24 * time.Hour)
	second, err := folder.Publish(ctx, write)
	if err != nil {
		t.Fatal(err)
	}
	if second.Written == 0 || second.Unchanged == 0 || second.Written+second.Unchanged != second.Files {
		t.Errorf("publish after the day's payments = %+v, want some files written and some kept", second)
	}
	afterPayments := readTree(t, folder.Current().Dir)
	for _, f := range day[1:] {
		upload(f.kind, f.file)
	}
	opts.Now = fixtureNow.Add(30 * time.Hour)
	third, err := folder.Publish(ctx, write)
	if err != nil {
		t.Fatal(err)
	}
	// The data's day did not move and the build time is on the picker
	// alone: the pages whose figures the afternoon's files did not touch
	// are kept, the others written.
	var keptPages, written []string
	for n, b := range readTree(t, folder.Current().Dir) {
		switch {
		case !bytes.Equal(b, afterPayments[n]):
			written = append(written, n)
		case strings.HasSuffix(n, ".html"):
			keptPages = append(keptPages, n)
		}
	}
	sort.Strings(keptPages)
	sort.Strings(written)
	if len(keptPages) == 0 || third.Written != len(written) {
		t.Errorf("the afternoon's publish = %+v: %d files changed (%v), pages kept %v; want the changed files written and some pages kept", third, len(written), written, keptPages)
	}
	t.Logf("the afternoon's publish wrote %v and kept the pages %v", written, keptPages)
	t.Logf("one more day: %d pages, %d files (%d written, %d unchanged), %d bytes", third.Pages, third.Files, third.Written, third.Unchanged, third.Bytes)

	scratch := filepath.Join(dir, "scratch")
	o := opts
	o.Out = scratch
	if _, err := site.Build(ctx, m, o); err != nil {
		t.Fatal(err)
	}
	cur, err := filepath.EvalSymlinks(filepath.Join(dir, "site", "current"))
	if err != nil || cur != folder.Current().Dir {
		t.Fatalf("site/current resolves to %s (%v), want the new build %s", cur, err, folder.Current().Dir)
	}
	published := readTree(t, cur)
	assertSameTree(t, scratch, published)
	if bytes.Equal(published["en/data/recon_daily.csv"], firstFiles["en/data/recon_daily.csv"]) {
		t.Error("the day's payments did not reach the published reconciliation")
	}
	assertSameTree(t, firstDir, firstFiles)
}

// dayFile is one export of the held-back day.
type dayFile struct{ kind, file string }

// holdBackLastDay moves the payments of the last day with payments, and the
// receipts, refunds and resolutions that name them, out of the exports into
// files of their own, to be ingested the next day.
func holdBackLastDay(t *testing.T, exports string) []dayFile {
	t.Helper()
	payments := readExport(t, filepath.Join(exports, "payments.csv"))
	last := ""
	for _, r := range payments.rows {
		if d := r[payments.col("paid_at")][:10]; d > last {
			last = d
		}
	}
	txns := map[string]bool{}
	var out []dayFile
	for _, f := range []struct{ kind, file, col string }{
		{"payments", "payments.csv", "paid_at"},
		{"invoices", "invoices.csv", "txn_id"},
		{"refunds", "refunds.csv", "txn_id"},
		{"resolutions", "resolutions.csv", "ref"},
	} {
		c := readExport(t, filepath.Join(exports, f.file))
		i := c.col(f.col)
		var keep, held [][]string
		for _, r := range c.rows {
			if (f.kind == "payments" && strings.HasPrefix(r[i], last)) || (f.kind != "payments" && txns[r[i]]) {
				held = append(held, r)
				if f.kind == "payments" {
					txns[r[c.col("txn_id")]] = true
				}
			} else {
				keep = append(keep, r)
			}
		}
		if f.kind == "payments" && len(held) == 0 {
			t.Fatal("no payments on the last day")
		}
		if len(held) == 0 {
			continue
		}
		c.write(t, filepath.Join(exports, f.file), keep)
		c.write(t, filepath.Join(exports, "day-"+f.file), held)
		out = append(out, dayFile{f.kind, "day-" + f.file})
	}
	return out
}

// exportFile is a UTF-8 export: its BOM, header and rows.
type exportFile struct {
	bom    bool
	header []string
	rows   [][]string
}

func readExport(t *testing.T, name string) *exportFile {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	c := &exportFile{bom: bytes.HasPrefix(raw, []byte("\ufeff"))}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c.header, c.rows = recs[0], recs[1:]
	return c
}

func (c *exportFile) col(name string) int {
	for i, h := range c.header {
		if h == name {
			return i
		}
	}
	panic("no column " + name)
}

func (c *exportFile) write(t *testing.T, name string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	if c.bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	w.Write(c.header)
	w.WriteAll(rows)
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertSameTree fails unless the folder holds exactly the files want, byte
// for byte.
func assertSameTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	got := readTree(t, dir)
	for _, n := range sortedNames(want) {
		if g, ok := got[n]; !ok {
			t.Errorf("%s: missing from %s", n, dir)
		} else if !bytes.Equal(g, want[n]) {
			t.Errorf("%s differs in %s", n, dir)
		}
	}
	for _, n := range sortedNames(got) {
		if _, ok := want[n]; !ok {
			t.Errorf("%s: in %s but not expected", n, dir)
		}
	}
}

// sameFile reports whether two names are one file (a hard link).
func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(fa, fb)
}
