package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/feeflow/feeflow/analytics"
)

// shownTable is a table as the reader sees it: each row's cells as text,
// and the exact values the cells carry for sorting and the CSV.
type shownTable struct {
	Rows  [][]string `json:"rows"`
	Exact [][]string `json:"exact"`
	Foot  [][]string `json:"foot"`
}

const readTableJS = `(function (id) {
  var t = document.querySelector('[data-block="' + id + '"] table');
  function cells(tr) { return Array.prototype.map.call(tr.cells, function (c) { return c.textContent.trim(); }); }
  function exact(tr) { return Array.prototype.map.call(tr.cells, function (c) { var v = c.getAttribute('data-v'); return v === null ? c.textContent.trim() : v; }); }
  var body = Array.prototype.filter.call(t.tBodies[0].rows, function (r) { return !r.hidden; });
  return { rows: body.map(cells), exact: body.map(exact), foot: t.tFoot ? Array.prototype.map.call(t.tFoot.rows, cells) : [] };
})`

func readTable(t *testing.T, ctx context.Context, id string) shownTable {
	t.Helper()
	return eval[shownTable](t, ctx, readTableJS+`(`+fmt.Sprintf("%q", id)+`)`)
}

// eval runs a script in the page and returns its result.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%.80s: %v", js, err)
	}
	return v
}

// sqlRows runs a question through analytics' read-only gate, as an analyst
// would with `feeflow sql`, and returns each row as exact text.
func sqlRows(t *testing.T, query string) [][]string {
	t.Helper()
	res, err := analytics.Query(context.Background(), shared.store, query, analytics.QueryOptions{})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var out [][]string
	for _, r := range res[0].Rows {
		row := make([]string, len(r))
		for i, v := range r {
			row[i] = analytics.CellText(res[0].Columns[i], v, nil)
		}
		out = append(out, row)
	}
	return out
}

