package gen

import (
	"github.com/shopspring/decimal"
)

// reconRow is one row of the reconciliation as DESIGN.md defines it and as
// the manifest states its expected outcome.
type reconRow struct {
	ref, source, status string
	day                 int
	channel             int
	collector           int
	system, bank        decimal.Decimal
	lines               []int
	pays                int // payments behind the row
}

// diff is bank - system.
func (r *reconRow) diff() decimal.Decimal { return r.bank.Sub(r.system) }

// reconcile recomputes the reconciliation from the generated payments and
// settlement lines alone (not from what was injected), so that the
// manifest's expectations can be checked against it:
//   - a completed payment with a settlement channel is named by lines
//     (txn_ref = txn_id): one line of equal amount -> matched, of another
//     amount -> amount_mismatch, two or more -> duplicate_settlement
//     (bank = sum of the lines);
//   - otherwise it belongs to the group of a line with an empty txn_ref:
//     cash payments to CASH:COLLECTOR:DAY, other channels to CHANNEL:*:DAY
//     when such a line exists (DAY: the payment's local day, which is also
//     the line's settled_at day);
//   - otherwise it is missing_settlement when its day is older than the
//     window, or merely unsettled inside the window (no row);
//   - a line whose txn_ref names no completed payment is missing_payment;
//   - a group is matched when its lines' total equals its payments' total;
//   - only lines with amount >= 0 settle payments; refund lines (negative)
//     are reconciled against executed refunds by reconcileRefunds.
//
// Rows come in a fixed order: payments, then lines naming no payment, then
// groups in order of their first payment or line, then refunds.
// refundsInWindow are the refs of refund rows still waiting for their lines.
func (w *world) reconcile() (rows []reconRow, inWindow []int, refundsInWindow []string) {
	named := make(map[string][]int, len(w.lines)) // lookups only
	groupIdx := make(map[string]int)              // lookups only
	var groups []reconRow
	group := func(ref string, ch, coll, d int) *reconRow {
		if k, ok := groupIdx[ref]; ok {
			return &groups[k]
		}
		groups = append(groups, reconRow{ref: ref, source: "group", day: d, channel: ch, collector: coll})
		groupIdx[ref] = len(groups) - 1
		return &groups[len(groups)-1]
	}
	for li := range w.lines {
		l := &w.lines[li]
		if l.amount.IsNegative() {
			continue
		}
		if l.txnRef != "" {
			named[l.txnRef] = append(named[l.txnRef], li)
			continue
		}
		g := group(w.groupRef(l.channel, l.collector, l.t.dayOf()), l.channel, l.collector, l.t.dayOf())
		g.bank = g.bank.Add(l.amount)
		g.lines = append(g.lines, li)
	}
	// A group exists only where a line exists: groups created from here on
	// are payments with no batch line.
	for pi := range w.pays {
		p := &w.pays[pi]
		ch := channelOf(p.method)
		if p.voided || ch < 0 {
			continue
		}
		d := p.t.dayOf()
		if ch != chCash {
			if ls := named[p.id]; len(ls) > 0 {
				row := reconRow{ref: p.id, source: "payment", day: d, channel: ch, collector: p.collector, system: p.amount, lines: ls, pays: 1}
				for _, li := range ls {
					row.bank = row.bank.Add(w.lines[li].amount)
				}
				switch {
				case len(ls) > 1:
					row.status = "duplicate_settlement"
				case row.bank.Equal(row.system):
					row.status = "matched"
				default:
					row.status = "amount_mismatch"
				}
				rows = append(rows, row)
				continue
			}
			if k, ok := groupIdx[w.groupRef(ch, -1, d)]; ok {
				groups[k].system = groups[k].system.Add(p.amount)
				groups[k].pays++
				continue
			}
			if d >= w.cal.nDays-reconWindowDays {
				inWindow = append(inWindow, pi)
				continue
			}
			rows = append(rows, reconRow{ref: p.id, source: "payment", status: "missing_settlement", day: d, channel: ch,
				collector: p.collector, system: p.amount, pays: 1})
			continue
		}
		g := group(w.groupRef(chCash, p.collector, d), chCash, p.collector, d)
		g.system = g.system.Add(p.amount)
		g.pays++
	}
	for li := range w.lines {
		l := &w.lines[li]
		if l.txnRef == "" || l.amount.IsNegative() {
			continue
		}
		pi, ok := w.payByID[l.txnRef]
		if ok && !w.pays[pi].voided {
			continue
		}
		rows = append(rows, reconRow{ref: l.id, source: "settlement", status: "missing_payment", day: l.t.dayOf(), channel: l.channel,
			collector: l.collector, bank: l.amount, lines: []int{li}})
	}
	for gi := range groups {
		g := &groups[gi]
		switch {
		case len(g.lines) == 0:
			if g.day >= w.cal.nDays-reconWindowDays {
				continue
			}
			g.status = "missing_settlement"
		case g.pays == 0:
			g.status = "missing_payment"
		case g.bank.Equal(g.system):
			g.status = "matched"
		default:
			g.status = "amount_mismatch"
		}
		rows = append(rows, *g)
	}
	refundRows, refundsInWindow := w.reconcileRefunds()
	return append(rows, refundRows...), inWindow, refundsInWindow
}

