package site_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// The fixture: a tiny generated data set (3 months, 80 customers),
// ingested through the real ingest path.
var (
	fixtureAsOf = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	fixtureNow  = time.Date(2026, 4, 1, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
)

// Hostile values planted in the hostile fixture, each where the data allows
// free text: fee item names, a collector, an action's title and owner.
var hostile = map[string]string{
	"Management fee":          `</script><script>alert(1)</script>`,
	"Water":                   `__f__function(){alert(1)}__f__`,
	"Parking space (monthly)": `<img src=x onerror=alert(1)>`,
	"Parking day pass":        `=HYPERLINK("http://x")`,
	"Chen":                    `=HYPERLINK("http://x")`,
	"Wang":                    `-2+3`,
	"Zhao":                    `<img src=x onerror=alert(1)>`,
	"Lin":                     `@SUM(A1)`,
}

// openFixture generates the fixture's exports into dir, lets edit change
// them, and ingests them in upload order into a fresh database there.
func openFixture(t testing.TB, dir string, edit func(dir string)) (*analytics.Metrics, *data.Store) {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatal(err)
	}
	man, err := gen.Write(ctx, filepath.Join(dir, "exports"), gen.Config{Customers: 80, Months: 3, Seed: 7, End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(filepath.Join(dir, "exports"))
	}
	store, err := data.Open(ctx, filepath.Join(dir, "f.duckdb"), data.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	if err := analytics.Install(ctx, store); err != nil {
		store.Close()
		t.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: loc, Now: func() time.Time { return fixtureNow }})
	for _, f := range man.Files {
		res, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: filepath.Join(dir, "exports", f.File), FileName: f.File})
		if err != nil {
			store.Close()
			var errs any
			if res != nil {
				errs = res.Errors
			}
			t.Fatalf("ingest %s: %v %v", f.File, err, errs)
		}
	}
	return analytics.New(store), store
}