// money and percent write exact figures as the pages do.
func money(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// percent is a rate of 4 places (as the views give it) as the page shows it:
// a percent with 1 place, rounded half away from zero; NULL is "—".
func percent(rate string) string {
	if rate == "" {
		return "—"
	}
	neg := strings.HasPrefix(rate, "-")
	rate = strings.TrimPrefix(rate, "-")
	whole, frac, _ := strings.Cut(rate, ".")
	frac = (frac + "0000")[:4]
	units, err := strconv.ParseInt(whole+frac, 10, 64) // in 0.0001
	if err != nil {
		return "bad rate " + rate
	}
	tenths := units / 10
	if units%10 >= 5 {
		tenths++
	}
	s := fmt.Sprintf("%d.%d%%", tenths/10, tenths%10)
	if neg && tenths != 0 {
		s = "-" + s
	}
	return s
}

var code = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// The collection page filtered to one fee item and one quarter shows, in
// every table, the figures `feeflow sql` gives for the same question over
// the views, to the cent; the filter is in the URL, and the same URL opened
// again (or from disk) shows the same.
func TestCollectionFilterMatchesSQL(t *testing.T) {
	setup(t)
	periods := sqlRows(t, "SELECT DISTINCT period FROM collection_cube ORDER BY period")
	if len(periods) < 4 {
		t.Fatalf("the data set has %d months, want at least 4", len(periods))
	}
	from, to := periods[1][0], periods[3][0] // a quarter that is not the whole range
	item := sqlRows(t, "SELECT fee_item FROM collection_cube GROUP BY fee_item ORDER BY sum(billed) DESC LIMIT 1")[0][0]
	if !code.MatchString(item) {
		t.Fatalf("fee item %q is not a plain code", item)
	}
	where := fmt.Sprintf("fee_item = '%s' AND period BETWEEN '%s' AND '%s'", item, from, to)

	base, _ := url.Parse(shared.ts.URL)
	ctx, v, _ := open(t, shared.ts.URL+"/en/collection.html", "")
	// choose through the filter bar, as a reader does
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#filters`)),
		chromedp.SetValue(chromedp.CSS(`#filters select[name="fee_item"]`), item),
		chromedp.SetValue(chromedp.CSS(`#filters select[name="from"]`), from),
		chromedp.SetValue(chromedp.CSS(`#filters select[name="to"]`), to),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('filters').dispatchEvent(new Event('change', {bubbles: true}))`),
	); err != nil {
		t.Fatal(err)
	}
	hash := eval[string](t, ctx, `window.location.hash`)
	for _, want := range []string{"fee_item=" + item, "from=" + from, "to=" + to} {
		if !strings.Contains(hash, want) {
			t.Errorf("location.hash = %q, want it to hold %s", hash, want)
		}
	}

	// by month: collection_monthly for the fee item; the on-time amount
	// from the cube (the view gives only its rate)
	month := readTable(t, ctx, "collection_month")
	want := sqlRows(t, `SELECT m.period, m.billed, m.collected, m.collection_rate, c.on_time, m.on_time_rate
		FROM collection_monthly m JOIN (SELECT period, fee_item, sum(on_time) AS on_time FROM collection_cube GROUP BY ALL) c
		USING (period, fee_item) WHERE m.`+where+` ORDER BY m.period`)
	compare(t, "collection_month", month, want, []string{"month", "money", "money", "rate", "money", "rate"})
	foot := sqlRows(t, `SELECT 'Total', sum(billed), sum(collected), ratio4(sum(collected), sum(billed)), sum(on_time), ratio4(sum(on_time), sum(billed)) FROM collection_cube WHERE `+where)
	compare(t, "collection_month total", shownTable{Rows: month.Foot, Exact: month.Foot}, foot, []string{"text", "money", "money", "rate", "money", "rate"})

	// by fee item: the view's rows of that item
	compare(t, "collection_fee_item", readTable(t, ctx, "collection_fee_item"),
		sqlRows(t, `SELECT period, fee_item, billed, collected, collection_rate, on_time_rate FROM collection_monthly WHERE `+where+` ORDER BY period`),
		[]string{"month", "skip", "money", "money", "rate", "rate"})
	// by area, by channel and by collector: the cubes summed for the question
	compare(t, "collection_area", readTable(t, ctx, "collection_area"),
		sqlRows(t, `SELECT period, area, sum(billed), sum(collected), ratio4(sum(collected), sum(billed)), ratio4(sum(on_time), sum(billed))
			FROM collection_cube WHERE `+where+` GROUP BY ALL ORDER BY period, area`),
		[]string{"month", "skip", "money", "money", "rate", "rate"})
	for _, dim := range []string{"channel", "collector"} {
		compare(t, "collection_"+dim, readTable(t, ctx, "collection_"+dim),
			sqlRows(t, `SELECT period, `+dim+`, sum(payments), sum(collected), sum(on_time),
				ratio4(sum(collected), sum(sum(collected)) OVER (PARTITION BY period))
				FROM collection_payments_cube WHERE `+where+` GROUP BY 1, 2 ORDER BY period, `+dim),
			[]string{"month", "skip", "int", "money", "money", "rate"})
	}

	// the chart follows: three months on the x axis
	months := eval[int](t, ctx, `JSON.parse(document.getElementById('collection_month_option').textContent).xAxis[0].data.length`)
	if months != len(month.Rows) {
		t.Errorf("the collection chart draws %d months, the table shows %d", months, len(month.Rows))
	}
	// the CSV download holds the filtered rows
	csv := eval[string](t, ctx, `decodeURIComponent(document.querySelector('[data-block="collection_month"] a.csv').getAttribute('href').split(',').slice(1).join(','))`)
	if lines := strings.Count(strings.TrimSpace(csv), "\n") + 1; lines != 1+len(month.Rows)+1 {
		t.Errorf("filtered CSV has %d lines, want header + %d rows + total:\n%s", lines, len(month.Rows), csv)
	}
	if len(month.Rows) > 0 && !strings.Contains(csv, "\n"+month.Exact[0][0]+","+month.Exact[0][1]+",") {
		t.Errorf("filtered CSV lacks the first row %v:\n%s", month.Exact[0], csv)
	}
	for _, p := range v.problems {
		t.Error(p)
	}
	for _, r := range v.foreign(base) {
		t.Errorf("request outside the site: %s", r)
	}

	// The URL round-trips: opened again, the same filter and figures.
	ctx2, _, _ := open(t, shared.ts.URL+"/en/collection.html"+hash, "")
	chosen := eval[[]string](t, ctx2, `['fee_item','from','to'].map(function (n) { return document.querySelector('#filters select[name="' + n + '"]').value; })`)
	if strings.Join(chosen, " ") != item+" "+from+" "+to {
		t.Errorf("reopened filter = %v, want %s %s %s", chosen, item, from, to)
	}
	if again := readTable(t, ctx2, "collection_month"); fmt.Sprint(again) != fmt.Sprint(month) {
		t.Errorf("reopened table = %v, want %v", again, month)
	}

	// From disk the filter works the same and asks for nothing outside.
	fileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(shared.build, "en", "collection.html")), Fragment: strings.TrimPrefix(hash, "#")}).String()
	ctx3, v3, _ := open(t, fileURL, "")
	if fromDisk := readTable(t, ctx3, "collection_month"); fmt.Sprint(fromDisk) != fmt.Sprint(month) {
		t.Errorf("from file:// the table = %v, want %v", fromDisk, month)
	}
	for _, p := range v3.problems {
		t.Errorf("file://: %s", p)
	}
	for _, r := range v3.foreign(&url.URL{Scheme: "file"}) {
		t.Errorf("file://: request outside the site: %s", r)
	}

	// Clearing the filter brings back the page as built.
	if err := chromedp.Do(ctx2, chromedp.Click(chromedp.CSS(`#filters button[type="reset"]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx2, chromedp.Poll[bool](`window.location.hash === ''`)); err != nil {
		t.Fatal(err)
	}
	rows := eval[int](t, ctx2, `document.querySelector('[data-block="collection_month"] tbody').rows.length`)
	if all := len(sqlRows(t, "SELECT DISTINCT period FROM collection_monthly")); rows != all {
		t.Errorf("after clearing, the month table has %d rows, want %d", rows, all)
	}
}

