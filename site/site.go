// Package site builds feeflow's published dashboard: static HTML pages in
// every language, their charts (go-echarts options started by one static
// script), the numbers behind every chart as tables and CSV files, and the
// vendored ECharts script. The site makes no request outside itself and
// needs no inline script or style, so it works from file://, a file share or
// any server, under a strict Content-Security-Policy.
package site

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/templates"
)

// Options for Build.
type Options struct {
	Out   string    // folder to write the site into: new or empty (site/publish makes it current)
	AsOf  time.Time // "data as of" day; zero = the last day of the data (analytics DataRange)
	Now   time.Time // build time, printed on the language picker (index.html) only; zero = time.Now() (tests pass a fixed one for byte-identical output)
	Langs []string  // languages to build; nil = all ("en", "zh-Hant")
	// Dictionary, when set, adds dictionary.html for analysts: the tables,
	// views and macros with their columns and comments, and example
	// queries. The caller reads it with analytics.Dictionary (it needs the
	// store, which Build does not see).
	Dictionary *analytics.DataDictionary
	// Currency is the organisation's currency (ISO code: TWD, CNY, HKD...),
	// named in the headings and axes of amounts; "" = DefaultCurrency.
	Currency string
	// WithNames shows customers' names and units in the lists (who owes,
	// each debtor's page). Without it the lists show customer IDs only and
	// the site holds no name, unit or identity number: a build with names
	// is for signed-in viewers or a deliberate --with-names.
	WithNames bool
	// Previous, when set, is the folder of the build this one replaces
	// (publish.Previous names it): each file whose bytes equal its file
	// of the same path is hard-linked from there instead of written. ""
	// writes every file.
	Previous string
}

// DefaultCurrency is the currency of an organisation that names none, as
// ingest assumes it for statements.
const DefaultCurrency = "CNY"

// Summary says what Build wrote.
type Summary struct {
	Pages int
	Files int
	Bytes int64 // of every file of the site
	// Written counts the files written anew; Unchanged those hard-linked
	// from Options.Previous, whose bytes they equal. They add up to Files.
	Written   int
	Unchanged int
}

//go:embed assets/*
var assetsFS embed.FS

