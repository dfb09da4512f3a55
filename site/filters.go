package site

import (
	"net/url"
	"sort"
	"time"

	"github.com/feeflow/feeflow/templates"
	"github.com/shopspring/decimal"
)

// The filters of the collection, arrears and reconciliation pages run in the
// reader's browser (assets/filters.js), offline: each page carries the cubes
// it needs (analytics' *_cube views) as a JSON data block, money in integer
// cents, and a spec of each table the filter recomputes. The script sums the
// rows a filter selects, computes rates from the sums with integer
// arithmetic, rounded half away from zero as the views round, and writes the
// table, its chart and its CSV download. Without script the page shows the
// unfiltered figures the build wrote.

// filterData is the JSON block a filtered page carries.
type filterData struct {
	Periods      []string            `json:"periods"`      // YYYY-MM, oldest first
	PeriodLabels []string            `json:"periodLabels"` // as the page writes them
	Days         []string            `json:"days,omitempty"`
	DayLabels    []string            `json:"dayLabels,omitempty"`
	Dims         map[string][]string `json:"dims"`   // the codes of each dimension, sorted
	Labels       map[string][]string `json:"labels"` // their labels, in the same order
	Reports      map[string]string   `json:"reports,omitempty"`
	Cubes        map[string]cubeData `json:"cubes"`
	Blocks       []blockSpec         `json:"blocks"`
	Total        string              `json:"total"`
}

// cubeData is one cube: each row holds the index of its value in every
// dimension (periods, days or dims), then its measures (money in cents).
// The rows are written one after the other in one flat array (a page's
// weight counts: the collection page carries thousands of rows).
type cubeData struct {
	Dims   []string `json:"dims"`
	Fields []string `json:"fields"`
	Rows   []int64  `json:"rows"`
	// Derived fields are the difference of two fields (name -> [a, b]: a -
	// b), computed by the script when it reads the rows: on time = collected
	// - late, and late is mostly 0, which is shorter to ship.
	Derived map[string][2]string `json:"derived,omitempty"`
}

// blockSpec says how filters.js recomputes one block: its rows are the
// groups of the dimensions in Group; each column a sum of a field, a rate of
// two sums or a field's share of its first group's total. A field comes from
// the first cube in Cubes that has it and that the filter applies to (a cube
// without a filtered dimension does not apply): billed is on bills, which a
// channel or collector filter cannot split, and is then "—".
type blockSpec struct {
	ID    string     `json:"id"`
	Group []string   `json:"group"`
	Cubes []string   `json:"cubes"`
	Cols  []colSpec  `json:"cols"`
	Total bool       `json:"total,omitempty"`
	Chart *chartSpec `json:"chart,omitempty"`
}

type colSpec struct {
	Kind  string    `json:"kind"` // money, int, rate
	Sum   string    `json:"sum,omitempty"`
	Rate  [2]string `json:"rate,omitzero"`
	Share string    `json:"share,omitempty"`
}

// chartSpec: Cols are the columns drawn as one series each over the first
// group dimension; or Pivot, a column drawn as one series per value of the
// second group dimension. Unit is how a value is drawn (percent, money,
// count), as the build draws it.
type chartSpec struct {
	Cols  []int  `json:"cols,omitempty"`
	Pivot *int   `json:"pivot,omitempty"`
	Unit  string `json:"unit"`
	Links bool   `json:"links,omitempty"` // the x axis is months: a point opens the month's report
}

// cents is d in hundredths, truncated past them.
func cents(d decimal.Decimal) int64 {
	if c, ok := exactCents(d); ok {
		return c
	}
	return d.Shift(2).IntPart()
}

// dimIndex numbers the codes of one dimension in sorted order.
type dimIndex struct {
	codes []string
	index map[string]int
}

func newDim(codes []string) *dimIndex {
	d := &dimIndex{index: map[string]int{}}
	seen := map[string]bool{}
	for _, c := range codes {
		if !seen[c] {
			seen[c] = true
			d.codes = append(d.codes, c)
		}
	}
	sort.Strings(d.codes)
	for i, c := range d.codes {
		d.index[c] = i
	}
	return d
}

func (d *dimIndex) of(code string) int64 { return int64(d.index[code]) }

// filterSet is what one page's filters know: its periods and dimensions.
type filterSet struct {
	pc      *pageCtx
	periods *dimIndex
	days    *dimIndex
	dims    map[string]*dimIndex
	data    filterData
}

