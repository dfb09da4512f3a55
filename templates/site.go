package templates

import "strconv"

// The published site's pages are assembled by package site from these plain
// structs: every string arrives already translated and formatted, so the
// components below only lay them out. Chart options are any JSON-encodable
// value; they are written with templ.JSONScript, whose JSON encoding escapes
// <, > and &, so no string in them can close the script element.

// SitePage is one page of the published site.
type SitePage struct {
	Lang     string // the page's language tag: "en", "zh-Hant"
	Title    string // the page's heading
	SiteName string
	Assets   string   // relative path from the page to the assets folder, ending in "/"
	Nav      []Link   // the site's pages, relative to this page
	Switch   []Link   // this page in the other languages
	Text     PageText // fixed texts of the frame
	// "data as of" day, formatted. A page carries no build time (the
	// language picker does): a page's bytes change only when what it
	// says does, so a publish rewrites only the pages whose figures moved.
	AsOf     string
	Intro    string    // a sentence under the heading
	Print    bool      // a printable report page (A4 layout)
	KPIs     []KPI     // overview cards
	Sections []Section // the page's content, in order

	// what the browser filters and picks
	Filter  *FilterBar    // the filter bar of a page the browser filters; nil: none
	Periods *PeriodPicker // a month selector (overview, reports index); nil: none
	Data    any           // the page's precomputed data for filters.js, a JSON block; nil: none
}

// FilterBar is a page's filters: a period range and a select per
// dimension. It starts hidden: filters.js shows it, so that a reader without
// script sees the unfiltered page and no control that does nothing.
type FilterBar struct {
	Label, From, To, Reset, All string
	Periods                     []Option // months, oldest first
	Selects                     []FilterSelect
	Note                        string // what the filter applies to
	Status                      string // announced (aria-live) when a filter is applied
}

// FilterSelect is one dimension of a filter bar.
type FilterSelect struct {
	Name, Label string
	Options     []Option
}

// Option is a value of a select and its label.
type Option struct{ Value, Label string }

// PeriodPicker chooses a month: on the overview the cards show it, on the
// reports index it opens the month's report (Options' values are then
// links). It starts hidden, as FilterBar.
type PeriodPicker struct {
	Label    string
	Options  []Option
	Selected string
	Action   string // "cards" or "open"
}

// PageText is the fixed wording of the page frame.
type PageText struct {
	Skip        string // skip link
	NavLabel    string // aria-label of the main navigation
	LangLabel   string // aria-label of the language switcher
	DataAsOf    string // "Data as of"
	DownloadCSV string
	ShowSQL     string // summary of the SQL block
	ShowTable   string // summary of a collapsed table
	Print       string // print hint on report pages
	Footer      string
	Search      string // label of the search box of long tables
}

// Link is a navigation link; Current marks the page itself.
type Link struct {
	Label, Href, Lang string
	Current           bool
}

// KPI is one overview card.
type KPI struct {
	Label   string
	Value   string
	Change  string // against the previous period, formatted; "" when unknown
	Trend   string // "good", "bad" or "flat": colours the change
	Note    string // what the figure covers
	Chart   *Chart // the sparkline; nil when there is no trend yet
	Compare string // "vs. previous month"

	ID   string // element id: the period picker updates the card by it
	Href string // the section behind the figure
	Sub  string // a second figure under the value (month to date)
}

// Section is a titled part of a page.
type Section struct {
	ID      string // fragment id, letters/digits/-
	Heading string
	Intro   string
	Blocks  []Block
	Links   []Link // a plain list of links (the reports index)
	Facts   []Fact // a definition list (report header figures)
	Code    []Fact // titled code samples (example queries)
	Notes   []string
	Lists   []ListTable // lists that sort and link (lists.templ), after the blocks
}

// Fact is one labelled figure.
type Fact struct{ Label, Value string }

// Block is a chart, or a table alone, with its numbers, download and SQL.
type Block struct {
	Chart    *Chart // nil: a table alone
	Table    Table
	CSV      string // relative link to the CSV of exactly the table's rows; "" for none
	SQL      string // the query that produced the numbers
	Collapse bool   // long tables start folded under Text.ShowTable
	ID       string // the block's data id: filters.js re-renders it; "" for none
}

// Chart is one ECharts chart: the element it draws in and its option.
type Chart struct {
	ID     string // element id: letters, digits and _ only
	Label  string // accessible name of the chart image
	Size   string // "spark", "calendar" or "" for the default height
	Unit   string // how charts.js formats tooltip values: "percent", "money" or ""
	Option any    // the ECharts option object, encoded with templ.JSONScript
}

// OptionID is the id of the script element holding the chart's option.
func (c Chart) OptionID() string { return c.ID + "_option" }

// Table is a data table: the first cell of each row is the row's header.
type Table struct {
	Caption string
	Columns []Column
	Rows    [][]Cell
	Foot    [][]Cell // totals
	Empty   string   // shown when there are no rows
	Search  bool     // long: tables.js adds a search box
}

// Column is a table column heading.
type Column struct {
	Label string
	Num   bool // right-aligned figures
}

// Cell is one formatted table cell.
type Cell struct {
	Text  string
	Num   bool
	Class string // "good", "bad", "muted" or ""
	Sort  string // the exact value tables.js sorts by and CSVs hold; "" sorts by Text
	Href  string // a drill-down link (the month's report); "" for none
}

// LangPicker is the site's root page: it sends the reader to a language.
type LangPicker struct {
	Title  string
	Text   string
	Links  []Link
	Stamps []string // "data as of" and build time, in each language
	Script string   // relative path of the language-choosing script
	CSS    string
}

// hasCharts says whether the page draws any chart, so pages without one
// load no script.
func hasCharts(p SitePage) bool {
	for _, k := range p.KPIs {
		if k.Chart != nil {
			return true
		}
	}
	for _, s := range p.Sections {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				return true
			}
		}
	}
	return false
}

func colspan(t Table) string {
	if len(t.Columns) == 0 {
		return "1"
	}
	return strconv.Itoa(len(t.Columns))
}

// hasTables says whether the page shows a table, which tables.js makes
// sortable.
func hasTables(p SitePage) bool {
	for _, s := range p.Sections {
		for _, b := range s.Blocks {
			if len(b.Table.Columns) > 0 {
				return true
			}
		}
	}
	return false
}
