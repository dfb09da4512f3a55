package site

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/templates"
	"github.com/shopspring/decimal"
)

// Every page lists figures from the views in their own order (by period,
// then by key), so iteration is deterministic; where Go groups rows itself it
// sorts the keys.

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (pc *pageCtx) monthLabels(periods []string) []string {
	out := make([]string, len(periods))
	for i, p := range periods {
		out[i] = pc.t.Month(p)
	}
	return out
}

func rateOf(r analytics.Rate) point { return ptRate(r.Value, r.Valid) }

// kpiDef is one overview card: a value per trend month.
type kpiDef struct {
	id, key, note string
	kind          kind // kRate, kMoney, kInt, kNum
	higherBetter  bool
	series        []analytics.Rate // per trend period
	value         *analytics.Rate  // the card's figure when it is not the last month's
	compare       string
	maturing      bool   // a rate of the month's bills: not comparable while the month is still collecting
	seriesKey     string // names the monthly series when it counts something other than the card's figure
}

func overviewPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.overview", "intro.overview")
	var periods []string
	for _, o := range d.overview {
		periods = append(periods, o.Period)
	}
	labels := pc.monthLabels(periods)
	count := func(n int) analytics.Rate {
		return analytics.Rate{Value: decimal.NewFromInt(int64(n)), Valid: true}
	}

	defs := []*kpiDef{
		{id: "kpi_collection_rate", key: "kpi.collection_rate", note: "kpi.note.collection_rate", kind: kRate, higherBetter: true, maturing: true},
		{id: "kpi_on_time_rate", key: "kpi.on_time_rate", note: "kpi.note.on_time_rate", kind: kRate, higherBetter: true, maturing: true},
		{id: "kpi_outstanding", key: "kpi.outstanding", note: "kpi.note.outstanding", kind: kMoney},
		{id: "kpi_clearance_rate", key: "kpi.clearance_rate", note: "kpi.note.clearance_rate", kind: kRate, higherBetter: true},
		{id: "kpi_match_rate", key: "kpi.match_rate", note: "kpi.note.match_rate", kind: kRate, higherBetter: true},
		{id: "kpi_open_discrepancies", key: "kpi.open_discrepancies", note: "kpi.note.open_discrepancies", kind: kInt},
		{id: "kpi_refunds_in_progress", key: "kpi.refunds_in_progress", note: "kpi.note.refunds_in_progress", kind: kInt, compare: "kpi.compare.refunds", seriesKey: "col.refunds_open_of_month"},
		{id: "kpi_avg_score", key: "kpi.avg_score", note: "kpi.note.avg_score", kind: kNum, higherBetter: true},
	}
	for _, o := range d.overview {
		defs[0].series = append(defs[0].series, o.CollectionRate)
		defs[1].series = append(defs[1].series, o.OnTimeRate)
		defs[2].series = append(defs[2].series, analytics.Rate{Value: o.Outstanding, Valid: true})
		defs[3].series = append(defs[3].series, o.ClearanceRate)
		defs[4].series = append(defs[4].series, o.MatchRate)
		defs[5].series = append(defs[5].series, count(o.OpenDiscrepancies))
		defs[6].series = append(defs[6].series, count(o.RefundsOpenOfMonth))
		defs[7].series = append(defs[7].series, o.AvgScore)
	}
	// the open discrepancies card: the follow-up list of the as-of day; the
	// refunds card: every month's refunds still in progress
	open := count(d.open.Count)
	defs[5].value = &open
	inProgress := count(0)
	if n := len(d.overview); n > 0 {
		inProgress = count(d.overview[n-1].RefundsOpenToDate)
	}
	defs[6].value = &inProgress

	// The month the cards show: the last of the trend, or the last complete
	// one while the month that just started has only a few days of data
	// (its figures then stand beside, as month to date).
	n := len(periods)
	head := n - 1
	mtd := d.monthToDate()
	if mtd > 0 && n >= 2 && periods[n-1] == d.asOfMonth {
		head = n - 2
	} else {
		mtd = 0
	}
	links := map[string]string{
		"kpi_collection_rate": "collection.html#month", "kpi_on_time_rate": "collection.html#month",
		"kpi_outstanding": "arrears.html#aging", "kpi_clearance_rate": "arrears.html#clearance",
		"kpi_match_rate": "reconciliation.html#daily", "kpi_open_discrepancies": "reconciliation.html#open",
		"kpi_refunds_in_progress": "exceptions.html#refunds", "kpi_avg_score": "index.html#trend",
	}
	days := t.T("kpi.days", mtd)
	if mtd == 1 {
		days = t.T("kpi.day")
	}
	cards := kpiCards{Periods: periods, Cards: map[string][][3]string{}}
	for _, k := range defs {
		card := templates.KPI{Label: t.T(k.key), Note: t.T(k.note), Compare: t.T("kpi.compare"), ID: k.id, Href: pc.href(links[k.id])}
		if k.kind == kMoney {
			card.Label = t.InCurrency(card.Label)
		}
		if k.compare != "" {
			card.Compare = t.T(k.compare)
		}
		if k.maturing && len(periods) > 0 && d.collecting(periods[head]) {
			card.Compare = t.T("kpi.compare.collecting")
		}
		at := func(i int) [3]string {
			var out [3]string
			if i < 0 || i >= n {
				return out
			}
			out[0] = kpiText(t, k.kind, k.series[i])
			if i >= 1 && k.series[i].Valid && k.series[i-1].Valid {
				out[1], out[2] = kpiChange(t, k.kind, k.series[i].Value.Sub(k.series[i-1].Value), k.higherBetter)
			}
			return out
		}
		for i := range periods {
			cards.Cards[k.id] = append(cards.Cards[k.id], at(i))
		}
		shown := at(head)
		card.Value, card.Change, card.Trend = shown[0], shown[1], shown[2]
		if n == 0 {
			card.Value = kpiText(t, k.kind, analytics.Rate{})
		}
		if k.value != nil {
			card.Value = kpiText(t, k.kind, *k.value)
		} else if mtd > 0 {
			card.Sub = t.T("kpi.mtd", days, kpiText(t, k.kind, k.series[n-1]))
		}
		if n > 0 {
			pts := make([]point, n)
			for i, v := range k.series {
				if k.kind == kRate {
					pts[i] = rateOf(v)
				} else {
					pts[i] = point{d: v.Value, valid: v.Valid}
				}
			}
			a := axisCount
			switch k.kind {
			case kRate:
				a = axisPercent
			case kMoney:
				a = axisMoney
			}
			x := labels
			if k.maturing {
				x = pc.maturingLabels(periods)
			}
			name := t.T(k.key)
			if k.seriesKey != "" {
				name = t.T(k.seriesKey)
			}
			card.Chart = pc.linkMonths(sparkline(k.id, t.T("chart.trend", name, n), x, series{name: name, points: pts}, a), periods)
		}
		p.KPIs = append(p.KPIs, card)
	}
	if n > 0 {
		pick := &templates.PeriodPicker{Label: t.T("kpi.period"), Action: "cards", Selected: periods[head]}
		for i, per := range periods {
			label := labels[i]
			if i == n-1 && mtd > 0 {
				label = t.T("kpi.month_to_date", label, days)
			}
			pick.Options = append(pick.Options, templates.Option{Value: per, Label: label})
		}
		p.Periods, p.Data = pick, cards
	}

	dt := dataTable{caption: t.T("caption.overview_trend", len(periods)),
		cols: cols("month", "#collection_rate", "#on_time_rate", "#outstanding", "#clearance_rate", "#match_rate", "#open_discrepancies", "#refunds_open_of_month", "#avg_score")}
	for i, per := range periods {
		row := []val{pc.month(per)}
		for _, k := range defs {
			v := k.series[i]
			switch k.kind {
			case kRate:
				row = append(row, vRate(v))
			case kMoney:
				row = append(row, vMoney(v.Value))
			case kInt:
				row = append(row, vInt(int(v.Value.IntPart())))
			default:
				row = append(row, vNum(v))
			}
		}
		dt.rows = append(dt.rows, row)
	}
	blk := pc.block("overview_trend", dt, nil, analytics.OverviewMonthlySQL(d.asOf, trendMonths)+";")
	blk.Collapse = false
	p.Sections = append(p.Sections, templates.Section{
		ID: "trend", Heading: t.T("section.trend"), Intro: t.T("intro.trend"),
		Blocks: []templates.Block{blk}, Notes: []string{t.T("note.open_at_month_end")},
	})
	return p
}

