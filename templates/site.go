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
	Assets   string    // relative path from the page to the assets folder, ending in "/"
	Nav      []Link    // the site's pages, relative to this page
	Switch   []Link    // this page in the other languages
	Text     PageText  // fixed texts of the frame
	AsOf     string    // "data as of" day, formatted
	Built    string    // build time, formatted
	Intro    string    // a sentence under the heading
	Print    bool      // a printable report page (A4 layout)
	KPIs     []KPI     // overview cards
	Sections []Section // the page's content, in order
}

// PageText is the fixed wording of the page frame.
type PageText struct {
	Skip        string // skip link
	NavLabel    string // aria-label of the main navigation
	LangLabel   string // aria-label of the language switcher
	DataAsOf    string // "Data as of"
	Built       string // "Built"
	DownloadCSV string
	ShowSQL     string // summary of the SQL block
	ShowTable   string // summary of a collapsed table
	Print       string // print hint on report pages
	Footer      string
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
