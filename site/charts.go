package site

import (
	"time"

	"github.com/feeflow/feeflow/templates"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"
)

// Charts are built with go-echarts, validated, and handed to the page as the
// option object only (chart.JSON()): the page writes it with templ's JSON
// escaping and assets/charts.js starts it. go-echarts' own renderer, which
// pastes strings into inline JavaScript, is never used.

// palette is calm on a light and a dark background alike.
var palette = []string{"#3b6fd4", "#e08a3c", "#2f9e7d", "#9a6bd6", "#d14d62", "#4aa3c8", "#b39a2a", "#7d8593"}

// point is one chart value: a figure, or a gap.
type point struct {
	d     decimal.Decimal
	valid bool
}

func pt(d decimal.Decimal) point              { return point{d: d, valid: true} }
func ptRate(d decimal.Decimal, ok bool) point { return point{d: d.Shift(2).Round(1), valid: ok} }
func ptInt(n int) point                       { return pt(decimal.NewFromInt(int64(n))) }

// chartValue is the only place an amount or rate becomes a float: ECharts
// needs JSON numbers, and only the drawing uses them; tables and CSVs show
// the exact decimal. A gap is ECharts' "-".
func chartValue(p point) any {
	if !p.valid {
		return "-"
	}
	return p.d.InexactFloat64()
}

// series is one named line or bar.
type series struct {
	name   string
	points []point
}

// axis says how values read: "percent", "money" or "count".
type axis string

const (
	axisPercent axis = "percent"
	axisMoney   axis = "money"
	axisCount   axis = "count"
)

func yAxis(a axis) opts.YAxis {
	y := opts.YAxis{Type: "value", SplitLine: &opts.SplitLine{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{}}
	if a == axisPercent {
		// rates of a healthy operation sit near 100%: let the axis start
		// near the data, not at 0, so that a change can be seen
		y.AxisLabel.Formatter = "{value}%"
		y.Scale = opts.Bool(true)
	}
	if a == axisCount {
		y.MinInterval = 1
	}
	return y
}

// A plain legend wraps onto as many lines as it needs, so every colour's key
// stays visible (a "scroll" legend pages it away on a phone); charts.js moves
// the plot below however many lines it took.
func common(id string, legend bool) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithColorsOpts(opts.Colors(palette)),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Type: "plain", Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: legendTop(legend), Bottom: "8", ContainLabel: opts.Bool(true)}),
	}
}

func legendTop(legend bool) string {
	if legend {
		return "40"
	}
	return "16"
}

// option finishes a chart: Validate, then the option object alone.
type optioner interface {
	Validate()
	JSON() map[string]interface{}
}

func option(c optioner) map[string]any {
	c.Validate()
	return c.JSON()
}

// minSpan is the smallest range, in percentage points, a rate axis spans:
// a 0.1-point wobble must not fill the chart's height as if it were a fall.
var minSpan = decimal.NewFromInt(10)

// rateRange is the y range for rates (in percent) drawn from ss: the data's
// range widened to at least minSpan points around its middle, within 0..100
// where the data lies there, in whole points. ok is false with no data.
func rateRange(ss ...series) (lo, hi decimal.Decimal, ok bool) {
	for _, s := range ss {
		for _, p := range s.points {
			if !p.valid {
				continue
			}
			if !ok || p.d.LessThan(lo) {
				lo = p.d
			}
			if !ok || p.d.GreaterThan(hi) {
				hi = p.d
			}
			ok = true
		}
	}
	if !ok {
		return lo, hi, false
	}
	if hi.Sub(lo).LessThan(minSpan) {
		mid := lo.Add(hi).Div(decimal.NewFromInt(2))
		half := minSpan.Div(decimal.NewFromInt(2))
		lo, hi = mid.Sub(half), mid.Add(half)
		hundred := decimal.NewFromInt(100)
		if hi.GreaterThan(hundred) && !lo.Sub(hi.Sub(hundred)).IsNegative() {
			lo, hi = lo.Sub(hi.Sub(hundred)), hundred
		}
		if lo.IsNegative() && hi.Sub(lo).LessThanOrEqual(hundred) {
			lo, hi = decimal.Zero, hi.Sub(lo)
		}
	}
	return lo.Floor(), hi.Ceil(), true
}

// scaled sets a rate axis's range from the data (see rateRange).
func scaled(y opts.YAxis, a axis, ss ...series) opts.YAxis {
	if a != axisPercent {
		return y
	}
	if lo, hi, ok := rateRange(ss...); ok {
		y.Scale = opts.Bool(false)
		y.Min, y.Max = lo.IntPart(), hi.IntPart()
	}
	return y
}

// lineChart draws series over categories.
func lineChart(id, label string, x []string, ss []series, a axis, mark *markLine) *templates.Chart {
	c := charts.NewLine()
	c.SetGlobalOptions(common(id, len(ss) > 1)...)
	c.SetGlobalOptions(charts.WithYAxisOpts(scaled(yAxis(a), a, ss...)), charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: x}))
	c.SetXAxis(x)
	for i, s := range ss {
		data := make([]opts.LineData, len(s.points))
		for j, p := range s.points {
			data[j] = opts.LineData{Value: chartValue(p)}
		}
		so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(x) <= 40), ConnectNulls: opts.Bool(false)})}
		if mark != nil && i == 0 {
			so = append(so,
				charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: mark.name, XAxis: mark.x}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b}"}}))
		}
		c.AddSeries(s.name, data, so...)
	}
	return &templates.Chart{ID: id, Label: label, Unit: unit(a), Option: option(c)}
}