func kpiText(t *tr, k kind, r analytics.Rate) string {
	switch k {
	case kRate:
		return t.Percent(r)
	case kMoney:
		if !r.Valid {
			return "—"
		}
		return t.Money(r.Value)
	case kInt:
		if !r.Valid {
			return "—"
		}
		return t.Int(int(r.Value.IntPart()))
	}
	return t.Fixed(r, 2)
}

func kpiChange(t *tr, k kind, diff decimal.Decimal, higherBetter bool) (string, string) {
	var s string
	switch k {
	case kRate:
		s = t.Points(diff)
	case kMoney:
		s = signed(group(diff.StringFixed(2)))
	case kInt:
		s = signed(group(diff.StringFixed(0)))
	default:
		s = signed(diff.StringFixed(2))
	}
	trend := "flat"
	shown := diff
	if k == kRate {
		shown = diff.Shift(2).Round(1) // as the change is shown, in points
	} else if k == kNum {
		shown = diff.Round(2)
	}
	switch {
	case shown.IsZero():
	case diff.IsPositive() == higherBetter:
		trend = "good"
	default:
		trend = "bad"
	}
	return s, trend
}

func collectionPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.collection", "intro.collection")
	var periods []string
	for _, m := range d.collTotals {
		if !m.Total {
			periods = append(periods, m.Period)
		}
	}
	labels := pc.monthLabels(periods)
	fs, bar := pc.collectionFilters(periods)

	// by month
	dt := dataTable{caption: t.T("caption.collection_month"), cols: cols("month", "#billed", "#collected", "#collection_rate", "#on_time", "#on_time_rate")}
	var rate, onTime []point
	for _, m := range d.collTotals {
		if m.Total {
			dt.foot = [][]val{{vText(t.T("total")), vMoney(m.Billed), vMoney(m.Collected), vRate(m.CollectionRate), vMoney(m.OnTime), vRate(m.OnTimeRate)}}
			continue
		}
		dt.rows = append(dt.rows, []val{pc.month(m.Period), vMoney(m.Billed), vMoney(m.Collected), vRate(m.CollectionRate), vMoney(m.OnTime), vRate(m.OnTimeRate)})
		rate, onTime = append(rate, rateOf(m.CollectionRate)), append(onTime, rateOf(m.OnTimeRate))
	}
	ch := pc.linkMonths(lineChart("collection_month", t.T("chart.collection_month"), pc.maturingLabels(periods), []series{
		{name: t.T("col.collection_rate"), points: rate}, {name: t.T("col.on_time_rate"), points: onTime},
	}, axisPercent, nil), periods)
	month := pc.block("collection_month", dt, ch, analytics.CollectionTotalsSQL(d.asOf)+";")
	fs.data.Blocks = append(fs.data.Blocks, blockSpec{ID: "collection_month", Group: []string{"period"}, Cubes: []string{"collection", "payments"},
		Cols: []colSpec{{Kind: "money", Sum: "billed"}, {Kind: "money", Sum: "collected"}, {Kind: "rate", Rate: [2]string{"collected", "billed"}},
			{Kind: "money", Sum: "on_time"}, {Kind: "rate", Rate: [2]string{"on_time", "billed"}}},
		Total: true, Chart: &chartSpec{Cols: []int{2, 4}, Unit: "percent", Links: true}})

	// by fee item and by area: the collection rate of each key per month
	byKey := func(id, keyCol, dim, chartKey, captionKey string, rows []analytics.Collection, name func(string) string, sql string) templates.Block {
		dt := dataTable{caption: t.T(captionKey), cols: cols("month", keyCol, "#billed", "#collected", "#collection_rate", "#on_time_rate")}
		keys := map[string]map[string]analytics.Rate{}
		for _, c := range rows {
			dt.rows = append(dt.rows, []val{pc.month(c.Period), filterLink(vText(name(c.Key)), dim, c.Key), vMoney(c.Billed), vMoney(c.Collected), vRate(c.CollectionRate), vRate(c.OnTimeRate)})
			if keys[c.Key] == nil {
				keys[c.Key] = map[string]analytics.Rate{}
			}
			keys[c.Key][c.Period] = c.CollectionRate
		}
		var ss []series
		for _, k := range sortedKeys(keys) {
			s := series{name: name(k)}
			for _, per := range periods {
				s.points = append(s.points, rateOf(keys[k][per]))
			}
			ss = append(ss, s)
		}
		pivot := 2
		fs.data.Blocks = append(fs.data.Blocks, blockSpec{ID: id, Group: []string{"period", dim}, Cubes: []string{"collection", "payments"},
			Cols: []colSpec{{Kind: "money", Sum: "billed"}, {Kind: "money", Sum: "collected"}, {Kind: "rate", Rate: [2]string{"collected", "billed"}},
				{Kind: "rate", Rate: [2]string{"on_time", "billed"}}},
			Chart: &chartSpec{Pivot: &pivot, Unit: "percent", Links: true}})
		return pc.block(id, dt, pc.linkMonths(lineChart(id, t.T(chartKey), labels, ss, axisPercent, nil), periods), sql+";")
	}
	item := byKey("collection_fee_item", "fee_item", "fee_item", "chart.collection_fee_item", "caption.collection_fee_item", d.collection, pc.feeName, analytics.SQLAsOf(analytics.CollectionMonthlyQuery, d.asOf))
	area := byKey("collection_area", "area", "area", "chart.collection_area", "caption.collection_area", d.byArea, pc.areaName, analytics.SQLAsOf(analytics.CollectionByAreaQuery, d.asOf))

	share := func(id, keyCol, dim, chartKey, captionKey string, rows []analytics.CollectionShare, name func(string) string, sql string) templates.Block {
		dt := dataTable{caption: t.T(captionKey), cols: cols("month", keyCol, "#payments", "#collected", "#on_time", "#share")}
		keys := map[string]map[string]decimal.Decimal{}
		for _, c := range rows {
			dt.rows = append(dt.rows, []val{pc.month(c.Period), filterLink(vText(name(c.Key)), dim, c.Key), vInt(c.Payments), vMoney(c.Collected), vMoney(c.OnTime), vRate(c.Share)})
			if keys[c.Key] == nil {
				keys[c.Key] = map[string]decimal.Decimal{}
			}
			keys[c.Key][c.Period] = c.Collected
		}
		var ss []series
		for _, k := range sortedKeys(keys) {
			s := series{name: name(k)}
			for _, per := range periods {
				v, ok := keys[k][per]
				s.points = append(s.points, point{d: v, valid: ok})
			}
			ss = append(ss, s)
		}
		pivot := 1
		fs.data.Blocks = append(fs.data.Blocks, blockSpec{ID: id, Group: []string{"period", dim}, Cubes: []string{"payments"},
			Cols:  []colSpec{{Kind: "int", Sum: "payments"}, {Kind: "money", Sum: "collected"}, {Kind: "money", Sum: "on_time"}, {Kind: "rate", Share: "collected"}},
			Chart: &chartSpec{Pivot: &pivot, Unit: "money", Links: true}})
		return pc.block(id, dt, pc.linkMonths(barChart(id, t.T(chartKey), labels, ss, axisMoney, true), periods), sql+";")
	}
	channel := share("collection_channel", "method", "channel", "chart.collection_channel", "caption.collection_channel", d.byChannel,
		func(s string) string { return t.Enum("method", s) }, analytics.SQLAsOf(analytics.CollectionByChannelQuery, d.asOf))
	collector := share("collection_collector", "collector", "collector", "chart.collection_collector", "caption.collection_collector", d.byCollector,
		pc.collectorName, analytics.SQLAsOf(analytics.CollectionByCollectorQuery, d.asOf))

	p.Filter, p.Data = bar, fs.data
	p.Sections = []templates.Section{
		{ID: "month", Heading: t.T("section.collection_month"), Intro: t.T("intro.collection_month"), Blocks: []templates.Block{month}, Notes: pc.collectingNotes(periods)},
		{ID: "fee-item", Heading: t.T("section.collection_fee_item"), Blocks: []templates.Block{item}},
		{ID: "area", Heading: t.T("section.collection_area"), Blocks: []templates.Block{area}},
		{ID: "channel", Heading: t.T("section.collection_channel"), Blocks: []templates.Block{channel}},
		{ID: "collector", Heading: t.T("section.collection_collector"), Blocks: []templates.Block{collector}},
	}
	return p
}

func arrearsPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.arrears", "intro.arrears")

	aging := dataTable{caption: t.T("caption.arrears_aging", t.Date(d.asOf)), cols: cols("bucket", "#bills", "#outstanding")}
	var x []string
	var pts []point
	for _, b := range d.aging {
		aging.rows = append(aging.rows, []val{vEnum("bucket", b.Bucket), vInt(b.Bills), vMoney(b.Outstanding)})
		x = append(x, t.Enum("bucket", b.Bucket))
		pts = append(pts, pt(b.Outstanding))
	}
	aging.foot = [][]val{{vText(t.T("total")), vInt(d.agingTotal.Bills), vMoney(d.agingTotal.Outstanding)}}
	agingBlock := pc.block("arrears_aging", aging,
		barChart("arrears_aging", t.T("chart.arrears_aging"), x, []series{{name: t.T("col.outstanding"), points: pts}}, axisMoney, false),
		analytics.ArrearsAgingWithTotalSQL(d.asOf, d.latest)+";")

	monthly := dataTable{caption: t.T("caption.arrears_month"), cols: cols("month", "#opening_arrears", "#recovered", "#clearance_rate", "#households_billed", "#households_paid", "#household_rate")}
	var periods []string
	var clear, house []point
	for _, a := range d.arrears {
		monthly.rows = append(monthly.rows, []val{pc.month(a.Period), vMoney(a.OpeningArrears), vMoney(a.Recovered), vRate(a.ClearanceRate), vInt(a.HouseholdsBilled), vInt(a.HouseholdsPaid), vRate(a.HouseholdRate)})
		periods = append(periods, a.Period)
		clear, house = append(clear, rateOf(a.ClearanceRate)), append(house, rateOf(a.HouseholdRate))
	}
	rates := pc.block("arrears_month", monthly,
		pc.linkMonths(lineChart("arrears_month", t.T("chart.arrears_month"), pc.monthLabels(periods), []series{
			{name: t.T("col.clearance_rate"), points: clear}, {name: t.T("col.household_rate"), points: house},
		}, axisPercent, nil), periods),
		analytics.SQLAsOf(analytics.ArrearsMonthlyQuery, d.asOf)+";")
	fs, bar := pc.arrearsFilters(periods)
	fs.data.Blocks = append(fs.data.Blocks, blockSpec{ID: "arrears_month", Group: []string{"period"}, Cubes: []string{"arrears", "households"},
		Cols: []colSpec{{Kind: "money", Sum: "opening_arrears"}, {Kind: "money", Sum: "recovered"}, {Kind: "rate", Rate: [2]string{"recovered", "opening_arrears"}},
			{Kind: "int", Sum: "households_billed"}, {Kind: "int", Sum: "households_paid"}, {Kind: "rate", Rate: [2]string{"households_paid", "households_billed"}}},
		Chart: &chartSpec{Cols: []int{2, 5}, Unit: "percent", Links: true}})
	p.Filter, p.Data = bar, fs.data

	p.Sections = []templates.Section{
		{ID: "aging", Heading: t.T("section.arrears_aging"), Intro: t.T("intro.arrears_aging"), Blocks: []templates.Block{agingBlock}},
		{ID: "clearance", Heading: t.T("section.arrears_month"), Intro: t.T("intro.arrears_month"), Blocks: []templates.Block{rates}},
	}
	p.Sections[0].Links = append(p.Sections[0].Links, pc.listLink(whoOwesFile, "link.who_owes"), pc.listLink(overpaymentsFile, "link.overpayments"))
	return p
}

func reconciliationPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.reconciliation", "intro.reconciliation")
	days := d.days

	daily := dataTable{caption: t.T("caption.recon_daily"), cols: cols("day", "#items", "#matched", "#discrepancies", "#discrepancy_amount", "#match_rate")}
	var x []string
	var pts []point
	for _, r := range days {
		day := vDate(r.Day)
		if r.Discrepancies > 0 {
			// the day's discrepancies, found in the lists below
			day = day.linked("#q=" + r.Day.Format(time.DateOnly))
		}
		daily.rows = append(daily.rows, []val{day, vInt(r.Items), vInt(r.Matched), vInt(r.Discrepancies), vMoney(r.DiscrepancyAmount), vRate(r.MatchRate)})
		x = append(x, r.Day.Format(time.DateOnly))
		pts = append(pts, rateOf(r.MatchRate))
	}
	dailyBlock := pc.block("recon_daily", daily,
		lineChart("recon_daily", t.T("chart.recon_daily"), x, []series{{name: t.T("col.match_rate"), points: pts}}, axisPercent, nil),
		analytics.ReconciliationByDaySQL(d.asOf)+";")
	var months []string
	for _, r := range days {
		months = append(months, r.Day.Format("2006-01"))
	}
	fs, bar := pc.reconciliationFilters(cubePeriods(months, func(s string) string { return s }))
	fs.data.Blocks = append(fs.data.Blocks, blockSpec{ID: "recon_daily", Group: []string{"day"}, Cubes: []string{"reconciliation"},
		Cols: []colSpec{{Kind: "int", Sum: "items"}, {Kind: "int", Sum: "matched"}, {Kind: "int", Sum: "discrepancies"},
			{Kind: "money", Sum: "discrepancy_amount"}, {Kind: "rate", Rate: [2]string{"matched", "items"}}},
		Chart: &chartSpec{Cols: []int{4}, Unit: "percent"}})
	p.Filter, p.Data = bar, fs.data

	// the calendar covers up to a year before the as-of day
	from := d.asOf.AddDate(-1, 0, 1)
	if !d.first.IsZero() && d.first.After(from) {
		from = d.first
	}
	cal := dataTable{caption: t.T("caption.recon_calendar"), cols: cols("day", "#discrepancies", "#discrepancy_amount")}
	var cdays []time.Time
	var counts []int
	for _, r := range days {
		if r.Discrepancies == 0 || r.Day.Before(from) {
			continue
		}
		cal.rows = append(cal.rows, []val{vDate(r.Day), vInt(r.Discrepancies), vMoney(r.DiscrepancyAmount)})
		cdays, counts = append(cdays, r.Day), append(counts, r.Discrepancies)
	}
	calBlock := pc.block("recon_calendar", cal,
		calendarChart("recon_calendar", t.T("chart.recon_calendar"), t.T("col.discrepancies"), from, d.asOf, cdays, counts, t.dayNames(), t.monthNames()),
		analytics.ReconciliationByDaySQL(d.asOf)+";")

	open := dataTable{caption: t.T("caption.recon_open", t.Date(d.asOf)), cols: cols("ref", "status", "#diff", "opened_on", "#age_days")}
	for _, o := range d.open.Rows {
		age := vInt(o.AgeDays)
		if o.AgeDays > 30 {
			age = age.with("bad")
		}
		open.rows = append(open.rows, []val{vText(o.Ref), vEnum("status", o.Status), vMoney(o.Diff), vDate(o.OpenedOn), age})
	}
	if d.open.Count > 0 {
		// differences of both signs do not cancel out: the size of what is
		// open is the sum of |diff|; the net is shown apart
		open.foot = [][]val{
			{vText(t.T("total.abs", d.open.Count)), vText(""), vMoney(d.open.Abs), vText(""), vText("")},
			{vText(t.T("total.net")), vText(""), vMoney(d.open.Net), vText(""), vText("")},
		}
	}
	openBlock := pc.block("recon_open", open, nil, analytics.DiscrepanciesOpenTotalsSQL(d.asOf, d.latest)+";")
	openBlock.Collapse = false
	openBlock.Table.Search = true // a day of the daily table finds its rows here

	res := dataTable{caption: t.T("caption.recon_resolved"), cols: cols("ref", "day", "channel", "status", "#system_amount", "#bank_amount", "#diff", "resolution")}
	for _, r := range d.resolved {
		res.rows = append(res.rows, []val{vText(r.Ref), vDate(r.Day), vEnum("channel", r.Channel), vEnum("status", r.Status), vMoney(r.SystemAmount), vMoney(r.BankAmount), vMoney(r.Diff), vEnum("resolution", r.Resolution)})
	}
	resBlock := pc.block("recon_resolved", res, nil, analytics.SQLAsOf(analytics.ResolvedDiscrepanciesQuery, d.asOf)+";")
	resBlock.Table.Search = true

	p.Sections = []templates.Section{
		{ID: "daily", Heading: t.T("section.recon_daily"), Intro: t.T("intro.recon_daily"), Blocks: []templates.Block{dailyBlock}},
		{ID: "calendar", Heading: t.T("section.recon_calendar"), Blocks: []templates.Block{calBlock}},
		{ID: "open", Heading: t.T("section.recon_open"), Intro: t.T("intro.recon_open"), Blocks: []templates.Block{openBlock}},
		{ID: "resolved", Heading: t.T("section.recon_resolved"), Blocks: []templates.Block{resBlock}},
	}
	p.Sections[2].Links = append(p.Sections[2].Links, pc.listLink(discrepancyFile, "link.discrepancy_lines"))
	return p
}

func exceptionsPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.exceptions", "intro.exceptions")

	// exceptions by type and month
	var periods []string
	seen := map[string]bool{}
	types := map[string]map[string]int{}
	ex := dataTable{caption: t.T("caption.exceptions_type"), cols: cols("month", "type", "#count", "#escalated", "#resolved", "#median_days")}
	for _, e := range d.exceptions {
		ex.rows = append(ex.rows, []val{vMonth(e.Period), vEnum("exception", e.Type), vInt(e.Count), vInt(e.Escalated), vInt(e.Resolved), vDays(e.MedianDaysToResolve)})
		if !seen[e.Period] {
			seen[e.Period] = true
			periods = append(periods, e.Period)
		}
		if types[e.Type] == nil {
			types[e.Type] = map[string]int{}
		}
		types[e.Type][e.Period] = e.Count
	}
	var ss []series
	for _, ty := range sortedKeys(types) {
		s := series{name: t.Enum("exception", ty)}
		for _, per := range periods {
			s.points = append(s.points, ptInt(types[ty][per]))
		}
		ss = append(ss, s)
	}
	exBlock := pc.block("exceptions_type", ex, barChart("exceptions_type", t.T("chart.exceptions_type"), pc.monthLabels(periods), ss, axisCount, true), analytics.SQLAsOf(analytics.ExceptionsMonthlyQuery, d.asOf)+";")

	// refunds by stage, and their cycle time
	stages := dataTable{caption: t.T("caption.refunds_stage"), cols: cols("month", "#requested", "#approved", "#rejected", "#executed", "#open_of_month")}
	cycle := dataTable{caption: t.T("caption.refunds_cycle"), cols: cols("month", "#executed", "#median_days", "#p90_days")}
	var rp []string
	var req, appr, rej, exe, med, p90 []point
	for _, r := range d.refunds {
		stages.rows = append(stages.rows, []val{vMonth(r.Period), vInt(r.Requested), vInt(r.Approved), vInt(r.Rejected), vInt(r.Executed), vInt(r.OpenOfMonth)})
		cycle.rows = append(cycle.rows, []val{vMonth(r.Period), vInt(r.Executed), vDays(r.MedianDays), vDays(r.P90Days)})
		rp = append(rp, r.Period)
		req, appr, rej, exe = append(req, ptInt(r.Requested)), append(appr, ptInt(r.Approved)), append(rej, ptInt(r.Rejected)), append(exe, ptInt(r.Executed))
		med, p90 = append(med, point{d: r.MedianDays.Value, valid: r.MedianDays.Valid}), append(p90, point{d: r.P90Days.Value, valid: r.P90Days.Valid})
	}
	rl := pc.monthLabels(rp)
	stageBlock := pc.block("refunds_stage", stages, barChart("refunds_stage", t.T("chart.refunds_stage"), rl, []series{
		{name: t.T("col.requested"), points: req}, {name: t.T("col.approved"), points: appr},
		{name: t.T("col.rejected"), points: rej}, {name: t.T("col.executed"), points: exe},
	}, axisCount, false), analytics.RefundsMonthlySQL(d.asOf)+";")
	cycleBlock := pc.block("refunds_cycle", cycle, lineChart("refunds_cycle", t.T("chart.refunds_cycle"), rl, []series{
		{name: t.T("col.median_days"), points: med}, {name: t.T("col.p90_days"), points: p90},
	}, axisCount, nil), analytics.RefundsMonthlySQL(d.asOf)+";")

	// invoices lost and reissued
	inv := dataTable{caption: t.T("caption.invoices"), cols: cols("month", "#issued", "#lost_or_damaged", "#reissued", "#reissue_rate")}
	var ip []string
	var lost, reis []point
	for _, r := range d.invoices {
		inv.rows = append(inv.rows, []val{vMonth(r.Period), vInt(r.Issued), vInt(r.LostOrDamaged), vInt(r.Reissued), vRate(r.ReissueRate)})
		ip = append(ip, r.Period)
		lost, reis = append(lost, ptInt(r.LostOrDamaged)), append(reis, ptInt(r.Reissued))
	}
	invBlock := pc.block("invoices", inv, barChart("invoices", t.T("chart.invoices"), pc.monthLabels(ip), []series{
		{name: t.T("col.lost_or_damaged"), points: lost}, {name: t.T("col.reissued"), points: reis},
	}, axisCount, false), analytics.SQLAsOf(analytics.InvoicesMonthlyQuery, d.asOf)+";")

	p.Sections = []templates.Section{
		{ID: "types", Heading: t.T("section.exceptions_type"), Intro: t.T("intro.exceptions_type"), Blocks: []templates.Block{exBlock}},
		{ID: "refunds", Heading: t.T("section.refunds"), Intro: t.T("intro.refunds"), Blocks: []templates.Block{stageBlock, cycleBlock}},
		{ID: "invoices", Heading: t.T("section.invoices"), Blocks: []templates.Block{invBlock}},
	}
	p.Sections[0].Links = append(p.Sections[0].Links, pc.listLink(openItemsFile, "link.open_items"))
	p.Sections[1].Links = append(p.Sections[1].Links, pc.listLink(openItemsFile, "link.open_items"))
	return p
}

