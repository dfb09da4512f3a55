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

func common(id string, legend bool) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithColorsOpts(opts.Colors(palette)),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Type: "scroll", Top: "0"}),
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

// lineChart draws series over categories.
func lineChart(id, label string, x []string, ss []series, a axis, mark *markLine) *templates.Chart {
	c := charts.NewLine()
	c.SetGlobalOptions(common(id, len(ss) > 1)...)
	c.SetGlobalOptions(charts.WithYAxisOpts(yAxis(a)), charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: x}))
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

// sparkline is a KPI card's small trend: no axes, no legend.
func sparkline(id, label string, x []string, s series, a axis) *templates.Chart {
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithColorsOpts(opts.Colors(palette)),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "2", Right: "2", Top: "4", Bottom: "4"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Show: opts.Bool(false), Data: x}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Show: opts.Bool(false), Scale: opts.Bool(true)}),
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

// calendarChart is a heatmap of a count per day over [from, to].
func calendarChart(id, label, name string, from, to time.Time, days []time.Time, counts []int, zh bool) *templates.Chart {
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
	// ECharts' own "ZH" names (一月, 日 一 二 ...) read the same in
	// Traditional Chinese.
	names := "EN"
	if zh {
		names = "ZH"
	}
	{
		o["calendar"] = []map[string]any{{
			"range": []string{from.Format(time.DateOnly), to.Format(time.DateOnly)},
			"left":  "40", "right": "16", "top": "30", "bottom": "60", "cellSize": "auto",
			"dayLabel":   map[string]any{"nameMap": names, "firstDay": 1},
			"monthLabel": map[string]any{"nameMap": names},
			"yearLabel":  map[string]any{"show": false},
		}}
	}
	return &templates.Chart{ID: id, Label: label, Size: "calendar", Option: o}
}
