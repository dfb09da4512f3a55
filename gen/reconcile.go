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
//   - a group is matched when its lines' total equals its payments' total.
//
// Rows come in a fixed order: payments, then lines naming no payment, then
// groups in order of their first payment or line.
func (w *world) reconcile() (rows []reconRow, inWindow []int) {
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
		if l.txnRef == "" {
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
	return rows, inWindow
}
