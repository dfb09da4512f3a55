// Package site builds feeflow's published dashboard: static HTML pages in
// every language, their charts (go-echarts options started by one static
// script), the numbers behind every chart as tables and CSV files, and the
// vendored ECharts script. The site makes no request outside itself and
// needs no inline script or style, so it works from file://, a file share or
// any server, under a strict Content-Security-Policy.
package site

import (
	"bufio"
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
	// streamed are the files made as they are written (the long lists'
	// CSVs, csvFile): path relative to Out -> what writes the content
	streamed map[string]func(io.Writer) error
	pages    int

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
		lb.files, lb.streamed, lb.pages = map[string][]byte{}, map[string]func(io.Writer) error{}, 0
		done[i] = &lb
		wg.Go(func() { errs[i] = lb.language(ctx, lang) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if b.streamed == nil {
		b.streamed = map[string]func(io.Writer) error{}
	}
	for _, lb := range done {
		maps.Copy(b.files, lb.files)
		maps.Copy(b.streamed, lb.streamed)
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

// csvFile adds the table's CSV as the file name. A long list's (made by
// long) is made as the site is written, row by row into the file. Held in
// memory until then, the long CSVs of a 10 M-payment history took about
// 110 MB, and growing and clearing their buffers took about 1 s of CPU
// (a profile: bytes.Buffer growth 1.48 s then, 0.40 s streamed); the
// rendering and writing took 2.8-2.9 s then, 1.8-2.2 s streamed.
func (b *builder) csvFile(name string, d dataTable, t *tr) {
	if d.record == nil {
		b.files[name] = d.csv(t)
		return
	}
	b.streamed[name] = func(w io.Writer) error { return d.writeCSV(t, w) }
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
// rather than written. The long lists' CSVs are made here, row by row
// into their files, fileWriters files at a time.
func (b *builder) write(out string) (Summary, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Summary{}, err
	}
	if ents, err := os.ReadDir(out); err != nil {
		return Summary{}, err
	} else if len(ents) > 0 {
		return Summary{}, fmt.Errorf("%s is not empty; a build is written into a new folder", out)
	}
	names := make([]string, 0, len(b.files)+len(b.streamed))
	for n := range b.files {
		names = append(names, n)
	}
	for n := range b.streamed {
		names = append(names, n)
	}
	sort.Strings(names)
	type written struct {
		linked bool
		size   int64
		err    error
	}
	done := make([]written, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range fileWriters {
		wg.Go(func() {
			for i := range next {
				n := names[i]
				p := filepath.Join(out, filepath.FromSlash(n))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					done[i].err = err
					continue
				}
				prev := ""
				if b.prev != "" {
					prev = filepath.Join(b.prev, filepath.FromSlash(n))
				}
				w := &done[i]
				if data, ok := b.files[n]; ok {
					w.linked, w.err = put(p, data, prev)
					w.size = int64(len(data))
				} else {
					w.linked, w.size, w.err = fill(p, prev, b.streamed[n])
				}
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	sum := Summary{Pages: b.pages}
	for i, w := range done {
		if w.err != nil {
			return Summary{}, fmt.Errorf("write %s: %w", names[i], w.err)
		}
		if w.linked {
			sum.Unchanged++
		} else {
			sum.Written++
		}
		sum.Files++
		sum.Bytes += w.size
	}
	return sum, nil
}

// fileWriters is how many files write makes at once: the long lists' CSVs
// are formatted as they are written, and two writers keep the two
// languages' side by side, as their pages render.
const fileWriters = 2

// put makes p, a new file, hold data (fill). A previous file of another
// size is not read.
func put(p string, data []byte, prev string) (linked bool, err error) {
	if prev != "" {
		if fi, err := os.Lstat(prev); err != nil || fi.Size() != int64(len(data)) {
			prev = ""
		}
	}
	linked, _, err = fill(p, prev, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	return linked, err
}

// fill makes p, a new file, hold what content writes, and says how many bytes
// that was. When prev (the same file in the previous build, "" for none)
// holds exactly those bytes, p becomes a hard link to it and nothing is
// written: the bytes are compared with prev's as they come, and p is only
// created at the first difference, with the part that matched copied from
// prev. Where no link can be made (another file system, one without hard
// links) the bytes are written after all.
//
// p is only ever created, never opened for writing again (O_EXCL): a file
// of a build may be a hard link shared with the published one, and writing
// into it would change the published site in place.
func fill(p, prev string, content func(io.Writer) error) (linked bool, size int64, err error) {
	fw := &fileWriter{p: p}
	defer fw.close()
	if prev != "" {
		if fi, err := os.Lstat(prev); err == nil && fi.Mode().IsRegular() {
			if f, err := os.Open(prev); err == nil {
				fw.prev, fw.rd, fw.cmp = f, readers.Get().(*bufio.Reader), compared.Get().(*[]byte)
				fw.rd.Reset(f)
			}
		}
	}
	if err := content(fw); err != nil {
		return false, 0, err
	}
	if fw.out == nil && fw.prev != nil {
		// every byte matched: the same file, unless prev goes on
		if _, err := fw.rd.ReadByte(); err == io.EOF && os.Link(prev, p) == nil {
			return true, fw.n, nil
		}
	}
	if fw.out == nil {
		if err := fw.create(); err != nil {
			return false, 0, err
		}
	}
	if err := fw.w.Flush(); err != nil {
		return false, 0, err
	}
	out := fw.out
	fw.out = nil
	return false, fw.n, out.Close()
}

// fileWriter is fill's writer: while the bytes match prev's it only
// compares them, then it writes into p.
type fileWriter struct {
	p    string
	n    int64 // bytes written to the writer
	same int64 // of them, those that matched prev before p was created

	prev *os.File // the previous file, while the bytes match it
	rd   *bufio.Reader
	cmp  *[]byte

	out *os.File
	w   *bufio.Writer
}

func (fw *fileWriter) Write(b []byte) (int, error) {
	fw.n += int64(len(b))
	if fw.out == nil {
		if fw.prev != nil && fw.matches(b) {
			fw.same += int64(len(b))
			return len(b), nil
		}
		if err := fw.create(); err != nil {
			return 0, err
		}
	}
	return fw.w.Write(b)
}

// matches reads the next len(b) bytes of prev and reports whether they are
// b's.
func (fw *fileWriter) matches(b []byte) bool {
	for len(b) > 0 {
		cmp := *fw.cmp
		k := min(len(b), len(cmp))
		if _, err := io.ReadFull(fw.rd, cmp[:k]); err != nil || !bytes.Equal(cmp[:k], b[:k]) {
			return false
		}
		b = b[k:]
	}
	return true
}

// create creates p with the bytes that matched so far, copied from prev,
// and stops comparing.
func (fw *fileWriter) create() error {
	f, err := os.OpenFile(fw.p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	fw.out, fw.w = f, writers.Get().(*bufio.Writer)
	fw.w.Reset(f)
	if fw.prev == nil {
		return nil
	}
	prev := fw.prev
	defer fw.closePrev()
	if fw.same == 0 {
		return nil
	}
	if _, err := prev.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.CopyN(fw.w, prev, fw.same)
	return err
}

// closePrev stops comparing with prev.
func (fw *fileWriter) closePrev() {
	if fw.prev == nil {
		return
	}
	fw.prev.Close()
	fw.rd.Reset(nil)
	readers.Put(fw.rd)
	compared.Put(fw.cmp)
	fw.prev, fw.rd, fw.cmp = nil, nil, nil
}

func (fw *fileWriter) close() {
	fw.closePrev()
	if fw.out != nil {
		fw.out.Close()
	}
	if fw.w != nil {
		fw.w.Reset(nil)
		writers.Put(fw.w)
		fw.w = nil
	}
}

// The buffers of fill, kept between files: a site has a hundred files.
var (
	readers  = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 256<<10) }}
	writers  = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}
	compared = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
)

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
	pc.b.csvFile(pc.t.lang+"/data/"+id+".csv", dt, pc.t)
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