// reconcileRefunds recomputes the refund rows as of the last day:
//   - a refund is expected back from a channel when it is executed and its
//     payment completed and settled through one (not cash, not other);
//   - a refund line (negative amount) whose refund_ref is the refund_id of
//     a refund of the payment its txn_ref names belongs to that refund: one
//     row per such refund, ref refund_id, system = -amount if executed (else
//     0 and missing_refund), bank = sum of its lines, 2+ lines ->
//     duplicate_refund_line, equal -> matched, else amount_mismatch;
//   - every other refund line and expected refund is compared per payment
//     (ref refund:TXN_ID): no refund -> missing_refund, equal sums ->
//     matched, fewer lines than refunds while the window since the latest
//     refund is open -> pending (not a row), no line -> missing_refund_line,
//     more lines than refunds -> duplicate_refund_line, else amount_mismatch.
//
// day is the refund's execution day (by payment: the latest), or the first
// line's day when no refund is executed.
func (w *world) reconcileRefunds() (rows []reconRow, inWindow []string) {
	last := w.cal.nDays - 1
	expected := func(fi int) bool {
		return w.refunds[fi].stage() == "executed" && w.refundChannel(w.refunds[fi].pay) >= 0
	}
	refundByID := make(map[string]int, len(w.refunds)) // lookups only
	for fi := range w.refunds {
		refundByID[w.refunds[fi].id] = fi
	}
	numbered := make([][]int, len(w.refunds)) // refund -> its lines
	byPay := make(map[string][]int)           // txn_ref -> other refund lines; lookups only
	var unknown []string                      // txn_refs naming no payment, in line order
	for li := range w.lines {
		l := &w.lines[li]
		if !l.amount.IsNegative() {
			continue
		}
		if fi, ok := refundByID[l.refundRef]; ok && l.refundRef != "" {
			if f := &w.refunds[fi]; w.pays[f.pay].id == l.txnRef && w.refundChannel(f.pay) >= 0 {
				numbered[fi] = append(numbered[fi], li)
				continue
			}
		}
		if _, ok := w.payByID[l.txnRef]; !ok && len(byPay[l.txnRef]) == 0 {
			unknown = append(unknown, l.txnRef)
		}
		byPay[l.txnRef] = append(byPay[l.txnRef], li)
	}
	for fi := range w.refunds {
		ls := numbered[fi]
		if len(ls) == 0 {
			continue
		}
		f := &w.refunds[fi]
		row := reconRow{ref: f.id, source: "refund", channel: w.refundChannel(f.pay), collector: w.pays[f.pay].collector, lines: ls}
		for _, li := range ls {
			row.bank = row.bank.Add(w.lines[li].amount)
		}
		switch {
		case !expected(fi):
			row.status, row.day = "missing_refund", w.lines[ls[0]].t.dayOf()
		case len(ls) > 1:
			row.status = "duplicate_refund_line"
		default:
			row.status = "amount_mismatch"
			if row.bank.Equal(f.amount.Neg()) {
				row.status = "matched"
			}
		}
		if expected(fi) {
			row.system, row.day = f.amount.Neg(), f.exe.dayOf()
		}
		rows = append(rows, row)
	}
	loose := make([][]int, len(w.pays)) // payment -> its expected refunds no line names
	for fi := range w.refunds {
		if expected(fi) && len(numbered[fi]) == 0 {
			loose[w.refunds[fi].pay] = append(loose[w.refunds[fi].pay], fi)
		}
	}
	perPayment := func(txn string, refunds []int, ch, coll int) {
		ls := byPay[txn]
		if len(refunds) == 0 && len(ls) == 0 {
			return
		}
		row := reconRow{ref: "refund:" + txn, source: "refund", channel: ch, collector: coll, lines: ls}
		lastRefund := -1
		for _, fi := range refunds {
			row.system = row.system.Sub(w.refunds[fi].amount)
			lastRefund = max(lastRefund, w.refunds[fi].exe.dayOf())
		}
		row.day = lastRefund
		for k, li := range ls {
			row.bank = row.bank.Add(w.lines[li].amount)
			if d := w.lines[li].t.dayOf(); lastRefund < 0 && (k == 0 || d < row.day) {
				row.day = d
			}
		}
		switch {
		case len(refunds) == 0:
			row.status = "missing_refund"
		case row.bank.Equal(row.system):
			row.status = "matched"
		case len(ls) < len(refunds) && last-lastRefund < reconWindowDays:
			inWindow = append(inWindow, row.ref)
			return
		case len(ls) == 0:
			row.status = "missing_refund_line"
		case len(ls) > len(refunds):
			row.status = "duplicate_refund_line"
		default:
			row.status = "amount_mismatch"
		}
		rows = append(rows, row)
	}
	for pi := range w.pays {
		ch := w.refundChannel(pi)
		if ch < 0 {
			// lines paying back a cash, other or voided payment: nothing expected
			if ls := byPay[w.pays[pi].id]; len(ls) > 0 {
				perPayment(w.pays[pi].id, nil, w.lines[ls[0]].channel, -1)
			}
			continue
		}
		perPayment(w.pays[pi].id, loose[pi], ch, w.pays[pi].collector)
	}
	for _, txn := range unknown {
		perPayment(txn, nil, w.lines[byPay[txn][0]].channel, -1)
	}
	return rows, inWindow
}