// compare checks every shown cell against the SQL answer, formatted as the
// page formats it. kinds: month (the cell's exact value is the period),
// money, rate, int, text, skip (a label checked elsewhere).
func compare(t *testing.T, name string, shown shownTable, want [][]string, kinds []string) {
	t.Helper()
	if len(shown.Rows) != len(want) {
		t.Errorf("%s shows %d rows, SQL gives %d:\nshown %v\nSQL %v", name, len(shown.Rows), len(want), shown.Rows, want)
		return
	}
	for i, w := range want {
		for j, k := range kinds {
			got, exact := shown.Rows[i][j], shown.Exact[i][j]
			var expect string
			switch k {
			case "skip":
				continue
			case "month":
				got, expect = exact, w[j]
			case "money":
				expect = money(w[j])
			case "rate":
				expect = percent(w[j])
			case "int":
				expect = money(w[j] + ".")
				expect = strings.TrimSuffix(expect, ".")
			default:
				expect = w[j]
			}
			if got != expect {
				t.Errorf("%s row %d column %d = %q, want %q (SQL %v)", name, i+1, j+1, got, expect, w)
			}
		}
	}
}

// Headings sort their column: numbers by value, both ways, with aria-sort.
func TestTablesSort(t *testing.T) {
	setup(t)
	ctx, v, _ := open(t, shared.ts.URL+"/en/collection.html", "")
	const col = `[data-block="collection_fee_item"] thead th:nth-child(3)`
	values := func() []float64 {
		return eval[[]float64](t, ctx, `Array.prototype.map.call(document.querySelectorAll('[data-block="collection_fee_item"] tbody tr'), function (r) { return parseFloat(r.cells[2].textContent.replace(/,/g, '')); })`)
	}
	for _, dir := range []string{"ascending", "descending"} {
		sort := eval[string](t, ctx, `(function () { var th = document.querySelector('`+col+`'); th.querySelector('button').click(); return th.getAttribute('aria-sort'); })()`)
		if sort != dir {
			t.Errorf("aria-sort = %q, want %q", sort, dir)
		}
		got := values()
		if len(got) < 2 {
			t.Fatalf("the fee item table has %d rows", len(got))
		}
		for i := 1; i < len(got); i++ {
			if (dir == "ascending" && got[i] < got[i-1]) || (dir == "descending" && got[i] > got[i-1]) {
				t.Errorf("%s: billed %v comes after %v", dir, got[i], got[i-1])
			}
		}
	}
	for _, p := range v.problems {
		t.Error(p)
	}
}