// plantHostile replaces whole fields of the UTF-8 exports by hostile text.
func plantHostile(t testing.TB) func(dir string) {
	return func(dir string) {
		for _, name := range []string{"fee_items.csv", "payments.csv", "actions.csv"} {
			path := filepath.Join(dir, name)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			bom := bytes.HasPrefix(raw, []byte("\ufeff"))
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, r := range recs[1:] {
				for i, v := range r {
					if h, ok := hostile[v]; ok {
						r[i] = h
					}
				}
			}
			var b bytes.Buffer
			if bom {
				b.WriteString("\ufeff")
			}
			w := csv.NewWriter(&b)
			w.WriteAll(recs)
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func build(t testing.TB, m *analytics.Metrics, store *data.Store, out string) site.Summary {
	t.Helper()
	dict, err := analytics.Dictionary(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := site.Build(context.Background(), m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow, Dictionary: dict})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// readTree reads every file under dir, by slash path.
func readTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedNames(files map[string][]byte) []string {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// vendored are the third-party files shipped as they are.
func vendored(name string) bool {
	return strings.HasPrefix(name, "assets/echarts")
}

// clean is the clean fixture, built once for the tests that only read it;
// TestMain removes it.
var clean struct {
	dir   string
	store *data.Store
	m     *analytics.Metrics
	out   string
	sum   site.Summary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if clean.store != nil {
		clean.store.Close()
	}
	if clean.dir != "" {
		os.RemoveAll(clean.dir)
	}
	os.Exit(code)
}

func cleanSite(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	if clean.m == nil {
		dir, err := os.MkdirTemp("", "feeflow-site-")
		if err != nil {
			t.Fatal(err)
		}
		clean.dir = dir
		clean.m, clean.store = openFixture(t, dir, nil)
		clean.out = filepath.Join(dir, "out", "site")
		clean.sum = build(t, clean.m, clean.store, clean.out)
	}
	return clean.out, readTree(t, clean.out)
}

func TestBuildGolden(t *testing.T) {
	out, files := cleanSite(t)
	_ = out
	golden := filepath.Join("testdata", "golden")
	if *update {
		os.RemoveAll(golden)
		for _, n := range sortedNames(files) {
			if vendored(n) || strings.HasPrefix(n, "assets/") {
				continue
			}
			p := filepath.Join(golden, filepath.FromSlash(n))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, files[n], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := readTree(t, golden)
	for _, n := range sortedNames(want) {
		got, ok := files[n]
		if !ok {
			t.Errorf("%s: not built", n)
			continue
		}
		if !bytes.Equal(got, want[n]) {
			t.Errorf("%s differs from testdata/golden (run go test ./site -update and review the diff)", n)
		}
	}
	for _, n := range sortedNames(files) {
		if _, ok := want[n]; !ok && !strings.HasPrefix(n, "assets/") {
			t.Errorf("%s: built but not in testdata/golden", n)
		}
	}
}

func TestBuildSummaryAndLayout(t *testing.T) {
	_, files := cleanSite(t)
	var pages int
	var bytesTotal int64
	for n, b := range files {
		if strings.HasSuffix(n, ".html") {
			pages++
		}
		bytesTotal += int64(len(b))
	}
	if clean.sum.Pages != pages || clean.sum.Files != len(files) || clean.sum.Bytes != bytesTotal {
		t.Errorf("Summary = %+v, want %d pages, %d files, %d bytes", clean.sum, pages, len(files), bytesTotal)
	}
	for _, lang := range site.Languages {
		for _, p := range []string{"index.html", "collection.html", "arrears.html", "reconciliation.html", "exceptions.html", "improvement.html", "fees.html", "reports/index.html", "reports/2026-03/index.html", "dictionary.html"} {
			if _, ok := files[lang+"/"+p]; !ok {
				t.Errorf("%s/%s missing", lang, p)
			}
		}
	}
	for _, n := range []string{"index.html", "assets/site.css", "assets/charts.js", "assets/lang.js", "assets/echarts.min.js", "assets/echarts-LICENSE", "assets/echarts-NOTICE"} {
		if _, ok := files[n]; !ok {
			t.Errorf("%s missing", n)
		}
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	_, first := cleanSite(t)
	out := filepath.Join(t.TempDir(), "again")
	build(t, clean.m, clean.store, out) // again, into a new folder
	second := readTree(t, out)
	if len(first) != len(second) {
		t.Fatalf("second build wrote %d files, first %d", len(second), len(first))
	}
	for n, b := range first {
		if !bytes.Equal(b, second[n]) {
			t.Errorf("%s differs between two builds of the same data", n)
		}
	}
}

func TestEveryLinkIsRelativeAndResolves(t *testing.T) {
	_, files := cleanSite(t)
	attr := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	for _, n := range sortedNames(files) {
		if !strings.HasSuffix(n, ".html") {
			continue
		}
		for _, m := range attr.FindAllStringSubmatch(string(files[n]), -1) {
			link := m[1]
			if strings.HasPrefix(link, "#") {
				continue
			}
			if strings.Contains(link, ":") || strings.HasPrefix(link, "/") {
				t.Errorf("%s: link %q is not relative", n, link)
				continue
			}
			link, frag, _ := strings.Cut(link, "#")
			target := filepath.ToSlash(filepath.Join(filepath.Dir(n), link))
			if _, ok := files[target]; !ok {
				t.Errorf("%s: link %q points to %s, which was not built", n, link, target)
			} else if frag != "" && !bytes.Contains(files[target], []byte(`id="`+frag+`"`)) {
				t.Errorf("%s: link %q#%s points to no element of %s", n, link, frag, target)
			}
		}
	}
}

func TestNoExternalURL(t *testing.T) {
	_, files := cleanSite(t)
	for _, n := range sortedNames(files) {
		if vendored(n) {
			continue
		}
		if i := bytes.Index(files[n], []byte("http://")); i >= 0 {
			t.Errorf("%s contains http:// at %d", n, i)
		}
		if i := bytes.Index(files[n], []byte("https://")); i >= 0 {
			t.Errorf("%s contains https:// at %d", n, i)
		}
	}
}

// TestNoInlineScriptOrStyle checks what the CSP (script-src 'self';
// style-src 'self') requires: scripts only from files, JSON data blocks
// only; no style element or attribute; no event handler attribute.
func TestNoInlineScriptOrStyle(t *testing.T) {
	_, files := cleanSite(t)
	script := regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`)
	handler := regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	for _, n := range sortedNames(files) {
		if !strings.HasSuffix(n, ".html") {
			continue
		}
		s := string(files[n])
		for _, m := range script.FindAllStringSubmatch(s, -1) {
			attrs, body := m[1], m[2]
			switch {
			case strings.Contains(attrs, `type="application/json"`):
			case strings.Contains(attrs, "src=") && body == "":
			default:
				t.Errorf("%s: inline script <script%s>%.40s", n, attrs, body)
			}
		}
		if strings.Contains(s, "<style") {
			t.Errorf("%s: has a <style> element", n)
		}
		if regexp.MustCompile(`\sstyle=`).MatchString(s) {
			t.Errorf("%s: has a style attribute", n)
		}
		if handler.MatchString(s) {
			t.Errorf("%s: has an event handler attribute: %s", n, handler.FindString(s))
		}
	}
}

// TestChartsHaveTheirNumbers checks that every chart on every page has a
// table with a caption and a CSV download with the same number of rows.
func TestChartsHaveTheirNumbers(t *testing.T) {
	_, files := cleanSite(t)
	chart := regexp.MustCompile(`<div id="([A-Za-z0-9_]+)" class="chart[^"]*" data-option="([A-Za-z0-9_]+)"`)
	for _, n := range sortedNames(files) {
		if !strings.HasSuffix(n, ".html") {
			continue
		}
		s := string(files[n])
		for _, m := range chart.FindAllStringSubmatch(s, -1) {
			id := m[1]
			if m[2] != id+"_option" || !strings.Contains(s, `<script id="`+id+`_option" type="application/json">`) {
				t.Errorf("%s: chart %s has no option script", n, id)
			}
			if strings.HasPrefix(id, "kpi_") {
				continue // the cards' numbers are the overview_trend table
			}
			lang := strings.SplitN(n, "/", 2)[0]
			csvName := lang + "/data/" + id + ".csv"
			if _, ok := files[csvName]; !ok {
				t.Errorf("%s: chart %s has no CSV %s", n, id, csvName)
			}
		}
		if strings.Contains(s, "<table>") && !strings.Contains(s, "<caption>") {
			t.Errorf("%s: a table without caption", n)
		}
		if strings.Contains(s, "<th") && !strings.Contains(s, `scope="col"`) {
			t.Errorf("%s: table headers without scope", n)
		}
	}
}

func TestCSVFiles(t *testing.T) {
	_, files := cleanSite(t)
	money := regexp.MustCompile(`^-?\d+\.\d\d$`)
	for _, n := range sortedNames(files) {
		if !strings.HasSuffix(n, ".csv") {
			continue
		}
		b := files[n]
		if !bytes.HasPrefix(b, []byte("\ufeff")) {
			t.Errorf("%s: no UTF-8 BOM", n)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if len(recs) == 0 {
			t.Errorf("%s: no header row", n)
			continue
		}
		for i, h := range recs[0] {
			if h == "Collected" || h == "Billed" || h == "Outstanding" || h == "應收" || h == "實收" {
				for _, r := range recs[1:] {
					if !money.MatchString(r[i]) {
						t.Errorf("%s: amount %q in column %s is not exact with 2 places", n, r[i], h)
					}
				}
			}
		}
	}
}

func TestMissingRateIsADash(t *testing.T) {
	_, files := cleanSite(t)
	for _, n := range sortedNames(files) {
		if strings.HasSuffix(n, ".html") && (bytes.Contains(files[n], []byte(">NaN")) || bytes.Contains(files[n], []byte("%!"))) {
			t.Errorf("%s: shows NaN or a formatting error", n)
		}
	}
}

func TestHostileStringsAreInert(t *testing.T) {
	m, store := openFixture(t, t.TempDir(), plantHostile(t))
	defer store.Close()
	out := filepath.Join(t.TempDir(), "site")
	build(t, m, store, out)
	files := readTree(t, out)
	seen := map[string]bool{}
	for _, n := range sortedNames(files) {
		if vendored(n) {
			continue
		}
		s := string(files[n])
		switch {
		case strings.HasSuffix(n, ".html"):
			for _, bad := range []string{"<script>alert", "<img src=x"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: hostile text %q came out as markup", n, bad)
				}
			}
			if strings.Count(s, "</script>") != strings.Count(s, "<script") {
				t.Errorf("%s: script elements do not pair up", n)
			}
			for _, h := range hostile {
				if strings.Contains(s, escapeHTML(h)) || strings.Contains(s, escapeJSON(h)) {
					seen[h] = true
				}
			}
		case strings.HasSuffix(n, ".csv"):
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files[n], []byte("\ufeff")))).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			for _, r := range recs {
				for _, c := range r {
					if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
						t.Errorf("%s: cell %q would run as a formula", n, c)
					}
					if strings.HasPrefix(c, "-") && !regexp.MustCompile(`^-\d+(\.\d+)?$`).MatchString(c) {
						t.Errorf("%s: cell %q would run as a formula", n, c)
					}
					for _, h := range hostile {
						if c == "'"+h || (strings.Contains(c, h) && !strings.ContainsRune("=+-@", rune(h[0]))) {
							seen["csv:"+h] = true
						}
					}
				}
			}
		}
	}
	for _, h := range hostile {
		if !seen[h] {
			t.Errorf("hostile text %q appears on no page: the test does not prove it inert", h)
		}
	}
	for _, h := range []string{`=HYPERLINK("http://x")`, `-2+3`, `</script><script>alert(1)</script>`} {
		if !seen["csv:"+h] {
			t.Errorf("hostile text %q appears in no CSV neutralised", h)
		}
	}
}

// escapeHTML is how templ writes text.
func escapeHTML(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

// escapeJSON is how encoding/json writes a string inside a script element.
func escapeJSON(s string) string {
	r := strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, `"`, `\"`)
	return r.Replace(s)
}

func TestBuildLeavesExistingFilesAlone(t *testing.T) {
	out, _ := cleanSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := site.Build(ctx, clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow}); err == nil {
		t.Fatal("Build with a cancelled context succeeded")
	}
	// A build goes into a new folder; one that holds files is refused.
	if _, err := site.Build(context.Background(), clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Build into a folder holding a site = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(out, "en", "index.html")); err != nil {
		t.Errorf("the previous site is gone after a refused build: %v", err)
	}
}

func TestBuildOneLanguage(t *testing.T) {
	_, _ = cleanSite(t)
	out := filepath.Join(t.TempDir(), "site")
	if _, err := site.Build(context.Background(), clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow, Langs: []string{"zh-Hant"}}); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, out)
	if _, ok := files["en/index.html"]; ok {
		t.Error("en built though only zh-Hant was asked for")
	}
	if s := string(files["zh-Hant/index.html"]); !strings.Contains(s, `lang="zh-Hant"`) || !strings.Contains(s, "收費率") {
		t.Error("zh-Hant overview is not in Traditional Chinese")
	}
	if _, err := site.Build(context.Background(), clean.m, site.Options{Out: out, Langs: []string{"fr"}}); err == nil {
		t.Error("an unknown language was accepted")
	}
}

// TestNoCustomerIdentity scans every page and CSV for the customers' names
// and (masked) identity numbers.
func TestNoCustomerIdentity(t *testing.T) {
	_, files := cleanSite(t)
	rows, err := clean.store.DB().Query(`SELECT name, coalesce(id_doc, '') FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var needles []string
	for rows.Next() {
		var name, id string
		if err := rows.Scan(&name, &id); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{name, id} {
			if len([]rune(s)) >= 2 {
				needles = append(needles, s)
			}
		}
	}
	if len(needles) == 0 {
		t.Fatal("the fixture has no customer names to look for")
	}
	for _, n := range sortedNames(files) {
		if vendored(n) {
			continue
		}
		for _, s := range needles {
			if bytes.Contains(files[n], []byte(s)) {
				t.Errorf("%s contains customer identity %q", n, s)
			}
		}
	}
}

// A new installation publishes a site before the first upload.
func TestBuildEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := data.Open(ctx, filepath.Join(dir, "empty.duckdb"), data.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "site")
	if _, err := site.Build(ctx, analytics.New(store), site.Options{Out: out, Now: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(out, "en", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "1 Apr 2026") {
		t.Error("an empty database's site is not dated by the build day")
	}
}
