package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/shopspring/decimal"
)

// Settlement channels, in the order of the settlements.channel domain.
const (
	chBank = iota
	chCard
	chWechat
	chAlipay
	chCash
	nChannels
)

var (
	// channelWords are the settlements.channel words.
	channelWords = []string{"bank", "card", "wechat", "alipay", "cash_deposit"}
	// channelZh are the words the bank's own (Simplified Chinese) export uses.
	channelZh = []string{"银行", "刷卡", "微信", "支付宝", "现金存款"}
	// groupWords are the channel words of group refs: cash_deposit is "cash".
	groupWords = []string{"bank", "card", "wechat", "alipay", "cash"}
	// channelFeeRate is the provider's fee on a settled amount.
	channelFeeRate = []decimal.Decimal{decimal.Zero, decimal.New(100, -4), decimal.New(60, -4), decimal.New(55, -4), decimal.Zero}
)

// channelOf maps a payment method to the channel that settles it; -1 for
// "other", which nobody settles.
func channelOf(method int) int {
	switch method {
	case mCash:
		return chCash
	case mCard:
		return chCard
	case mBank:
		return chBank
	case mWechat:
		return chWechat
	case mAlipay:
		return chAlipay
	}
	return -1
}

// Settlement files: the bank's (bank transfers and cash deposits, GBK,
// Simplified Chinese headers) and one per payment provider.
const (
	sfBank = iota
	sfCard
	sfWechat
	sfAlipay
	nSettlementFiles
)

// settlementFileOf is the file a channel's lines are exported in.
var settlementFileOf = []int{sfBank, sfCard, sfWechat, sfAlipay, sfBank}

// settlementPrefix starts the settlement ids of each file.
var settlementPrefix = []string{"BK", "CD", "WX", "AP"}

// reconWindowDays is the reconciliation window of DESIGN.md: a payment not
// settled within it is missing_settlement.
const reconWindowDays = 3

// anomalyQuietDays keeps injected anomalies this many days away from the
// end of the data, far outside the window.
const anomalyQuietDays = 10

// settlement is one row of a settlements file.
type settlement struct {
	seq       int
	id        string
	channel   int
	txnRef    string
	refundRef string          // refund lines: the refund number the statement gives
	amount    decimal.Decimal // negative on a refund line
	fee       decimal.Decimal
	t         ts
	collector int // cash deposits only; -1 otherwise
	pay       int // one-to-one lines: the payment; -1 otherwise
}

// channelGroup is a grouped settlement line and the payments it settles:
// a collector's cash of a day, or a provider's batch of a day's payments.
type channelGroup struct {
	channel   int
	collector int // -1: none ("*")
	day       int
	line      int // index in w.lines
	pays      []int
	system    decimal.Decimal
}

// groupRef is the reconciliation ref of a group: CHANNEL:COLLECTOR:YYYY-MM-DD.
func (w *world) groupRef(channel, collector, d int) string {
	c := "*"
	if collector >= 0 {
		c = w.collectors[collector]
	}
	return groupWords[channel] + ":" + c + ":" + w.cal.date(d)
}

// Anomaly types of the manifest.
const (
	anAmountMismatch      = "amount_mismatch"
	anMissingSettlement   = "missing_settlement"
	anMissingPayment      = "missing_payment"
	anDuplicateSettlement = "duplicate_settlement"
	anCashShortfall       = "cash_shortfall"
)

// anomalyTypes lists the types in manifest order.
var anomalyTypes = []string{anAmountMismatch, anMissingSettlement, anMissingPayment, anDuplicateSettlement, anCashShortfall,
	anMissingRefundLine, anRefundMismatch, anMissingRefund, anDuplicateRefundLine}

// anomaly is one injected reconciliation discrepancy.
type anomaly struct {
	typ       string
	pay       int // payment-based and refund types
	refund    int // refund types but missing_refund: index in w.refunds
	channel   int
	collector int
	day       int
	diff      decimal.Decimal // bank - system
	cause     string
	lines     []int // indexes in w.lines
	resolved  int   // index in w.resols, -1
}

