package gen

import (
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// Refund anomaly types of the manifest: faults in the channels' refund lines.
const (
	anMissingRefundLine   = "missing_refund_line"    // an executed refund the channel never paid back
	anRefundMismatch      = "refund_amount_mismatch" // the channel paid back another amount
	anMissingRefund       = "missing_refund"         // a refund line with no refund in feeflow
	anDuplicateRefundLine = "duplicate_refund_line"  // the statement repeats a refund line
)

// refundEchoes reports whether a channel's statement gives the merchant's own
// refund number on a refund line (WeChat Pay's and Alipay's merchant refund
// number); bank and card statements give none.
func refundEchoes(ch int) bool { return ch == chWechat || ch == chAlipay }

// refundChannel is the channel that pays payment pi's refunds back, -1 when
// none does (cash and "other" are refunded at the counter; voided payments
// are never refunded).
func (w *world) refundChannel(pi int) int {
	p := &w.pays[pi]
	ch := channelOf(p.method)
	if p.voided || ch < 0 || ch == chCash {
		return -1
	}
	return ch
}

// refundLineRef is the refund_ref a channel gives the line of refund fi: the
// refund_id when the channel echoes it, empty otherwise.
func (w *world) refundLineRef(fi int) string {
	if refundEchoes(w.refundChannel(w.refunds[fi].pay)) {
		return w.refunds[fi].id
	}
	return ""
}

// genRefundLines writes the channels' refund lines: one negative line per
// refund executed on a payment settled through a channel, 0-2 days after
// the execution (none when that falls after the data: still inside the
// window), carrying the refund_id as refund_ref on WeChat Pay and Alipay
// statements. It injects faults on executed refunds of days [lo, hi): a
// refund with no line, a line of another amount, a repeated line; and lines
// paying back payments that feeflow never refunded.
func (w *world) genRefundLines(addLine func(settlement) int, lo, hi int, weekday func(int) int) {
	r := w.rng("refund-lines")
	ra := w.rng("refund-anomalies")
	end := w.dataEnd()

	// The executed refunds a channel pays back, in refunds.csv order.
	var pool []int
	hasRefund := make([]bool, len(w.pays))
	for fi := range w.refunds {
		f := &w.refunds[fi]
		hasRefund[f.pay] = true
		if f.stage() != "executed" || w.refundChannel(f.pay) < 0 {
			continue
		}
		if d := f.exe.dayOf(); d >= lo && d < hi {
			pool = append(pool, fi)
		}
	}
	// Faults on spread-out refunds of the pool, the types in rotation so
	// that a small pool still gets one of each.
	faultOf := make(map[int]int, 8) // refund index -> anomaly index; lookups only
	want := []struct {
		typ   string
		count int
	}{{anMissingRefundLine, 1 + w.cal.months/6}, {anRefundMismatch, 1 + w.cal.months/6}, {anDuplicateRefundLine, 1 + w.cal.months/12}}
	var types []string
	for round := 0; ; round++ {
		added := false
		for _, t := range want {
			if round < t.count {
				types = append(types, t.typ)
				added = true
			}
		}
		if !added {
			break
		}
	}
	types = types[:min(len(types), len(pool))]
	usedPay := make([]bool, len(w.pays))
	for k, typ := range types {
		fi := pool[(2*k+1)*len(pool)/(2*len(types))]
		f := &w.refunds[fi]
		if usedPay[f.pay] {
			continue
		}
		usedPay[f.pay] = true
		ch := w.refundChannel(f.pay)
		a := anomaly{typ: typ, pay: f.pay, refund: fi, channel: ch, collector: -1, day: f.exe.dayOf(), resolved: -1}
		switch typ {
		case anMissingRefundLine:
			a.diff = f.amount
			a.cause = "the channel never paid the refund back to the payer"
		case anRefundMismatch:
			switch ch {
			case chBank:
				a.diff, a.cause = cents(-1500), "the bank debited a 15.00 transfer charge with the refund"
			case chCard:
				a.diff, a.cause = cents(1000), "the acquirer reversed 10.00 less than the refund"
			default:
				a.diff, a.cause = cents(100), "the platform kept 1.00 of a coupon used on the payment"
			}
			if a.diff.GreaterThanOrEqual(f.amount) {
				a.diff, a.cause = cents(1), "the channel paid back one cent less (rounding)"
			}
		case anDuplicateRefundLine:
			a.diff = f.amount.Neg()
			a.cause = "the channel's statement repeats the refund line"
		}
		w.anomalies = append(w.anomalies, a)
		faultOf[fi] = len(w.anomalies) - 1
	}

	// The lines.
	for fi := range w.refunds {
		f := &w.refunds[fi]
		ch := w.refundChannel(f.pay)
		if f.stage() != "executed" || ch < 0 {
			continue
		}
		ai, fault := faultOf[fi]
		if fault && w.anomalies[ai].typ == anMissingRefundLine {
			continue
		}
		st := settleTime(r, ch, f.exe, weekday)
		if st >= end {
			continue // paid back after the data ends: inside the window
		}
		l := settlement{channel: ch, txnRef: w.pays[f.pay].id, refundRef: w.refundLineRef(fi), amount: f.amount.Neg(),
			fee: channelFee(ch, f.amount).Neg(), t: st, collector: -1, pay: -1}
		if fault && w.anomalies[ai].typ == anRefundMismatch {
			l.amount = l.amount.Add(w.anomalies[ai].diff)
		}
		li := addLine(l)
		if fault {
			a := &w.anomalies[ai]
			a.lines = append(a.lines, li)
			if a.typ == anDuplicateRefundLine {
				l.t = st + ts(10+r.IntN(24*60))*minute
				a.lines = append(a.lines, addLine(l))
			}
		}
	}

	// Refunds made in a channel's merchant portal and never entered in
	// feeflow: a line paying back a payment that has no refund at all.
	count := 1 + w.cal.months/6
	for k := range count {
		d := lo + (2*k+1)*(hi-lo)/(2*count)
		pi := -1
		start, _ := slices.BinarySearchFunc(w.pays, at(d, 0, 0, 0), func(p payment, t ts) int { return cmpInt(int64(p.t), int64(t)) })
		for i := start; i < len(w.pays); i++ {
			p := &w.pays[i]
			if pd := p.t.dayOf(); pd >= d && pd < hi-3 && !hasRefund[i] && !usedPay[i] && w.refundChannel(i) >= 0 && p.amount.GreaterThan(cents(2000)) {
				pi = i
				break
			}
		}
		if pi < 0 {
			continue
		}
		usedPay[pi] = true
		p := &w.pays[pi]
		ch := w.refundChannel(pi)
		ld := p.t.dayOf() + 1 + ra.IntN(3)
		t := bizTime(ra, ld)
		ref := ""
		if refundEchoes(ch) {
			// the channel's own refund number: no merchant number exists
			ref = fmt.Sprintf("50%s%s%s%06d", w.cal.dates[ld][:4], w.cal.dates[ld][5:7], w.cal.dates[ld][8:], ra.IntN(1_000_000))
		}
		amount := p.amount.Neg()
		li := addLine(settlement{channel: ch, txnRef: p.id, refundRef: ref, amount: amount, fee: channelFee(ch, p.amount).Neg(), t: t, collector: -1, pay: -1})
		w.anomalies = append(w.anomalies, anomaly{typ: anMissingRefund, pay: pi, refund: -1, channel: ch, collector: -1, day: ld, diff: amount,
			cause: "refund made in the channel's merchant portal and never entered in feeflow", lines: []int{li}, resolved: -1})
	}
}

// refundAnomalyRef is the reconciliation ref of a refund anomaly: the
// refund_id when the channel's line names the refund by it, otherwise
// refund:TXN_ID (the payment's refunds and refund lines compared as sums).
func (w *world) refundAnomalyRef(a *anomaly) string {
	switch a.typ {
	case anRefundMismatch, anDuplicateRefundLine:
		if refundEchoes(a.channel) {
			return w.refunds[a.refund].id
		}
	}
	return "refund:" + w.pays[a.pay].id
}

// refundTruth is the expected row of a refund anomaly: source, status,
// system and bank amounts.
func (w *world) refundTruth(a *anomaly) (status string, system, bank decimal.Decimal) {
	switch a.typ {
	case anMissingRefund:
		return "missing_refund", decimal.Zero, a.diff
	case anMissingRefundLine:
		return "missing_refund_line", w.refunds[a.refund].amount.Neg(), decimal.Zero
	case anDuplicateRefundLine:
		system = w.refunds[a.refund].amount.Neg()
		return "duplicate_refund_line", system, system.Add(system)
	}
	system = w.refunds[a.refund].amount.Neg()
	return "amount_mismatch", system, system.Add(a.diff)
}

// isRefundAnomaly reports whether typ is one of the refund anomaly types.
func isRefundAnomaly(typ string) bool {
	return typ == anMissingRefundLine || typ == anRefundMismatch || typ == anMissingRefund || typ == anDuplicateRefundLine
}