func (pc *pageCtx) newFilterSet(periods []string) *filterSet {
	fs := &filterSet{pc: pc, periods: newDim(periods), dims: map[string]*dimIndex{}}
	fs.data = filterData{Dims: map[string][]string{}, Labels: map[string][]string{}, Cubes: map[string]cubeData{}, Total: pc.t.T("total")}
	fs.data.Periods = fs.periods.codes
	fs.data.PeriodLabels = pc.monthLabels(fs.periods.codes)
	fs.data.Reports = map[string]string{}
	for _, f := range pc.d.finance {
		fs.data.Reports[f.Period] = pc.href("reports/" + f.Period + "/index.html")
	}
	return fs
}

// dim adds a dimension with its codes and how a code reads.
func (fs *filterSet) dim(name string, codes []string, label func(string) string) {
	d := newDim(codes)
	fs.dims[name] = d
	fs.data.Dims[name] = d.codes
	labels := make([]string, len(d.codes))
	for i, c := range d.codes {
		labels[i] = label(c)
	}
	fs.data.Labels[name] = labels
}

func (fs *filterSet) setDays(days []time.Time) {
	var s []string
	for _, d := range days {
		s = append(s, d.Format(time.DateOnly))
	}
	fs.days = newDim(s)
	fs.data.Days = fs.days.codes
	for _, c := range fs.days.codes {
		d, _ := time.Parse(time.DateOnly, c)
		fs.data.DayLabels = append(fs.data.DayLabels, fs.pc.t.Date(d))
	}
}

// bar is the filter bar of the page: the period range and a select per
// dimension named, in that order.
func (fs *filterSet) bar(note string, names ...string) *templates.FilterBar {
	t := fs.pc.t
	b := &templates.FilterBar{Label: t.T("filter.label"), From: t.T("filter.from"), To: t.T("filter.to"),
		Reset: t.T("filter.reset"), All: t.T("filter.all"), Note: note, Status: t.T("filter.status")}
	for i, p := range fs.data.Periods {
		b.Periods = append(b.Periods, templates.Option{Value: p, Label: fs.data.PeriodLabels[i]})
	}
	for _, n := range names {
		s := templates.FilterSelect{Name: n, Label: t.T("filter." + n)}
		for i, c := range fs.data.Dims[n] {
			s.Options = append(s.Options, templates.Option{Value: c, Label: fs.data.Labels[n][i]})
		}
		b.Selects = append(b.Selects, s)
	}
	return b
}

func (pc *pageCtx) collectorName(s string) string {
	if s == "" {
		return pc.t.T("collector.online")
	}
	return s
}

// collectionFilters are the collection page's cubes and its filter bar.
func (pc *pageCtx) collectionFilters(periods []string) (*filterSet, *templates.FilterBar) {
	d := pc.d
	fs := pc.newFilterSet(periods)
	var items, areas, channels, collectors []string
	for _, c := range d.collectionCube {
		items, areas = append(items, c.FeeItem), append(areas, c.Area)
	}
	for _, c := range d.paymentsCube {
		items, areas = append(items, c.FeeItem), append(areas, c.Area)
		channels, collectors = append(channels, c.Channel), append(collectors, c.Collector)
	}
	fs.dim("fee_item", items, pc.feeName)
	fs.dim("area", areas, pc.areaName)
	fs.dim("channel", channels, func(s string) string { return pc.t.Enum("method", s) })
	fs.dim("collector", collectors, pc.collectorName)
	coll := cubeData{Dims: []string{"period", "fee_item", "area"}, Fields: []string{"bills", "billed", "collected", "on_time"}}
	for _, c := range d.collectionCube {
		coll.Rows = append(coll.Rows, fs.periods.of(c.Period), fs.dims["fee_item"].of(c.FeeItem), fs.dims["area"].of(c.Area),
			int64(c.Bills), cents(c.Billed), cents(c.Collected), cents(c.OnTime))
	}
	pay := cubeData{Dims: []string{"period", "fee_item", "area", "channel", "collector"}, Fields: []string{"payments", "collected", "late"},
		Derived: map[string][2]string{"on_time": {"collected", "late"}}}
	for _, c := range d.paymentsCube {
		pay.Rows = append(pay.Rows, fs.periods.of(c.Period), fs.dims["fee_item"].of(c.FeeItem), fs.dims["area"].of(c.Area),
			fs.dims["channel"].of(c.Channel), fs.dims["collector"].of(c.Collector), int64(c.Payments), cents(c.Collected), cents(c.Collected.Sub(c.OnTime)))
	}
	fs.data.Cubes["collection"], fs.data.Cubes["payments"] = coll, pay
	return fs, fs.bar(pc.t.T("filter.note.collection"), "fee_item", "area", "channel", "collector")
}

