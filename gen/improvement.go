package gen

import (
	"fmt"
	"slices"
)

// action is one improvement action of actions.csv and the effect the
// generator gives it.
type action struct {
	id, title, problem, owner, metric, target, direction string
	titleZH                                              string  // the title in Traditional Chinese
	frac                                                 float64 // where in the data it starts
	start                                                int     // day index of started_on (a Monday)
	effect                                               string
}

// genActions places three actions about two thirds into the data, each on
// a Monday, and decides what they change.
func (w *world) genActions() {
	w.actions = []action{
		{id: "ACT-01", title: "Second-person check of counter entries before printing the receipt", titleZH: "列印收據前由第二人覆核櫃檯輸入",
			problem: "operator_error", owner: "Zhao", metric: "errors_per_1000", target: "3", direction: "down", frac: 0.62,
			effect: fmt.Sprintf("the chance that a counter entry is keyed wrong and voided falls to %.0f%% of what it was for payments on or after started_on", voidAfterFactor*100)},
		{id: "ACT-02", title: "Due-date SMS reminders and a clearer fee notice", titleZH: "到期日簡訊提醒與更清楚的繳費通知",
			problem: "unclear_standards", owner: "Lin", metric: "on_time_rate", target: "0.90", direction: "up", frac: 0.66,
			effect: fmt.Sprintf("the chance that a payer pays by the due date rises by %.0f points for bills due on or after started_on", onTimeLift*100)},
		{id: "ACT-03", title: "Second counter window at peak hours and a shorter payment form", titleZH: "尖峰時段加開第二個櫃檯並簡化繳費單",
			problem: "complex_process", owner: "Xu", metric: "avg_score", target: "4.2", direction: "up", frac: 0.70,
			effect: "feedback received on or after started_on is drawn from a better score distribution (mean 4.27 instead of 3.65)"},
	}
	for i := range w.actions {
		a := &w.actions[i]
		a.start = w.cal.mondayNear(int(a.frac * float64(w.cal.nDays)))
	}
}

// actionStart is the day index the action on metric started; past the data
// when there is none.
func (w *world) actionStart(metric string) int {
	for _, a := range w.actions {
		if a.metric == metric {
			return a.start
		}
	}
	return w.cal.nDays + 1
}

// feedbackRow is one row of feedback.csv.
type feedbackRow struct {
	id       string
	t        ts
	cust     int
	channel  string
	score    int
	category string
	comment  string
}

// Score distributions (per 100) of scores 1..5 before and after the
// avg_score action.
var (
	scoresBefore = []int{6, 10, 22, 37, 25}
	scoresAfter  = []int{1, 3, 10, 40, 46}
)

type comment struct{ category, text string }

var (
	lowComments = []comment{
		{"queue", "排隊太久，只開一個窗口"},
		{"queue", "Long queue, only one window open at lunch time"},
		{"queue", "等了四十分鐘才輪到我"},
		{"staff", "收費員態度不好"},
		{"staff", `Staff said "come back tomorrow" at 17:00`},
		{"billing", "帳單金額看不懂，水費比上個月多很多"},
		{"billing", "Water bill doubled, nobody could explain why"},
		{"payment_options", "刷卡機常常故障"},
		{"payment_options", "Card machine was down again"},
	}
	midComments = []comment{
		{"queue", "還可以，但是速度有點慢"},
		{"invoice", "OK, but the receipt printer jammed"},
		{"payment_options", "線上繳費偶爾失敗"},
		{"billing", "希望帳單寄送早一點"},
		{"facilities", "Counter hours could be longer"},
	}
	highComments = []comment{
		{"staff", "服務很好，謝謝"},
		{"staff", "Quick and friendly"},
		{"payment_options", "線上繳費很方便"},
		{"queue", "No waiting today"},
		{"billing", "帳單清楚明瞭"},
		{"invoice", "電子發票很方便"},
	}
)

// genFeedback lets about 4.5% of the payments of known customers give
// feedback within three days.
func (w *world) genFeedback() {
	r := w.rng("feedback")
	start := w.actionStart("avg_score")
	end := ts(w.cal.nDays) * day
	for i := range w.pays {
		p := &w.pays[i]
		if p.voided || p.cust < 0 || r.IntN(1000) >= 45 {
			continue
		}
		t := p.t + ts(r.IntN(3*24*3600))
		if hh := int(t%day) / 3600; hh < 8 || hh > 21 {
			t = ts(t.dayOf())*day + at(0, 8+r.IntN(13), r.IntN(60), r.IntN(60))
		}
		if t >= end {
			continue
		}
		f := feedbackRow{t: t, cust: p.cust}
		if p.collector >= 0 {
			f.channel = []string{"counter", "counter", "phone"}[r.IntN(3)]
		} else {
			f.channel = []string{"wechat", "web", "phone"}[r.IntN(3)]
		}
		dist := scoresBefore
		if t.dayOf() >= start {
			dist = scoresAfter
		}
		f.score = 1 + weighted(r, dist)
		var pool []comment
		switch {
		case f.score <= 2:
			pool = lowComments
		case f.score == 3:
			pool = midComments
		default:
			pool = highComments
		}
		c := pool[r.IntN(len(pool))]
		f.category = c.category
		if r.IntN(10) >= 3 {
			f.comment = c.text
		}
		w.feedback = append(w.feedback, f)
	}
	slices.SortStableFunc(w.feedback, func(a, b feedbackRow) int { return cmpInt(int64(a.t), int64(b.t)) })
	for i := range w.feedback {
		w.feedback[i].id = fmt.Sprintf("FB%06d", i+1)
	}
}