// settleTime is when a provider settles a one-to-one payment made at t:
// never more than two days later.
func settleTime(r *rand.Rand, ch int, t ts, weekday func(int) int) ts {
	d := t.dayOf()
	switch ch {
	case chBank:
		if r.IntN(10) < 7 {
			s := t + ts(5+r.IntN(175))*minute
			if s.dayOf() == d {
				return s
			}
		}
		nd := d + 1
		if weekday(nd) == 0 {
			nd++
		}
		return at(nd, 9, 0, 0) + ts(r.IntN(2*3600))
	case chCard:
		if r.IntN(10) < 8 {
			return at(d+1, 3, 0, 0) + ts(r.IntN(3*3600))
		}
		return at(d+2, 3, 0, 0) + ts(r.IntN(3*3600))
	default:
		if x := r.IntN(100); x < 10 {
			s := t + ts(30+r.IntN(90))*minute
			if s.dayOf() == d {
				return s
			}
		} else if x >= 85 {
			return at(d+2, 2, 0, 0) + ts(r.IntN(6*3600))
		}
		return at(d+1, 2, 0, 0) + ts(r.IntN(6*3600))
	}
}

// fee is the provider fee on amount.
func channelFee(ch int, amount decimal.Decimal) decimal.Decimal {
	return round2(amount.Mul(channelFeeRate[ch]))
}

