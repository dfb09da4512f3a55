package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/shopspring/decimal"
)

// noTime marks an empty timestamp.
const noTime ts = -1

// bizTime is a time in office hours (09:00-17:00) of day d.
func bizTime(r *rand.Rand, d int) ts { return at(d, 9, 0, 0) + ts(r.IntN(8*3600)) }

// dataEnd is the first instant after the data.
func (w *world) dataEnd() ts { return ts(w.cal.nDays) * day }

// Refund origins.
const (
	refDuplicate = "duplicate_payment" // a bill paid twice: refunded in full
	refWalkIn    = "walk_in"           // a day pass or card fee returned
	refBill      = "bill_dispute"      // part of a bill payment claimed back: never executed
)

// refund is one row of refunds.csv.
type refund struct {
	id       string
	pay      int
	amount   decimal.Decimal
	reason   string
	req      ts
	rev      ts // noTime while pending
	exe      ts // noTime unless executed
	decision string
	origin   string
}

// stage is where the refund stands at the end of the data.
func (f *refund) stage() string {
	switch {
	case f.decision == "pending":
		return "pending"
	case f.decision == "rejected":
		return "rejected"
	case f.exe == noTime:
		return "approved_not_executed"
	}
	return "executed"
}

// genRefunds requests refunds: every duplicate payment is refunded in full
// and executed; some walk-in payments are refunded at every stage (a few
// rejected and asked again); a few bill payments are partly claimed back
// and are rejected or still pending (so refunds never leave a bill unpaid).
func (w *world) genRefunds() {
	r := w.rng("refunds")
	end := w.dataEnd()
	add := func(f refund) {
		if f.req >= end {
			return
		}
		if f.rev != noTime && f.rev >= end {
			f.rev, f.exe, f.decision = noTime, noTime, "pending"
		}
		if f.exe != noTime && f.exe >= end {
			f.exe = noTime
		}
		w.refunds = append(w.refunds, f)
	}
	for i := range w.pays {
		p := &w.pays[i]
		if p.voided {
			continue
		}
		d := p.t.dayOf()
		switch p.kind {
		case payDuplicate:
			req := bizTime(r, d+1+r.IntN(10))
			rev := bizTime(r, req.dayOf()+1+r.IntN(5))
			exe := bizTime(r, rev.dayOf()+1+r.IntN(7))
			add(refund{pay: i, amount: p.amount, reason: "Duplicate payment of the same bill", req: req, rev: rev, exe: exe, decision: "approved", origin: refDuplicate})
		case payWalkIn:
			if r.IntN(1000) >= 15 {
				continue
			}
			f := refund{pay: i, amount: p.amount, origin: refWalkIn}
			if p.fee == feePDAY {
				f.reason = "Day pass not used"
				if p.amount.GreaterThan(w.fees[feePDAY].rate) && r.IntN(2) == 0 {
					f.amount = w.fees[feePDAY].rate
					f.reason = "Left a day early, one day refunded"
				}
			} else {
				f.reason = "Old access card found, replacement returned"
			}
			f.req = bizTime(r, d+1+r.IntN(7))
			f.rev = bizTime(r, f.req.dayOf()+1+r.IntN(6))
			f.exe = bizTime(r, f.rev.dayOf()+1+r.IntN(10))
			switch x := r.IntN(100); {
			case x < 75:
				f.decision = "approved"
			case x < 90:
				f.decision, f.exe = "rejected", noTime
			case x < 95:
				f.decision, f.exe = "approved", noTime // approved, execution backlog
			default:
				f.decision, f.rev, f.exe = "pending", noTime, noTime // never reviewed
			}
			add(f)
			if f.decision == "rejected" && r.IntN(3) == 0 {
				// Asked again with a smaller amount: approved and paid out.
				g := refund{pay: i, amount: w.fees[p.fee].rate.Div(decimal.NewFromInt(2)).Round(2), origin: refWalkIn,
					reason: "Second request after rejection: half refunded as goodwill", decision: "approved"}
				g.req = bizTime(r, f.rev.dayOf()+1+r.IntN(5))
				g.rev = bizTime(r, g.req.dayOf()+1+r.IntN(3))
				g.exe = bizTime(r, g.rev.dayOf()+1+r.IntN(5))
				add(g)
			}
		case payBill:
			if r.IntN(1000) >= 2 {
				continue
			}
			pc := p.amount.Shift(2).IntPart()
			amt := pc * int64(20+r.IntN(31)) / 100 / 100 * 100 // whole units
			if amt <= 0 {
				continue
			}
			f := refund{pay: i, amount: cents(amt), origin: refBill,
				reason: []string{"Disputed water meter reading", "Parking space unavailable for part of the month", "Moved out mid-month"}[r.IntN(3)]}
			f.req = bizTime(r, d+2+r.IntN(20))
			f.rev, f.exe = noTime, noTime
			if r.IntN(10) < 7 {
				f.rev = bizTime(r, f.req.dayOf()+1+r.IntN(10))
				f.decision = "rejected"
			} else {
				f.decision = "pending"
			}
			add(f)
		}
	}
	slices.SortStableFunc(w.refunds, func(a, b refund) int { return cmpInt(int64(a.req), int64(b.req)) })
	for i := range w.refunds {
		w.refunds[i].id = fmt.Sprintf("RF%06d", i+1)
	}
}