func metricAxis(metric string) axis {
	switch metricKind(metric) {
	case kRate:
		return axisPercent
	case kMoney:
		return axisMoney
	}
	return axisCount
}

func metricPoint(metric string, r analytics.Rate) point {
	if metricKind(metric) == kRate {
		return rateOf(r)
	}
	return point{d: r.Value, valid: r.Valid}
}

// metricText shows a metric value in the metric's unit.
func metricText(t *tr, metric string, r analytics.Rate) string {
	return vMetric(metric, r).display(t)
}

func targetMet(met *bool) val {
	switch {
	case met == nil:
		return vEnum("met", "unknown").with("muted")
	case *met:
		return vEnum("met", "yes").with("good")
	}
	return vEnum("met", "no").with("bad")
}

// verdict says whether an action holds its target over the latest weeks:
// "holding", "slipped", or not known before a full week of data.
func verdict(met *bool) val {
	switch {
	case met == nil:
		return vEnum("verdict", "unknown").with("muted")
	case *met:
		return vEnum("verdict", "holding").with("good")
	}
	return vEnum("verdict", "slipped").with("bad")
}

func improvementPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.improvement", "intro.improvement")

	all := dataTable{caption: t.T("caption.improvement"), cols: cols("action", "title", "owner", "problem", "metric", "started_on", "#before", "#after", "#delta", "#target", "target_met", "#latest", "verdict")}
	for _, a := range d.actions {
		all.rows = append(all.rows, []val{vText(a.ActionID), vText(pc.actionTitle(a)), vText(a.Owner), vEnum("problem", a.Problem), vEnum("metric", a.Metric), vDate(a.StartedOn),
			vMetric(a.Metric, a.Before), vMetric(a.Metric, a.After), vDelta(a.Metric, a.Delta), vMetric(a.Metric, analytics.Rate{Value: a.Target, Valid: true}), targetMet(a.TargetMet),
			vMetric(a.Metric, a.Latest), verdict(a.LatestMet)})
	}
	allBlock := pc.block("improvement_actions", all, nil, analytics.ImprovementQuery+";")
	allBlock.Collapse = false
	p.Sections = append(p.Sections, templates.Section{ID: "actions", Heading: t.T("section.improvement"), Intro: t.T("intro.improvement_windows"), Blocks: []templates.Block{allBlock}})

	for i, a := range d.actions {
		id := "improvement_" + strconv.Itoa(i+1)
		title := pc.actionTitle(a)
		weeks := dataTable{caption: t.T("caption.improvement_weekly", t.Enum("metric", a.Metric)), cols: cols("week", "#value")}
		var x []string
		var pts []point
		startLabel := ""
		start := time.Date(a.StartedOn.Year(), a.StartedOn.Month(), a.StartedOn.Day(), 0, 0, 0, 0, time.UTC)
		for _, w := range d.weekly[i] {
			weeks.rows = append(weeks.rows, []val{vDate(w.Week), vMetric(a.Metric, w.Value)})
			label := w.Week.Format(time.DateOnly)
			x = append(x, label)
			pts = append(pts, metricPoint(a.Metric, w.Value))
			if startLabel == "" && !w.Week.Before(start) {
				startLabel = label
			}
		}
		var mark *markLine
		if startLabel != "" {
			mark = &markLine{name: t.T("chart.action_start"), x: startLabel}
		}
		chart := lineChart(id, t.T("chart.improvement", title), x, []series{{name: t.Enum("metric", a.Metric), points: pts}}, metricAxis(a.Metric), mark)
		sql := fmt.Sprintf(analytics.MetricWeeklyQuery, a.Metric, d.weeklyFrom[i].Format(time.DateOnly), d.weeklyTo[i].Format(time.DateOnly)) + ";"
		blk := pc.block(id, weeks, chart, sql)
		blk.Collapse = true
		latest := metricText(t, a.Metric, a.Latest)
		if !a.LatestFrom.IsZero() {
			latest += " " + t.T("improvement.window", t.Date(a.LatestFrom), t.Date(a.LatestTo))
		}
		p.Sections = append(p.Sections, templates.Section{
			ID:      "action-" + strconv.Itoa(i+1),
			Heading: a.ActionID + " · " + title,
			Facts: []templates.Fact{
				{Label: t.T("col.owner"), Value: a.Owner},
				{Label: t.T("col.problem"), Value: t.Enum("problem", a.Problem)},
				{Label: t.T("col.metric"), Value: t.Enum("metric", a.Metric)},
				{Label: t.T("col.started_on"), Value: t.Date(a.StartedOn)},
				{Label: t.T("col.before"), Value: metricText(t, a.Metric, a.Before) + " " + t.T("weeks", a.WeeksBefore)},
				{Label: t.T("col.after"), Value: metricText(t, a.Metric, a.After) + " " + t.T("weeks", a.WeeksAfter)},
				{Label: t.T("col.delta"), Value: vDelta(a.Metric, a.Delta).display(t)},
				{Label: t.T("col.target"), Value: metricText(t, a.Metric, analytics.Rate{Value: a.Target, Valid: true})},
				{Label: t.T("col.target_met"), Value: targetMet(a.TargetMet).display(t)},
				{Label: t.T("col.latest"), Value: latest},
				{Label: t.T("col.verdict"), Value: verdict(a.LatestMet).display(t)},
			},
			Blocks: []templates.Block{blk},
		})
	}
	if len(d.actions) == 0 {
		p.Sections[0].Notes = []string{t.T("improvement.none")}
	}
	return p
}