// Build reads the metrics and writes the whole site into opts.Out, a new
// or empty folder. Readers never see it half-written when it is published
// through site/publish, which both the server and `feeflow build` use.
func Build(ctx context.Context, m *analytics.Metrics, opts Options) (Summary, error) {
	if opts.Out == "" {
		return Summary{}, errors.New("build site: no output folder")
	}
	langs := opts.Langs
	if len(langs) == 0 {
		langs = Languages
	}
	for _, l := range langs {
		if _, ok := catalogs[l]; !ok {
			return Summary{}, fmt.Errorf("build site: unknown language %q (known: %s)", l, strings.Join(Languages, ", "))
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	d, err := load(ctx, m, opts.AsOf, now)
	if err != nil {
		return Summary{}, fmt.Errorf("build site: %w", err)
	}
	now = now.In(d.zone)
	currency := opts.Currency
	if currency == "" {
		currency = DefaultCurrency
	}
	b := &builder{d: d, dict: opts.Dictionary, now: now, langs: langs, files: map[string][]byte{}, currency: currency, prev: opts.Previous}
	if b.lists, err = loadLists(ctx, m, d.asOf, opts.WithNames); err != nil {
		return Summary{}, fmt.Errorf("build site: %w", err)
	}
	if err := b.build(ctx); err != nil {
		return Summary{}, fmt.Errorf("build site: %w", err)
	}
	sum, err := b.write(opts.Out)
	if err != nil {
		return Summary{}, fmt.Errorf("build site: %w", err)
	}
	return sum, nil
}

// builder assembles the files of one build in memory.
type builder struct {
	d     *dataset
	dict  *analytics.DataDictionary
	now   time.Time
	langs []string
	files map[string][]byte // path relative to Out -> content
	pages int

	currency string
	lists    *listData
	prev     string // the build replaced (Options.Previous), "" for none
}

func (b *builder) build(ctx context.Context) error {
	if err := fs.WalkDir(assetsFS, "assets", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := assetsFS.ReadFile(p)
		b.files[p] = data
		return err
	}); err != nil {
		return err
	}
	if err := b.root(ctx); err != nil {
		return err
	}
	// The languages render side by side, each into files of its own: the
	// pages only read the dataset and the lists, and a large history's
	// lists are most of a build's Go work (at 10 M payments, measured
	// three times each: 2.2-2.8 s side by side, 3.1-3.2 s one after the
	// other).
	done := make([]*builder, len(b.langs))
	errs := make([]error, len(b.langs))
	var wg sync.WaitGroup
	for i, lang := range b.langs {
		lb := *b
		lb.files, lb.pages = map[string][]byte{}, 0
		done[i] = &lb
		wg.Go(func() { errs[i] = lb.language(ctx, lang) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, lb := range done {
		maps.Copy(b.files, lb.files)
		b.pages += lb.pages
	}
	return nil
}

// language renders the pages of one language into b.files.
func (b *builder) language(ctx context.Context, lang string) error {
	t := newTr(lang)
	t.currency = b.currency
	for _, pg := range b.pageList(t) {
		p := pg.build()
		if err := b.render(ctx, lang+"/"+pg.file, templates.Page(p)); err != nil {
			return err
		}
	}
	if miss := t.missingKeys(); len(miss) > 0 {
		return fmt.Errorf("language %s lacks messages %s", lang, strings.Join(miss, ", "))
	}
	return nil
}

func (b *builder) render(ctx context.Context, file string, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		return fmt.Errorf("render %s: %w", file, err)
	}
	b.files[file] = buf.Bytes()
	b.pages++
	return nil
}

// root is the language picker at the top of the site.
func (b *builder) root(ctx context.Context) error {
	t := newTr(b.langs[0])
	p := templates.LangPicker{Title: t.T("site.name"), Script: "assets/lang.js", CSS: "assets/site.css"}
	var texts []string
	for _, l := range b.langs {
		lt := newTr(l)
		p.Links = append(p.Links, templates.Link{Label: lt.T("lang.name"), Href: l + "/index.html", Lang: l})
		texts = append(texts, lt.T("picker.text"))
		p.Stamps = append(p.Stamps, lt.T("frame.asof")+" "+lt.Date(b.d.asOf)+" · "+lt.T("frame.built")+" "+lt.Stamp(b.now))
	}
	p.Text = strings.Join(texts, " / ")
	return b.render(ctx, "index.html", templates.Picker(p))
}

// write puts the files into out, which must be new or empty: making a build
// visible atomically is the caller's job (site/publish). A file whose bytes
// equal the same file of the previous build (b.prev) is hard-linked from it
// rather than written.
func (b *builder) write(out string) (Summary, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Summary{}, err
	}
	if ents, err := os.ReadDir(out); err != nil {
		return Summary{}, err
	} else if len(ents) > 0 {
		return Summary{}, fmt.Errorf("%s is not empty; a build is written into a new folder", out)
	}
	names := make([]string, 0, len(b.files))
	for n := range b.files {
		names = append(names, n)
	}
	sort.Strings(names)
	sum := Summary{Pages: b.pages}
	var buf []byte // for reading the previous build's files
	for _, n := range names {
		p := filepath.Join(out, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Summary{}, err
		}
		prev := ""
		if b.prev != "" {
			prev = filepath.Join(b.prev, filepath.FromSlash(n))
		}
		linked, err := put(p, b.files[n], prev, &buf)
		if err != nil {
			return Summary{}, err
		}
		if linked {
			sum.Unchanged++
		} else {
			sum.Written++
		}
		sum.Files++
		sum.Bytes += int64(len(b.files[n]))
	}
	return sum, nil
}

// put makes p, a new file, hold data. When prev (the same file in the
// previous build, "" for none) holds exactly data, p becomes a hard link to
// it and nothing is written; where no link can be made (another file
// system, one without hard links) the bytes are written after all, which
// costs no more than copying the old file. buf is reused between calls.
func put(p string, data []byte, prev string, buf *[]byte) (linked bool, err error) {
	if prev != "" && holds(prev, data, buf) && os.Link(prev, p) == nil {
		return true, nil
	}
	return false, writeNew(p, data)
}

// writeNew creates p and writes data into it. p must not exist yet: a build
// never opens an existing file for writing, because a file of a build may be
// a hard link shared with the published one, and writing into it would
// change the published site in place (O_EXCL makes that an error instead).
func writeNew(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// holds reports whether the regular file name holds exactly data. Sizes are
// compared first: a file of another size is not read.
func holds(name string, data []byte, buf *[]byte) bool {
	fi, err := os.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	if len(*buf) == 0 {
		*buf = make([]byte, 256<<10)
	}
	for len(data) > 0 {
		n, err := io.ReadFull(f, (*buf)[:min(len(*buf), len(data))])
		if !bytes.Equal((*buf)[:n], data[:n]) {
			return false
		}
		data = data[n:]
		if err != nil {
			return len(data) == 0
		}
	}
	n, _ := f.Read((*buf)[:1]) // nothing may follow
	return n == 0
}

// pageDef is one page of a language: its file and how to build it.
type pageDef struct {
	file  string
	build func() templates.SitePage
}

// navPages are the pages of the main navigation, in order.
var navPages = []struct{ file, key string }{
	{"index.html", "nav.overview"},
	{"collection.html", "nav.collection"},
	{"arrears.html", "nav.arrears"},
	{"reconciliation.html", "nav.reconciliation"},
	{"exceptions.html", "nav.exceptions"},
	{whoOwesFile, "nav.who_owes"},
	{overpaymentsFile, "nav.overpayments"},
	{openItemsFile, "nav.open_items"},
	{discrepancyFile, "nav.discrepancy_lines"},
	{"improvement.html", "nav.improvement"},
	{"fees.html", "nav.fees"},
	{"reports/index.html", "nav.reports"},
	{"dictionary.html", "nav.dictionary"},
}

// pageCtx builds one page: it knows where the page sits, so every link it
// makes is relative and the site works from file://.
type pageCtx struct {
	b    *builder
	t    *tr
	d    *dataset
	file string // relative to the language folder
	up   string // from the page's folder to the language folder
}

func (b *builder) pageList(t *tr) []pageDef {
	mk := func(file string, f func(*pageCtx) templates.SitePage) pageDef {
		pc := &pageCtx{b: b, t: t, d: b.d, file: file, up: strings.Repeat("../", strings.Count(file, "/"))}
		return pageDef{file: file, build: func() templates.SitePage { return f(pc) }}
	}
	pages := []pageDef{
		mk("index.html", overviewPage),
		mk("collection.html", collectionPage),
		mk("arrears.html", arrearsPage),
		mk("reconciliation.html", reconciliationPage),
		mk("exceptions.html", exceptionsPage),
		mk("improvement.html", improvementPage),
		mk("fees.html", feesPage),
		mk("reports/index.html", reportsIndexPage),
	}
	if b.dict != nil {
		pages = append(pages, mk("dictionary.html", dictionaryPage))
	}
	pages = append(pages, b.listPages(mk)...)
	for _, f := range b.d.finance {
		period := f.Period
		pages = append(pages, mk("reports/"+period+"/index.html", func(pc *pageCtx) templates.SitePage { return reportPage(pc, period) }))
	}
	return pages
}

// frame is the page around the content: navigation, switcher, stamps.
func (pc *pageCtx) frame(titleKey, introKey string) templates.SitePage {
	t := pc.t
	p := templates.SitePage{
		Lang:     t.lang,
		Title:    t.T(titleKey),
		SiteName: t.T("site.name"),
		Assets:   pc.up + "../assets/",
		AsOf:     t.Date(pc.d.asOf),
		Text: templates.PageText{
			Skip:        t.T("frame.skip"),
			NavLabel:    t.T("frame.nav"),
			LangLabel:   t.T("frame.langs"),
			DataAsOf:    t.T("frame.asof"),
			DownloadCSV: t.T("frame.csv"),
			ShowSQL:     t.T("frame.sql"),
			ShowTable:   t.T("frame.table"),
			Print:       t.T("frame.print"),
			Footer:      t.T("frame.footer"),
			Search:      t.T("table.search"),
		},
	}
	if introKey != "" {
		p.Intro = t.T(introKey)
	}
	for _, n := range navPages {
		if n.file == "dictionary.html" && pc.b.dict == nil {
			continue
		}
		p.Nav = append(p.Nav, templates.Link{Label: t.T(n.key), Href: pc.up + n.file, Current: n.file == pc.file})
	}
	for _, l := range pc.b.langs {
		if l == t.lang {
			continue
		}
		p.Switch = append(p.Switch, templates.Link{Label: newTr(l).T("lang.name"), Href: pc.up + "../" + l + "/" + pc.file, Lang: l})
	}
	return p
}

// block makes a chart (or table) block with its table, its CSV file and its
// SQL. id names the chart element and the CSV file.
func (pc *pageCtx) block(id string, dt dataTable, chart *templates.Chart, sql string) templates.Block {
	pc.b.files[pc.t.lang+"/data/"+id+".csv"] = dt.csv(pc.t)
	if chart != nil && chart.Unit == unit(axisMoney) {
		chart.Unit += " " + pc.t.currency
	}
	return templates.Block{
		Chart:    chart,
		Table:    dt.render(pc.t),
		CSV:      pc.up + "data/" + id + ".csv",
		SQL:      sql,
		Collapse: len(dt.rows) > collapseRows,
		ID:       id,
	}
}

// collapseRows is the longest table shown open; longer ones start folded
// so that the chart stays the page's first read.
const collapseRows = 24

// href is a link to another page of the same language.
func (pc *pageCtx) href(file string) string { return pc.up + path.Clean(file) }