// doc is one row of invoices.csv: the invoice or receipt of a payment, or
// the reissue of a lost or damaged one.
type doc struct {
	seq       int
	no        string
	pay       int
	typ       string // invoice | receipt
	t         ts
	status    string // issued | lost | damaged | void
	reissueOf int    // index of the original in w.docs, or -1
}

// genDocs issues a document for every payment (an invoice for customers who
// want one, a receipt otherwise); documents of voided payments and of fully
// refunded payments are void; about 0.5% are lost or damaged and most of
// those are reissued within three weeks.
func (w *world) genDocs() {
	r := w.rng("invoices")
	end := w.dataEnd()
	refunded := make([]decimal.Decimal, len(w.pays))
	for _, f := range w.refunds {
		if f.stage() == "executed" {
			refunded[f.pay] = refunded[f.pay].Add(f.amount)
		}
	}
	seq := 0
	w.docs = make([]doc, 0, len(w.pays)+len(w.pays)/100)
	for i := range w.pays {
		p := &w.pays[i]
		typ := "receipt"
		if p.cust >= 0 && w.customers[p.cust].wantsInvoice {
			typ = "invoice"
		}
		d := doc{seq: seq, pay: i, typ: typ, t: p.t, status: "issued", reissueOf: -1}
		seq++
		switch {
		case p.voided:
			d.status = "void"
		case refunded[i].Equal(p.amount):
			d.status = "void"
		case p.t.dayOf() < w.cal.nDays-3 && r.IntN(1000) < 5:
			d.status = "lost"
			if r.IntN(10) < 4 {
				d.status = "damaged"
			}
		}
		w.docs = append(w.docs, d)
		if d.status == "lost" || d.status == "damaged" {
			if r.IntN(100) < 85 {
				rt := bizTime(r, p.t.dayOf()+1+r.IntN(20))
				if rt < end {
					w.docs = append(w.docs, doc{seq: seq, pay: i, typ: typ, t: rt, status: "issued", reissueOf: len(w.docs) - 1})
					seq++
				}
			}
		}
	}
	// Number in issue order: invoices on the bimonthly track letters,
	// receipts on their own sequence.
	order := make([]int, len(w.docs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmpInt(int64(w.docs[a].t), int64(w.docs[b].t)); c != 0 {
			return c
		}
		return w.docs[a].seq - w.docs[b].seq
	})
	tracks := w.invoiceTracks(r)
	invSeq := 10_000_000 + r.IntN(40_000_000)
	rcSeq := 0
	for _, i := range order {
		d := &w.docs[i]
		if d.typ == "invoice" {
			d.no = fmt.Sprintf("%s%08d", tracks[w.cal.monthOf[min(d.t.dayOf(), w.cal.nDays-1)]], invSeq)
			invSeq++
		} else {
			rcSeq++
			d.no = fmt.Sprintf("RC%08d", rcSeq)
		}
	}
	// Sort the rows in issue order, keeping reissue_of pointing right.
	pos := make([]int, len(w.docs))
	sorted := make([]doc, len(w.docs))
	for k, i := range order {
		pos[i] = k
	}
	for k, i := range order {
		sorted[k] = w.docs[i]
		if sorted[k].reissueOf >= 0 {
			sorted[k].reissueOf = pos[sorted[k].reissueOf]
		}
	}
	w.docs = sorted
	for i := range w.docs {
		if d := &w.docs[i]; d.reissueOf < 0 {
			w.pays[d.pay].receipt = d.no
		}
	}
}

// invoiceTracks draws the two track letters of each two-month invoice
// period, indexed by month of the data.
func (w *world) invoiceTracks(r *rand.Rand) []string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	out := make([]string, w.cal.months)
	last, cur := -1, ""
	for k := range w.cal.months {
		g := w.cal.start.Year()*12 + int(w.cal.start.Month()) - 1 + k
		if g/2 != last {
			last = g / 2
			for {
				s := string([]byte{letters[r.IntN(len(letters))], letters[r.IntN(len(letters))]})
				if s != cur && s != "RC" {
					cur = s
					break
				}
			}
		}
		out[k] = cur
	}
	return out
}

// billState is how a bill stands by the end of the data.
type billState struct {
	paid  decimal.Decimal // completed payments linked to it
	nPays int
	first ts // first completed payment, noTime if none
	full  ts // the payment that completed it, noTime if not fully paid
}