// feesPage is the published tariff: the version of each fee item in force
// on the as-of day, then every version with the change from the one before.
func feesPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.fees", "intro.fees")
	until := func(f analytics.FeeStandard) val {
		if f.EffectiveTo != nil {
			return vDate(*f.EffectiveTo)
		}
		return vText(t.T("fees.open_ended"))
	}

	now := dataTable{caption: t.T("caption.fees", t.Date(d.asOf)), cols: cols("code", "name", "unit", "#rate", "effective_from", "effective_to")}
	for _, f := range d.feesInForce {
		now.rows = append(now.rows, []val{vText(f.Code), vText(inLang(t.lang, f.Name, f.NameEN, f.NameZH)), vText(pc.feeUnit(f)), vMoney(f.Rate), vDate(f.EffectiveFrom), until(f)})
	}
	history := dataTable{caption: t.T("caption.fees_history"), cols: cols("code", "name", "unit", "#rate", "#rate_change", "effective_from", "effective_to")}
	for _, f := range d.feeChanges {
		change := vText("")
		if f.RateChange.Valid {
			change = vMoney(f.RateChange.Value)
			change.delta = true
		}
		history.rows = append(history.rows, []val{vText(f.Code), vText(inLang(t.lang, f.Name, f.NameEN, f.NameZH)), vText(pc.feeUnit(f.FeeStandard)), vMoney(f.Rate), change, vDate(f.EffectiveFrom), until(f.FeeStandard)})
	}
	nowBlock := pc.block("fees", now, nil, analytics.FeeStandardsAtSQL(d.asOf)+";")
	nowBlock.Collapse = false
	histBlock := pc.block("fees_history", history, nil, analytics.FeeStandardChangesQuery+";")
	p.Sections = []templates.Section{
		{ID: "tariff", Heading: t.T("section.fees"), Blocks: []templates.Block{nowBlock}},
		{ID: "history", Heading: t.T("section.fees_history"), Intro: t.T("intro.fees_history"), Blocks: []templates.Block{histBlock}},
	}
	return p
}

func reportsIndexPage(pc *pageCtx) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.reports", "intro.reports")
	s := templates.Section{ID: "months", Heading: t.T("section.reports")}
	pick := &templates.PeriodPicker{Label: t.T("reports.pick"), Action: "open"}
	for i := len(d.finance) - 1; i >= 0; i-- {
		per := d.finance[i].Period
		href := pc.href("reports/" + per + "/index.html")
		s.Links = append(s.Links, templates.Link{Label: t.T("report.link", t.Month(per)), Href: href})
		pick.Options = append(pick.Options, templates.Option{Value: href, Label: t.Month(per)})
	}
	if len(pick.Options) > 0 {
		p.Periods = pick
	}
	if len(s.Links) == 0 {
		s.Notes = []string{t.T("table.empty")}
	}
	p.Sections = []templates.Section{s}
	return p
}