// At 390 px (a phone) the filter bar's controls and the overview's cards do
// not overlap, and no page is wider than the screen.
func TestFiltersOnAPhone(t *testing.T) {
	setup(t)
	for _, rel := range []string{"zh-Hant/collection.html", "en/index.html"} {
		t.Run(rel, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(shared.browser)
			defer cancel()
			if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(shared.ts.URL+"/"+rel)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === 'complete' && !document.querySelector('form.filters[hidden]')`)); err != nil {
				t.Fatal(err)
			}
			overlaps := eval[[]string](t, ctx, `(function () {
			  var els = Array.prototype.slice.call(document.querySelectorAll('.filters label, .filters button, .kpi, .table-search'));
			  var out = [];
			  var r = els.map(function (e) { return e.getBoundingClientRect(); });
			  for (var i = 0; i < r.length; i++) {
			    if (r[i].right > window.innerWidth + 0.5) { out.push(els[i].textContent.trim().slice(0, 30) + ' leaves the screen'); }
			    for (var j = i + 1; j < r.length; j++) {
			      if (els[i].contains(els[j]) || els[j].contains(els[i])) { continue; }
			      var x = Math.min(r[i].right, r[j].right) - Math.max(r[i].left, r[j].left);
			      var y = Math.min(r[i].bottom, r[j].bottom) - Math.max(r[i].top, r[j].top);
			      if (x > 0.5 && y > 0.5) { out.push(els[i].textContent.trim().slice(0, 30) + ' / ' + els[j].textContent.trim().slice(0, 30)); }
			    }
			  }
			  return out;
			})()`)
			wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`)
			for _, o := range overlaps {
				t.Errorf("%s at 390 px: %s", rel, o)
			}
			if wide {
				t.Errorf("%s at 390 px is wider than the screen", rel)
			}
		})
	}
}

// The arrears and reconciliation pages filtered through the URL show what
// SQL over the cubes gives for the same question; figures the filter cannot
// split (households by area) read "—", never a wrong number.
func TestArrearsAndReconciliationFilters(t *testing.T) {
	setup(t)
	area := sqlRows(t, "SELECT area FROM arrears_cube GROUP BY area ORDER BY sum(opening_arrears) DESC LIMIT 1")[0][0]
	ctx, v, _ := open(t, shared.ts.URL+"/en/arrears.html#"+url.Values{"area": {area}}.Encode(), "")
	arrears := readTable(t, ctx, "arrears_month")
	compare(t, "arrears_month", arrears, sqlRows(t, fmt.Sprintf(`SELECT m.period, coalesce(sum(c.opening_arrears), 0), coalesce(sum(c.recovered), 0),
		ratio4(coalesce(sum(c.recovered), 0), coalesce(sum(c.opening_arrears), 0)), '—', '—', '—'
		FROM arrears_months m LEFT JOIN arrears_cube c ON c.period = m.period AND c.area = '%s'
		WHERE m.period <= (SELECT max(period) FROM arrears_monthly WHERE period <= strftime(data_end(), '%%Y-%%m'))
		GROUP BY m.period ORDER BY m.period`, strings.ReplaceAll(area, "'", "''"))),
		[]string{"month", "money", "money", "rate", "text", "text", "text"})

	channel := sqlRows(t, "SELECT channel FROM reconciliation_cube GROUP BY channel ORDER BY sum(discrepancies) DESC LIMIT 1")[0][0]
	if !code.MatchString(channel) {
		t.Fatalf("channel %q is not a plain code", channel)
	}
	ctx2, v2, _ := open(t, shared.ts.URL+"/en/reconciliation.html#channel="+channel, "")
	daily := readTable(t, ctx2, "recon_daily")
	compare(t, "recon_daily", daily, sqlRows(t, `SELECT strftime(day, '%Y-%m-%d'), sum(items), sum(matched), sum(discrepancies), sum(discrepancy_amount), ratio4(sum(matched), sum(items))
		FROM reconciliation_cube WHERE channel = '`+channel+`' AND day <= data_end() GROUP BY day ORDER BY day`),
		[]string{"month", "int", "int", "int", "money", "rate"})
	for _, p := range append(v.problems, v2.problems...) {
		t.Error(p)
	}
}