// arrearsFilters are the arrears page's cube and its filter bar.
func (pc *pageCtx) arrearsFilters(periods []string) (*filterSet, *templates.FilterBar) {
	d := pc.d
	fs := pc.newFilterSet(periods)
	var items, areas []string
	for _, c := range d.arrearsCube {
		items, areas = append(items, c.FeeItem), append(areas, c.Area)
	}
	fs.dim("fee_item", items, pc.feeName)
	fs.dim("area", areas, pc.areaName)
	arr := cubeData{Dims: []string{"period", "area", "fee_item"}, Fields: []string{"bills", "opening_arrears", "recovered"}}
	for _, c := range d.arrearsCube {
		arr.Rows = append(arr.Rows, fs.periods.of(c.Period), fs.dims["area"].of(c.Area), fs.dims["fee_item"].of(c.FeeItem),
			int64(c.Bills), cents(c.OpeningArrears), cents(c.Recovered))
	}
	// households are counted per month only: no area or fee item filter
	// applies to them
	hh := cubeData{Dims: []string{"period"}, Fields: []string{"households_billed", "households_paid"}}
	for _, a := range d.arrears {
		hh.Rows = append(hh.Rows, fs.periods.of(a.Period), int64(a.HouseholdsBilled), int64(a.HouseholdsPaid))
	}
	fs.data.Cubes["arrears"], fs.data.Cubes["households"] = arr, hh
	return fs, fs.bar(pc.t.T("filter.note.arrears"), "area", "fee_item")
}

// reconciliationFilters are the reconciliation page's cube and its filter bar.
func (pc *pageCtx) reconciliationFilters(periods []string) (*filterSet, *templates.FilterBar) {
	d := pc.d
	fs := pc.newFilterSet(periods)
	var channels, collectors []string
	var days []time.Time
	for _, c := range d.reconCube {
		channels, collectors, days = append(channels, c.Channel), append(collectors, c.Collector), append(days, c.Day)
	}
	fs.dim("channel", channels, func(s string) string { return pc.t.Enum("channel", s) })
	fs.dim("collector", collectors, func(s string) string {
		if s == "" {
			return pc.t.T("none")
		}
		return s
	})
	fs.setDays(days)
	rc := cubeData{Dims: []string{"day", "channel", "collector"}, Fields: []string{"items", "matched", "discrepancies", "discrepancy_amount"}}
	for _, c := range d.reconCube {
		rc.Rows = append(rc.Rows, fs.days.of(c.Day.Format(time.DateOnly)), fs.dims["channel"].of(c.Channel), fs.dims["collector"].of(c.Collector),
			int64(c.Items), int64(c.Matched), int64(c.Discrepancies), cents(c.DiscrepancyAmount))
	}
	fs.data.Cubes["reconciliation"] = rc
	return fs, fs.bar(pc.t.T("filter.note.reconciliation"), "channel", "collector")
}

// cubePeriods are the months a cube's filter offers: those of the as-of
// cut, oldest first.
func cubePeriods[T any](rows []T, period func(T) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if p := period(r); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// hasReport says whether period has a monthly report page.
func (pc *pageCtx) hasReport(period string) bool {
	for _, f := range pc.d.finance {
		if f.Period == period {
			return true
		}
	}
	return false
}

// month is a period cell that opens the month's report.
func (pc *pageCtx) month(period string) val {
	v := pc.vPeriod(period)
	if pc.hasReport(period) {
		v = v.linked(pc.href("reports/" + period + "/index.html"))
	}
	return v
}

// linkMonths lets a chart over months open a month's report when a point is
// clicked: charts.js reads the links from the option ("" where a month has
// no report).
func (pc *pageCtx) linkMonths(c *templates.Chart, periods []string) *templates.Chart {
	links := make([]string, len(periods))
	for i, p := range periods {
		if pc.hasReport(p) {
			links[i] = pc.href("reports/" + p + "/index.html")
		}
	}
	if o, ok := c.Option.(map[string]any); ok {
		o["links"] = links
	}
	return c
}

// filterLink is a cell that narrows the page's filter to its value.
func filterLink(v val, dim, code string) val {
	return v.linked("#" + dim + "=" + url.QueryEscape(code))
}

// kpiCards is the overview's JSON block: each card's value, change and
// trend for every month of the trend, which the period picker shows.
type kpiCards struct {
	Periods []string               `json:"periods"`
	Cards   map[string][][3]string `json:"cards"`
}

// partialDays is how many days of a month that just started count as "only
// a few": until then the overview shows the last complete month, with the
// new month to date beside it.
const partialDays = 7

// monthToDate is the number of days of data of the as-of month when that
// month has only a few days of data yet; 0 otherwise.
func (d *dataset) monthToDate() int {
	if day := d.asOf.Day(); day <= partialDays && !d.asOf.Equal(monthEnd(d.asOfMonth)) {
		return day
	}
	return 0
}