func reportPage(pc *pageCtx, period string) templates.SitePage {
	t, d := pc.t, pc.d
	p := pc.frame("page.report", "")
	p.Title = t.T("report.title", t.Month(period))
	p.Print = true
	tableOnly := func(dt dataTable, sql string) templates.Block {
		return templates.Block{Table: dt.render(t), SQL: sql}
	}

	var f analytics.FinanceMonth
	for _, x := range d.finance {
		if x.Period == period {
			f = x
		}
	}
	fin := templates.Section{ID: "finance", Heading: t.T("section.report_finance"), Facts: []templates.Fact{
		{Label: t.T("col.billed"), Value: t.Money(f.Billed)},
		{Label: t.T("col.collected_cash"), Value: t.Money(f.Collected)},
		{Label: t.T("col.refunded"), Value: t.Money(f.Refunded)},
		{Label: t.T("col.outstanding"), Value: t.Money(f.Outstanding)},
		{Label: t.T("col.walk_in_revenue"), Value: t.Money(f.WalkInRevenue)},
		{Label: t.T("col.provider_fees"), Value: t.Money(f.ProviderFees)},
		{Label: t.T("col.net_settled"), Value: t.Money(f.NetSettled)},
		{Label: t.T("col.dso_days"), Value: t.Fixed(f.DSODays, 2)},
		{Label: t.T("col.cei"), Value: t.Percent(f.CEI)},
	}, Notes: []string{t.T("note.finance")}}

	collMonth := t.Month(period)
	if d.collecting(period) {
		collMonth = t.Collecting(collMonth)
	}
	coll := dataTable{caption: t.T("caption.report_collection", collMonth), cols: cols("fee_item", "#billed", "#collected", "#collection_rate", "#on_time_rate")}
	for _, c := range d.collection {
		if c.Period == period {
			coll.rows = append(coll.rows, []val{vText(pc.feeName(c.Key)), vMoney(c.Billed), vMoney(c.Collected), vRate(c.CollectionRate), vRate(c.OnTimeRate)})
		}
	}
	for _, c := range d.collTotals {
		if c.Period == period && !c.Total {
			coll.foot = [][]val{{vText(t.T("total")), vMoney(c.Billed), vMoney(c.Collected), vRate(c.CollectionRate), vRate(c.OnTimeRate)}}
		}
	}

	var arr analytics.Arrears
	for _, a := range d.arrears {
		if a.Period == period {
			arr = a
		}
	}
	arrears := templates.Section{ID: "arrears", Heading: t.T("section.report_arrears"), Facts: []templates.Fact{
		{Label: t.T("col.opening_arrears"), Value: t.Money(arr.OpeningArrears)},
		{Label: t.T("col.recovered"), Value: t.Money(arr.Recovered)},
		{Label: t.T("col.clearance_rate"), Value: t.Percent(arr.ClearanceRate)},
		{Label: t.T("col.households_billed"), Value: t.Int(arr.HouseholdsBilled)},
		{Label: t.T("col.households_paid"), Value: t.Int(arr.HouseholdsPaid)},
		{Label: t.T("col.household_rate"), Value: t.Percent(arr.HouseholdRate)},
	}}

	rec := dataTable{caption: t.T("caption.report_recon", t.Month(period)), cols: cols("channel", "#items", "#matched", "#discrepancies", "#discrepancy_amount", "#match_rate")}
	for _, r := range d.reconMonths {
		if r.Period != period {
			continue
		}
		row := []val{vEnum("channel", r.Channel), vInt(r.Items), vInt(r.Matched), vInt(r.Discrepancies), vMoney(r.DiscrepancyAmount), vRate(r.MatchRate)}
		if r.Total {
			row[0] = vText(t.T("total"))
			rec.foot = [][]val{row}
		} else {
			rec.rows = append(rec.rows, row)
		}
	}

	exc := dataTable{caption: t.T("caption.report_exceptions", t.Month(period)), cols: cols("type", "#count", "#escalated", "#resolved", "#median_days")}
	for _, e := range d.exceptions {
		if e.Period == period {
			exc.rows = append(exc.rows, []val{vEnum("exception", e.Type), vInt(e.Count), vInt(e.Escalated), vInt(e.Resolved), vDays(e.MedianDaysToResolve)})
		}
	}
	var rf analytics.RefundStages
	for _, r := range d.refunds {
		if r.Period == period {
			rf = r
		}
	}
	var inv analytics.InvoiceMonth
	for _, r := range d.invoices {
		if r.Period == period {
			inv = r
		}
	}
	var fb analytics.FeedbackMonth
	for _, r := range d.feedback {
		if r.Period == period {
			fb = r
		}
	}
	excSection := templates.Section{ID: "exceptions", Heading: t.T("section.report_exceptions"),
		Blocks: []templates.Block{tableOnly(exc, analytics.SQLAsOf(analytics.ExceptionsMonthlyQuery, d.asOf)+";")},
		Facts: []templates.Fact{
			{Label: t.T("col.refunds_requested"), Value: t.Int(rf.Requested)},
			{Label: t.T("col.refunds_executed"), Value: t.Int(rf.Executed)},
			{Label: t.T("col.median_days"), Value: t.Fixed(rf.MedianDays, 1)},
			{Label: t.T("col.p90_days"), Value: t.Fixed(rf.P90Days, 1)},
			{Label: t.T("col.lost_or_damaged"), Value: t.Int(inv.LostOrDamaged)},
			{Label: t.T("col.reissued"), Value: t.Int(inv.Reissued)},
			{Label: t.T("col.responses"), Value: t.Int(fb.Responses)},
			{Label: t.T("col.avg_score"), Value: t.Fixed(fb.AvgScore, 2)},
		}}

	p.Sections = []templates.Section{
		fin,
		{ID: "collection", Heading: t.T("section.report_collection"), Blocks: []templates.Block{tableOnly(coll, analytics.SQLAsOf(analytics.CollectionMonthlyQuery, d.asOf)+";\n"+analytics.CollectionTotalsSQL(d.asOf)+";")}},
		arrears,
		{ID: "reconciliation", Heading: t.T("section.report_recon"), Blocks: []templates.Block{tableOnly(rec, analytics.ReconciliationByChannelSQL(d.asOf)+";")}},
		excSection,
	}
	return p
}