// genSettlements writes the providers' and the bank's side: one line per
// bank transfer, card, WeChat Pay and Alipay payment (a batch line for some
// card and WeChat days), one cash deposit per collector per day, then
// injects the reconciliation anomalies at spread-out places.
func (w *world) genSettlements() {
	r := w.rng("settlements")
	end := w.dataEnd()
	n := w.cal.nDays
	weekday := func(d int) int {
		if d >= 0 && d < n {
			return int(w.cal.weekday[d])
		}
		return 1
	}

	// Which card and WeChat days the provider settles as one batch line.
	counts := make([][]int, nChannels)
	for ch := range counts {
		counts[ch] = make([]int, n)
	}
	for i := range w.pays {
		p := &w.pays[i]
		if ch := channelOf(p.method); !p.voided && ch >= 0 {
			counts[ch][p.t.dayOf()]++
		}
	}
	grouped := make([][]bool, nChannels)
	rg := w.rng("settlement-batches")
	for ch := range grouped {
		grouped[ch] = make([]bool, n)
	}
	for d := 2; d < n-anomalyQuietDays; d++ {
		if counts[chCard][d] >= 2 && rg.IntN(1000) < 40 {
			grouped[chCard][d] = true
		}
		if counts[chWechat][d] >= 2 && rg.IntN(1000) < 30 {
			grouped[chWechat][d] = true
		}
	}

	// Cash per collector per day.
	nc := len(w.collectors)
	cashTotal := make([]decimal.Decimal, nc*n)
	cashPays := make([][]int, nc*n)
	for i := range w.pays {
		p := &w.pays[i]
		if !p.voided && p.method == mCash {
			k := p.collector*n + p.t.dayOf()
			cashTotal[k] = cashTotal[k].Add(p.amount)
			cashPays[k] = append(cashPays[k], i)
		}
	}

	// Place the anomalies.
	ra := w.rng("anomalies")
	used := make([]bool, len(w.pays))
	perType := 2 + w.cal.months*2/3
	fewer := 2 + w.cal.months/3
	lo, hi := 2, n-anomalyQuietDays
	target := func(i, count int) int {
		span := float64(hi - lo)
		x := float64(lo) + float64(float64(2*i+1)/float64(2*count)*span) // conversion: no fused multiply-add
		x += (ra.Float64() - 0.5) * span / float64(2*count)
		return min(max(int(x), lo), hi-1)
	}
	// pick finds the first eligible one-to-one payment of channel ch on or
	// after day d (then before it).
	pick := func(ch, d int, minAmount decimal.Decimal) int {
		eligible := func(i int) bool {
			p := &w.pays[i]
			pd := p.t.dayOf()
			return !used[i] && !p.voided && p.kind != payDuplicate && channelOf(p.method) == ch &&
				!grouped[ch][pd] && pd >= lo && pd < hi && p.amount.GreaterThan(minAmount)
		}
		start, _ := slices.BinarySearchFunc(w.pays, at(d, 0, 0, 0), func(p payment, t ts) int { return cmpInt(int64(p.t), int64(t)) })
		for i := start; i < len(w.pays); i++ {
			if eligible(i) {
				return i
			}
		}
		for i := start - 1; i >= 0; i-- {
			if eligible(i) {
				return i
			}
		}
		return -1
	}
	placePay := func(typ string, count int, rotation []int, diffFor func(i int, p *payment) (decimal.Decimal, string)) {
		for i := range count {
			d := target(i, count)
			for k := range rotation {
				ch := rotation[(i+k)%len(rotation)]
				pi := pick(ch, d, cents(2000))
				if pi < 0 {
					continue
				}
				used[pi] = true
				p := &w.pays[pi]
				diff, cause := diffFor(i, p)
				w.anomalies = append(w.anomalies, anomaly{typ: typ, pay: pi, channel: ch, collector: -1, day: p.t.dayOf(), diff: diff, cause: cause, resolved: -1})
				break
			}
		}
	}
	placePay(anAmountMismatch, perType, []int{chBank, chCard, chWechat, chAlipay}, func(i int, p *payment) (decimal.Decimal, string) {
		switch channelOf(p.method) {
		case chBank:
			return cents(-1500), "bank deducted a 15.00 transfer fee from the credited amount"
		case chCard:
			if i%2 == 0 {
				return channelFee(chCard, p.amount).Neg(), "acquirer settled the amount net of its fee"
			}
			return cents(1000), "acquirer settled 10.00 more than the sale (another terminal's tip)"
		case chWechat:
			return cents(-500), "platform coupon of 5.00 borne by the merchant"
		default:
			return cents(-1), "provider rounding of one cent"
		}
	})
	placePay(anMissingSettlement, perType, []int{chCard, chWechat, chAlipay, chBank}, func(_ int, p *payment) (decimal.Decimal, string) {
		return p.amount.Neg(), "the provider never settled the transaction"
	})
	placePay(anDuplicateSettlement, fewer, []int{chWechat, chCard, chAlipay, chBank}, func(_ int, p *payment) (decimal.Decimal, string) {
		return p.amount, "the provider's file repeats the line"
	})
	// Cash shortfalls: a collector deposits less than the day's cash.
	shortfalls := []int64{-10000, -5000, -20000, -2000, -50000, -50}
	for i := range perType {
		d0 := target(i, perType)
		for k := range nc * 60 {
			c := (i + k) % nc
			d := d0 + k/nc
			if d >= hi {
				break
			}
			key := c*n + d
			diff := cents(shortfalls[i%len(shortfalls)])
			if cashTotal[key].LessThanOrEqual(diff.Neg().Add(cents(10000))) || cashTotal[key].IsZero() || slices.ContainsFunc(w.anomalies, func(a anomaly) bool {
				return a.typ == anCashShortfall && a.collector == c && a.day == d
			}) {
				continue
			}
			w.anomalies = append(w.anomalies, anomaly{typ: anCashShortfall, pay: -1, channel: chCash, collector: c, day: d, diff: diff,
				cause: "collector deposited less cash than the day's cash payments", resolved: -1})
			break
		}
	}

	// The lines.
	seq := 0
	addLine := func(l settlement) int {
		l.seq = seq
		seq++
		w.lines = append(w.lines, l)
		return len(w.lines) - 1
	}
	anomalyOf := make([]int, len(w.pays)) // payment -> anomaly index + 1
	for ai, a := range w.anomalies {
		if a.pay >= 0 {
			anomalyOf[a.pay] = ai + 1
		}
	}
	var groups []channelGroup
	groupOf := make([][]int, nChannels) // channel -> day -> group index + 1
	for ch := range groupOf {
		groupOf[ch] = make([]int, n)
	}
	for i := range w.pays {
		p := &w.pays[i]
		ch := channelOf(p.method)
		if p.voided || ch < 0 || ch == chCash {
			continue
		}
		d := p.t.dayOf()
		if grouped[ch][d] {
			if groupOf[ch][d] == 0 {
				groups = append(groups, channelGroup{channel: ch, collector: -1, day: d, line: -1})
				groupOf[ch][d] = len(groups)
			}
			g := &groups[groupOf[ch][d]-1]
			g.pays = append(g.pays, i)
			g.system = g.system.Add(p.amount)
			continue
		}
		var a *anomaly
		if k := anomalyOf[i]; k > 0 {
			a = &w.anomalies[k-1]
		}
		if a != nil && a.typ == anMissingSettlement {
			continue
		}
		st := settleTime(r, ch, p.t, weekday)
		if st >= end {
			continue // settles after the data ends: unsettled, inside the window
		}
		l := settlement{channel: ch, txnRef: p.id, amount: p.amount, fee: channelFee(ch, p.amount), t: st, collector: -1, pay: i}
		if a != nil && a.typ == anAmountMismatch {
			l.amount = l.amount.Add(a.diff)
		}
		li := addLine(l)
		if a != nil {
			a.lines = append(a.lines, li)
			if a.typ == anDuplicateSettlement {
				l.t = st + ts(10+r.IntN(24*60))*minute
				a.lines = append(a.lines, addLine(l))
			}
		}
	}
	for gi := range groups {
		g := &groups[gi]
		t := at(g.day, 23, 30, 0) + ts(r.IntN(29*60))
		g.line = addLine(settlement{channel: g.channel, amount: g.system, fee: channelFee(g.channel, g.system), t: t, collector: -1, pay: -1})
	}
	// Cash deposits, per day then collector.
	for d := range n {
		for c := range nc {
			key := c*n + d
			if cashTotal[key].IsZero() {
				continue
			}
			amount := cashTotal[key]
			ai := slices.IndexFunc(w.anomalies, func(a anomaly) bool { return a.typ == anCashShortfall && a.collector == c && a.day == d })
			if ai >= 0 {
				amount = amount.Add(w.anomalies[ai].diff)
			}
			li := addLine(settlement{channel: chCash, amount: amount, fee: decimal.Zero, t: at(d, 17, 50, 0) + ts(r.IntN(70*60)), collector: c, pay: -1})
			groups = append(groups, channelGroup{channel: chCash, collector: c, day: d, line: li, pays: cashPays[key], system: cashTotal[key]})
			if ai >= 0 {
				w.anomalies[ai].lines = []int{li}
			}
		}
	}
	w.groups = groups
	// Bank and provider lines that name no payment.
	for i := range fewer {
		d := target(i, fewer)
		ch := []int{chBank, chBank, chWechat, chAlipay}[i%4]
		var ref string
		for k := 0; ; k++ {
			ref = fmt.Sprintf("T%s%s%s-%05d", w.cal.dates[d][:4], w.cal.dates[d][5:7], w.cal.dates[d][8:], 90000+ra.IntN(9999)+k)
			if _, ok := w.payByID[ref]; !ok {
				break
			}
		}
		b := &w.bills[ra.IntN(len(w.bills))]
		amount := b.net()
		cause := "transfer credited to the account but never entered at the counter"
		if ch != chBank {
			cause = "QR payment received but the order was never recorded"
		}
		li := addLine(settlement{channel: ch, txnRef: ref, amount: amount, fee: channelFee(ch, amount), t: bizTime(ra, d), collector: -1, pay: -1})
		w.anomalies = append(w.anomalies, anomaly{typ: anMissingPayment, pay: -1, channel: ch, collector: -1, day: d, diff: amount,
			cause: cause, lines: []int{li}, resolved: -1})
	}

	w.genRefundLines(addLine, lo, hi, weekday)

	// Number the lines of each file in time order; refund lines have their
	// own numbers (prefix + R), so that they never renumber the others.
	order := make([]int, len(w.lines))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmpInt(int64(w.lines[a].t), int64(w.lines[b].t)); c != 0 {
			return c
		}
		return w.lines[a].seq - w.lines[b].seq
	})
	daySeq := make([]int, 2*nSettlementFiles)
	lastDay := make([]int, 2*nSettlementFiles)
	for _, li := range order {
		l := &w.lines[li]
		f := settlementFileOf[l.channel]
		prefix, k := settlementPrefix[f], f
		if l.amount.IsNegative() {
			prefix, k = prefix+"R", nSettlementFiles+f
		}
		d := l.t.dayOf()
		if d != lastDay[k] {
			lastDay[k], daySeq[k] = d, 0
		}
		daySeq[k]++
		date := w.cal.dates[d]
		l.id = fmt.Sprintf("%s%s%s%s%05d", prefix, date[:4], date[5:7], date[8:], daySeq[k])
	}
	sorted := make([]settlement, len(w.lines))
	pos := make([]int, len(w.lines))
	for k, li := range order {
		sorted[k] = w.lines[li]
		pos[li] = k
	}
	w.lines = sorted
	for i := range w.groups {
		w.groups[i].line = pos[w.groups[i].line]
	}
	for i := range w.anomalies {
		for k, li := range w.anomalies[i].lines {
			w.anomalies[i].lines[k] = pos[li]
		}
	}
	// Manifest order: by type, then day.
	slices.SortStableFunc(w.anomalies, func(a, b anomaly) int {
		if c := slices.Index(anomalyTypes, a.typ) - slices.Index(anomalyTypes, b.typ); c != 0 {
			return c
		}
		return a.day - b.day
	})
}