// The overview's month picker shows the chosen month on the cards: the
// figures of that month in the trend table below.
func TestOverviewMonthPicker(t *testing.T) {
	setup(t)
	ctx, v, _ := open(t, shared.ts.URL+"/en/index.html", "")
	first := eval[string](t, ctx, `document.querySelector('#period-picker select').options[0].value`)
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#period-picker`)),
		chromedp.SetValue(chromedp.CSS(`#period-picker select`), first),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#period-picker select').dispatchEvent(new Event('change', {bubbles: true}))`),
	); err != nil {
		t.Fatal(err)
	}
	card := eval[string](t, ctx, `document.querySelector('#kpi_collection_rate .kpi-value').textContent`)
	trend := readTable(t, ctx, "overview_trend")
	if len(trend.Exact) == 0 || trend.Exact[0][0] != first {
		t.Fatalf("the trend table does not start with %s: %v", first, trend.Exact)
	}
	if card != trend.Rows[0][1] {
		t.Errorf("with %s picked the collection rate card shows %q, the trend table %q", first, card, trend.Rows[0][1])
	}
	if hash := eval[string](t, ctx, `window.location.hash`); hash != "#period="+first {
		t.Errorf("location.hash = %q, want #period=%s", hash, first)
	}
	for _, p := range v.problems {
		t.Error(p)
	}
}

// A day of the daily reconciliation with discrepancies opens that day's rows
// in the lists below: each row left shown holds the day.
func TestReconciliationDayDrillDown(t *testing.T) {
	setup(t)
	ctx, v, _ := open(t, shared.ts.URL+"/en/reconciliation.html", "")
	day := eval[string](t, ctx, `(function () {
	  var a = document.querySelector('[data-block="recon_daily"] tbody th a[href^="#q="]');
	  if (!a) { return ''; }
	  a.click();
	  return a.closest('th').getAttribute('data-v');
	})()`)
	if day == "" {
		t.Fatal("no day of the daily reconciliation links to its rows")
	}
	found := 0
	for _, id := range []string{"recon_open", "recon_resolved"} {
		tb := readTable(t, ctx, id)
		for i, r := range tb.Exact {
			if !strings.Contains(strings.Join(r, " ")+" "+strings.Join(tb.Rows[i], " "), day) {
				t.Errorf("%s shows a row without %s: %v", id, day, r)
			}
			found++
		}
	}
	if found == 0 {
		t.Errorf("no row of %s is shown in the lists", day)
	}
	for _, p := range v.problems {
		t.Error(p)
	}
}

// A click on a month of a trend chart opens that month's report.
func TestMonthChartOpensReport(t *testing.T) {
	setup(t)
	ctx, v, _ := open(t, shared.ts.URL+"/en/collection.html", "")
	at := eval[[]float64](t, ctx, `(function () {
	  var el = document.getElementById('collection_month');
	  el.scrollIntoView({block: 'center'});
	  var chart = echarts.getInstanceByDom(el);
	  var p = chart.convertToPixel({seriesIndex: 0}, [0, chart.getOption().series[0].data[0].value]);
	  var r = el.getBoundingClientRect();
	  return [r.left + p[0], r.top + p[1]];
	})()`)
	want := eval[string](t, ctx, `JSON.parse(document.getElementById('collection_month_option').textContent).links[0]`)
	if want == "" {
		t.Fatal("the chart's first month links to no report")
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.MouseClickXY(at[0], at[1]))); err != nil {
		t.Fatalf("clicking the first month opened no page: %v", err)
	}
	if got := eval[string](t, ctx, `location.pathname`); !strings.HasSuffix(got, strings.TrimPrefix(want, ".")) {
		t.Errorf("opened %s, want %s", got, want)
	}
	// The pointer over the chart shows ECharts' tooltip, whose inline
	// styles the server's CSP refuses (the charts' tooltips are styled from
	// the stylesheet elsewhere); only the page's own errors count here.
	for _, p := range v.problems {
		if !strings.Contains(p, "inline style") {
			t.Error(p)
		}
	}
}