// billStates follows the completed payments of every bill in time order.
func (w *world) billStates() []billState {
	st := make([]billState, len(w.bills))
	for i := range st {
		st[i].first, st[i].full = noTime, noTime
	}
	for i := range w.pays {
		p := &w.pays[i]
		if p.voided || p.bill < 0 {
			continue
		}
		s := &st[p.bill]
		s.paid = s.paid.Add(p.amount)
		s.nPays++
		if s.first == noTime {
			s.first = p.t
		}
		if s.full == noTime && s.paid.GreaterThanOrEqual(w.bills[p.bill].net()) {
			s.full = p.t
		}
	}
	return st
}

// exception is one row of exceptions.csv.
type exception struct {
	id        string
	t         ts
	cust      int
	bill      int // -1: none
	typ       string
	reason    string
	collector int // -1: none
	escalated bool
	resolved  ts
}

var (
	refusalReasons = []string{
		"Refuses to pay until the leaking roof is repaired",
		"Disputes the management fee increase",
		"Says the parking space is always taken",
		"Will not pay while the elevator is out of service",
	}
	hardshipReasons = []string{"Lost job", "Medical expenses", "Waiting for pension payment", "Business closed"}
	disputeReasons  = []string{"Water meter reading disputed", "Parking space occupied by others", "Billed area larger than the deed"}
)

// genExceptions records what collectors and finance saw: refusals by
// chronic non-payers (every third month in arrears, escalated from the
// third refusal on), customers who cannot pay, billing disputes (resolved when
// the bill is paid) and a few frauds at the counter.
func (w *world) genExceptions() {
	r := w.rng("exceptions")
	end := w.dataEnd()
	st := w.billStates()
	byCust := make([][]int, len(w.customers))
	for bi := range w.bills {
		byCust[w.bills[bi].cust] = append(byCust[w.bills[bi].cust], bi)
	}
	add := func(e exception) {
		if e.t < 0 || e.t >= end {
			return
		}
		if e.resolved != noTime && (e.resolved >= end || e.resolved <= e.t) {
			e.resolved = noTime
		}
		w.excs = append(w.excs, e)
	}
	for ci := range w.customers {
		c := &w.customers[ci]
		refusals, inArrears := 0, 0
		for _, bi := range byCust[ci] {
			b := &w.bills[bi]
			s := &st[bi]
			unpaid := s.full == noTime
			lateBy := 0 // days late when paid
			if !unpaid {
				lateBy = s.full.dayOf() - b.due
			}
			switch {
			case c.profile == profChronic && b.fee == feeMGMT && (unpaid || lateBy > 60):
				// Counted once a month, on the management fee bill.
				inArrears++
				if inArrears%3 != 1 {
					continue
				}
				d := b.due + 20 + r.IntN(21)
				if d >= w.cal.nDays {
					continue
				}
				refusals++
				add(exception{t: bizTime(r, d), cust: ci, bill: bi, typ: "refused", reason: refusalReasons[r.IntN(len(refusalReasons))],
					collector: w.pickCollector(r, d), escalated: refusals >= 3, resolved: s.full})
			case c.hardship && (unpaid || lateBy > 20) && r.IntN(10) < 4:
				d := b.due + 5 + r.IntN(11)
				if s.full != noTime && d >= s.full.dayOf() {
					continue
				}
				add(exception{t: bizTime(r, d), cust: ci, bill: bi, typ: "cannot_pay", reason: hardshipReasons[r.IntN(len(hardshipReasons))],
					collector: w.pickCollector(r, d), escalated: r.IntN(10) == 0, resolved: s.full})
			case !unpaid && lateBy > 5 && r.IntN(100) < 3, unpaid && c.profile != profChronic && b.due < w.cal.nDays-30 && r.IntN(100) < 25:
				d := b.due - 5 + r.IntN(9)
				t := bizTime(r, d)
				resolved := noTime
				if s.full != noTime {
					if t >= s.full-hour {
						continue
					}
					resolved = s.full - ts(r.IntN(int(min(24*hour, s.full-t-hour))))
				}
				reason := disputeReasons[2]
				switch b.fee {
				case feeWATER:
					reason = disputeReasons[0]
				case feePARK:
					reason = disputeReasons[1]
				}
				add(exception{t: t, cust: ci, bill: bi, typ: "dispute", reason: reason, collector: -1, escalated: r.IntN(5) == 0, resolved: resolved})
			}
		}
	}
	for i := range w.pays {
		p := &w.pays[i]
		if p.voided || p.cust < 0 || p.collector < 0 || (p.method != mCash && p.method != mCard) || r.IntN(10000) >= 8 {
			continue
		}
		reason := "Counterfeit 1000 note found in the cash"
		if p.method == mCard {
			reason = "Card payment reported stolen card"
		}
		t := p.t + ts(1+r.IntN(10))*minute
		add(exception{t: t, cust: p.cust, bill: p.bill, typ: "fraud", reason: reason, collector: p.collector,
			escalated: true, resolved: bizTime(r, t.dayOf()+1+r.IntN(10))})
	}
	slices.SortStableFunc(w.excs, func(a, b exception) int { return cmpInt(int64(a.t), int64(b.t)) })
	for i := range w.excs {
		w.excs[i].id = fmt.Sprintf("EX%06d", i+1)
	}
}