// unit tells charts.js how to show a value in the tooltip.
func unit(a axis) string {
	switch a {
	case axisPercent:
		return "percent"
	case axisMoney:
		return "money"
	}
	return ""
}

// markLine marks one category on a line chart (an action's start).
type markLine struct {
	name string
	x    string
}

// barChart draws series as bars over categories, stacked when asked.
func barChart(id, label string, x []string, ss []series, a axis, stacked bool) *templates.Chart {
	c := charts.NewBar()
	c.SetGlobalOptions(common(id, len(ss) > 1)...)
	c.SetGlobalOptions(charts.WithYAxisOpts(yAxis(a)), charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: x}))
	c.SetXAxis(x)
	for _, s := range ss {
		data := make([]opts.BarData, len(s.points))
		for j, p := range s.points {
			data[j] = opts.BarData{Value: chartValue(p)}
		}
		bo := opts.BarChart{}
		if stacked {
			bo.Stack = "total"
		}
		c.AddSeries(s.name, data, charts.WithBarChartOpts(bo))
	}
	return &templates.Chart{ID: id, Label: label, Unit: unit(a), Option: option(c)}
}

// sparkline is a KPI card's small trend: no axes, no legend. Its scale is
// the same as a chart's with axes would be: rates over at least minSpan
// points, amounts and counts from zero, so noise stays small.
func sparkline(id, label string, x []string, s series, a axis) *templates.Chart {
	y := opts.YAxis{Type: "value", Show: opts.Bool(false)}
	switch {
	case a == axisPercent:
		y = scaled(y, a, s)
	case a == axisCount && averageLike(s):
		// an average score: at least one whole point of range
		if lo, hi, ok := spanOf(s, decimal.NewFromInt(1)); ok {
			y.Min, y.Max = lo.InexactFloat64(), hi.InexactFloat64()
		}
	}
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithColorsOpts(opts.Colors(palette)),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "2", Right: "2", Top: "4", Bottom: "4"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Show: opts.Bool(false), Data: x}),
		charts.WithYAxisOpts(y),
	)
	c.SetXAxis(x)
	data := make([]opts.LineData, len(s.points))
	for j, p := range s.points {
		data[j] = opts.LineData{Value: chartValue(p)}
	}
	c.AddSeries(s.name, data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Smooth: opts.Bool(false)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.12)}))
	return &templates.Chart{ID: id, Label: label, Size: "spark", Unit: unit(a), Option: option(c)}
}

// averageLike is true for a series of fractional values (an average score)
// rather than whole counts.
func averageLike(s series) bool {
	for _, p := range s.points {
		if p.valid && !p.d.Equal(p.d.Truncate(0)) {
			return true
		}
	}
	return false
}

// spanOf is the range of s widened to at least span around its middle, never
// below zero.
func spanOf(s series, span decimal.Decimal) (lo, hi decimal.Decimal, ok bool) {
	for _, p := range s.points {
		if !p.valid {
			continue
		}
		if !ok || p.d.LessThan(lo) {
			lo = p.d
		}
		if !ok || p.d.GreaterThan(hi) {
			hi = p.d
		}
		ok = true
	}
	if ok && hi.Sub(lo).LessThan(span) {
		mid := lo.Add(hi).Div(decimal.NewFromInt(2))
		lo, hi = mid.Sub(span.Div(decimal.NewFromInt(2))), mid.Add(span.Div(decimal.NewFromInt(2)))
		if lo.IsNegative() {
			lo, hi = decimal.Zero, span
		}
	}
	return lo, hi, ok
}

// calendarChart is a heatmap of a count per day over [from, to], its day and
// month labels in the reader's language (days from Sunday, months from
// January, as ECharts' nameMap wants them).
func calendarChart(id, label, name string, from, to time.Time, days []time.Time, counts []int, dayNames, monthNames []string) *templates.Chart {
	c := charts.NewHeatMap()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	)
	max := 1
	for _, n := range counts {
		if n > max {
			max = n
		}
	}
	c.SetGlobalOptions(charts.WithVisualMapOpts(opts.VisualMap{
		Type: "continuous", Calculable: opts.Bool(true), Min: 0, Max: float32(max), Orient: "horizontal", Left: "center", Bottom: "0",
		InRange: &opts.VisualMapInRange{Color: []string{"#dbe7fb", "#e08a3c", "#b42318"}},
	}))
	c.AddCalendar(&opts.Calendar{
		Range: []string{from.Format(time.DateOnly), to.Format(time.DateOnly)},
		Left:  "40", Right: "16", Top: "30", Bottom: "60", CellSize: "auto",
	})
	data := make([]opts.HeatMapData, len(days))
	for i, d := range days {
		data[i] = opts.HeatMapData{Value: []any{d.Format(time.DateOnly), chartValue(ptInt(counts[i]))}}
	}
	c.AddSeries(name, data, charts.WithCoordinateSystem("calendar"), charts.WithCalendarIndex(0))
	o := option(c)
	delete(o, "xAxis")
	delete(o, "yAxis")
	// go-echarts has no nameMap for calendar labels: set the calendar here.
	// charts.js turns it upright on a narrow screen, where a year of weeks
	// side by side leaves the month labels no room.
	o["calendar"] = []map[string]any{{
		"range": []string{from.Format(time.DateOnly), to.Format(time.DateOnly)},
		"left":  "40", "right": "16", "top": "30", "bottom": "60", "cellSize": "auto",
		"dayLabel":   map[string]any{"nameMap": dayNames, "firstDay": 1},
		"monthLabel": map[string]any{"nameMap": monthNames},
		"yearLabel":  map[string]any{"show": false},
	}}
	return &templates.Chart{ID: id, Label: label, Size: "calendar", Option: o}
}