// resolution is one row of resolutions.csv.
type resolution struct {
	ref, resolution, note, by string
	t                         ts
}

// genResolutions follows up about half of the anomalies: every other one
// of each type, among those at least two weeks old.
func (w *world) genResolutions() {
	r := w.rng("resolutions")
	end := w.dataEnd()
	byType := map[string]int{}
	for i := range w.anomalies {
		a := &w.anomalies[i]
		k := byType[a.typ]
		byType[a.typ]++
		if k%2 != 0 || a.day > w.cal.nDays-14 {
			continue
		}
		t := bizTime(r, a.day+2+r.IntN(10))
		if t >= end {
			continue
		}
		res := resolution{t: t, by: []string{"Lin", "Zhou"}[r.IntN(2)]}
		switch a.typ {
		case anAmountMismatch:
			res.resolution, res.note = "bank_error", "Provider confirmed the difference; adjusted in the next settlement"
			if a.channel == chCard {
				res.resolution, res.note = "other", "Fee netting agreed with the acquirer, booked as provider fee"
			}
		case anMissingSettlement:
			res.resolution, res.note = "late_settlement", "Settled by the provider in a later cycle"
		case anMissingPayment:
			res.resolution, res.note = "other", "Transfer belonged to another property, returned to sender"
		case anDuplicateSettlement:
			res.resolution, res.note = "bank_error", "Provider reversed the duplicate line"
		case anCashShortfall:
			res.resolution, res.note = "cashier_error", "Collector made up the shortfall, note added to file"
			if a.diff.GreaterThan(cents(-100)) {
				res.resolution, res.note = "written_off", "Small cash difference written off"
			}
		case anMissingRefundLine:
			res.resolution, res.note = "late_settlement", "Channel paid the refund back in a later cycle"
		case anRefundMismatch:
			res.resolution, res.note = "bank_error", "Channel confirmed the difference on the refund; adjusted in the next settlement"
		case anMissingRefund:
			res.resolution, res.note = "refunded", "Refund made in the merchant portal; recorded after the fact"
		case anDuplicateRefundLine:
			res.resolution, res.note = "bank_error", "Channel reversed the repeated refund line"
		}
		w.resols = append(w.resols, res)
		a.resolved = len(w.resols) - 1
	}
	for i := range w.anomalies {
		if a := &w.anomalies[i]; a.resolved >= 0 {
			w.resols[a.resolved].ref = w.anomalyRef(a)
		}
	}
	// File order: by time; anomalies keep their index into w.resols.
	order := make([]int, len(w.resols))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpInt(int64(w.resols[a].t), int64(w.resols[b].t)) })
	sorted := make([]resolution, len(order))
	pos := make([]int, len(order))
	for k, i := range order {
		sorted[k] = w.resols[i]
		pos[i] = k
	}
	w.resols = sorted
	for i := range w.anomalies {
		if a := &w.anomalies[i]; a.resolved >= 0 {
			a.resolved = pos[a.resolved]
		}
	}
}

// anomalyRef is the reconciliation ref of an anomaly: the payment's txn_id,
// the settlement_id of a line that names no payment, or the group ref.
func (w *world) anomalyRef(a *anomaly) string {
	switch a.typ {
	case anMissingPayment:
		return w.lines[a.lines[0]].id
	case anCashShortfall:
		return w.groupRef(chCash, a.collector, a.day)
	}
	if isRefundAnomaly(a.typ) {
		return w.refundAnomalyRef(a)
	}
	return w.pays[a.pay].id
}
