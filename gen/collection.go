package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/shopspring/decimal"
)

// Kinds of payment.
const (
	payBill      = iota // pays (part of) a bill
	payWalkIn           // no bill: a parking day pass or an access card
	payDuplicate        // a customer paid a bill a second time (refunded later)
)

// payment is one row of payments.csv.
type payment struct {
	seq       int // generation order, the tie-breaker of the chronological sort
	t         ts
	cust      int // -1: a visitor with no customer record
	bill      int // -1: walk-in
	fee       int
	amount    decimal.Decimal
	method    int
	collector int // -1: online, no collector
	voided    bool
	kind      int
	pairSeq   int    // voided rows: seq of the replacement entered after them
	voidError string // voided rows: what the operator got wrong

	id      string
	receipt string // number of the document issued for it (invoices.csv)
	zh      bool   // method written as a Chinese word
	sep     bool   // amount written with thousands separators
}

// Behaviour of each payer profile (indexed by profGood..profChronic).
var (
	profUnpaid   = []float64{0.004, 0.012, 0.05, 0.65}
	profPartial  = []float64{0.02, 0.04, 0.08, 0.15}
	profOnTime   = []float64{0.86, 0.70, 0.40, 0.20}
	profLateMean = []float64{5, 10, 25, 40} // mean days late
)

const (
	// onTimeLift is the rise of the chance of paying by the due date for
	// bills due on or after the on_time_rate action started.
	onTimeLift = 0.13
	// voidBase is the chance that a counter entry is keyed wrong and voided
	// before the action on errors_per_1000; voidAfterFactor scales it after.
	voidBase        = 0.016
	voidAfterFactor = 0.25
	// duplicateRate is the chance that an online payer pays a bill twice.
	duplicateRate = 0.003
)

// genPayments pays the bills as each payer profile would, adds walk-in
// payments, voided entries with their replacements and duplicate payments,
// then sorts everything by time and numbers it.
func (w *world) genPayments() {
	r := w.rng("payments")
	rv := w.rng("voids")
	voidStart := w.actionStart("errors_per_1000")
	onTimeStart := w.actionStart("on_time_rate")
	seq := 0
	add := func(p payment) {
		p.seq = seq
		seq++
		if !p.voided {
			p.pairSeq = -1
		}
		w.pays = append(w.pays, p)
	}
	// addEntry records a payment; a counter entry may first be keyed wrong,
	// voided, and entered again a few minutes later.
	addEntry := func(p payment) {
		if p.collector >= 0 {
			prob := voidBase * collectorErrorFactor[p.collector]
			if p.t.dayOf() >= voidStart {
				prob *= voidAfterFactor
			}
			if rv.Float64() < prob {
				v := p
				v.voided = true
				switch x := rv.IntN(10); {
				case x < 4:
					v.amount = p.amount.Mul(decimal.NewFromInt(10))
					v.voidError = "extra digit in amount"
				case x < 7:
					v.amount = p.amount.Add(cents(10000))
					v.voidError = "amount keyed 100.00 too high"
				default:
					if p.method == mCash {
						v.method = mCard
					} else {
						v.method = mCash
					}
					v.voidError = "wrong payment method"
				}
				v.pairSeq = seq + 1
				add(v)
				p.t += ts(2+rv.IntN(14)) * minute
			}
		}
		add(p)
	}

	for bi := range w.bills {
		b := &w.bills[bi]
		c := &w.customers[b.cust]
		net := b.net()
		if !net.IsPositive() {
			continue
		}
		if r.Float64() < profUnpaid[c.profile] {
			continue
		}
		ms := w.cal.monthStart[b.month]
		onTime := profOnTime[c.profile]
		if b.due >= onTimeStart {
			onTime = math.Min(0.99, onTime+onTimeLift)
		}
		var d int
		switch {
		case b.month > 0 && c.profile <= profAverage && r.Float64() < 0.03:
			d = ms - 1 - r.IntN(10) // prepaid before the period started
		case r.Float64() < onTime:
			d = ms + int(15*math.Sqrt(r.Float64()))
			d = min(d, b.due)
		default:
			d = b.due + 1 + int(r.ExpFloat64()*profLateMean[c.profile])
			d = min(d, b.due+240)
		}
		first := net
		second := decimal.Zero
		secondDay := -1
		if r.Float64() < profPartial[c.profile] {
			netCents := net.Shift(2).IntPart()
			part := netCents * int64(30+r.IntN(41)) / 100 / 1000 * 1000 // whole tens
			if part > 0 && part < netCents {
				first = cents(part)
				second = net.Sub(first)
				if r.IntN(10) < 7 {
					secondDay = d + 10 + r.IntN(50)
				}
			}
		}
		method, coll, t := w.place(r, c.method, d)
		if t.dayOf() >= 0 && t.dayOf() < w.cal.nDays {
			p := payment{t: t, cust: b.cust, bill: bi, fee: b.fee, amount: first, method: method, collector: coll, kind: payBill}
			addEntry(p)
			if first.Equal(net) && isOnline(method) && coll < 0 && t.dayOf() <= w.cal.nDays-45 && r.Float64() < duplicateRate {
				dm := []int{mBank, mWechat, mAlipay}[r.IntN(3)]
				dt := t + ts(1+r.IntN(3*24*60))*minute
				add(payment{t: dt, cust: b.cust, bill: bi, fee: b.fee, amount: first, method: dm, collector: -1, kind: payDuplicate})
			}
		}
		if secondDay >= 0 {
			method, coll, t := w.place(r, c.method, secondDay)
			if t.dayOf() >= 0 && t.dayOf() < w.cal.nDays {
				addEntry(payment{t: t, cust: b.cust, bill: bi, fee: b.fee, amount: second, method: method, collector: coll, kind: payBill})
			}
		}
	}

	// Walk-in payments: parking day passes sold at the counter or by QR code
	// at the gate to visitors, and access card replacements for customers.
	rw := w.rng("walkins")
	lambda := float64(w.cfg.Customers) / 250
	for d := range w.cal.nDays {
		l := lambda
		if wd := w.cal.weekday[d]; wd == 0 || wd == 6 {
			l *= 1.6
		}
		for range poisson(rw, l) {
			qty := 1
			switch x := rw.IntN(100); {
			case x < 5:
				qty = 3
			case x < 20:
				qty = 2
			}
			p := payment{cust: -1, bill: -1, fee: feePDAY, amount: w.fees[feePDAY].rate.Mul(decimal.NewFromInt(int64(qty))), kind: payWalkIn, collector: -1}
			if !w.cal.open(d) {
				p.method = []int{mWechat, mAlipay}[rw.IntN(2)]
				p.t = at(d, 7, 0, 0) + ts(rw.IntN(16*3600))
			} else {
				p.method = weighted(rw, []int{40, 10, 0, 30, 20, 0})
				if p.method == mCash || p.method == mCard || rw.IntN(2) == 0 {
					p.collector = w.pickCollector(rw, d)
					p.t = at(d, 8, 30, 0) + ts(rw.IntN(9*3600))
				} else {
					p.t = at(d, 7, 0, 0) + ts(rw.IntN(16*3600))
				}
			}
			addEntry(p)
		}
		if w.cal.open(d) {
			for range poisson(rw, float64(w.cfg.Customers)/4000) {
				ci := rw.IntN(len(w.customers))
				p := payment{cust: ci, bill: -1, fee: feeCARD, amount: w.fees[feeCARD].rate, kind: payWalkIn,
					method: []int{mCash, mCard, mWechat}[rw.IntN(3)], collector: w.pickCollector(rw, d),
					t: at(d, 8, 30, 0) + ts(rw.IntN(9*3600))}
				addEntry(p)
			}
		}
	}

	// Chronological order; the day's sequence number makes the txn_id.
	slices.SortFunc(w.pays, func(a, b payment) int {
		if a.t != b.t {
			return cmpInt(int64(a.t), int64(b.t))
		}
		return a.seq - b.seq
	})
	bySeq := make([]int, len(w.pays))
	for i := range w.pays {
		bySeq[w.pays[i].seq] = i
	}
	rf := w.rng("payments-format")
	w.payByID = make(map[string]int, len(w.pays))
	daySeq, lastDay := 0, -1
	thousand := cents(100000)
	for i := range w.pays {
		p := &w.pays[i]
		dd := p.t.dayOf()
		if dd != lastDay {
			daySeq, lastDay = 0, dd
		}
		daySeq++
		p.id = fmt.Sprintf("T%s%s%s-%05d", w.cal.dates[dd][:4], w.cal.dates[dd][5:7], w.cal.dates[dd][8:], daySeq)
		w.payByID[p.id] = i
		if p.pairSeq >= 0 {
			p.pairSeq = bySeq[p.pairSeq] // now an index into w.pays
		}
		p.zh = methodZh[p.method] != "" && rf.IntN(100) < 9
		p.sep = p.amount.GreaterThanOrEqual(thousand) && rf.IntN(100) < 35
	}
}

// isOnline reports whether a method can be paid without the counter.
func isOnline(m int) bool { return m == mBank || m == mWechat || m == mAlipay }

// place decides how and when a payment planned for day d is made: the
// payer's preferred method most of the time; cash, card and "other" at the
// counter in opening hours with an on-duty collector; WeChat Pay and Alipay
// sometimes scanned at the counter, otherwise online like bank transfers.
func (w *world) place(r *rand.Rand, preferred, d int) (method, collector int, t ts) {
	method = preferred
	if d < 0 || d >= w.cal.nDays {
		return method, -1, at(d, 12, 0, 0) // outside the data: dropped by the caller
	}
	if r.IntN(100) < 20 {
		method = weighted(r, preferredMethodWeights)
	}
	counter := method == mCash || method == mCard || method == mOther ||
		((method == mWechat || method == mAlipay) && r.IntN(100) < 30)
	if counter {
		d = w.cal.counterDay(d)
		return method, w.pickCollector(r, d), at(d, 8, 30, 0) + ts(r.IntN(9*3600))
	}
	if method == mBank {
		return method, -1, at(d, 8, 0, 0) + ts(r.IntN(14*3600))
	}
	return method, -1, at(d, 7, 0, 0) + ts(r.IntN(16*3600))
}

// poisson draws a Poisson count with mean l (normal approximation for
// large means).
func poisson(r *rand.Rand, l float64) int {
	if l <= 0 {
		return 0
	}
	if l > 40 {
		return max(0, int(math.Round(l+float64(math.Sqrt(l)*r.NormFloat64())))) // conversion: no fused multiply-add
	}
	limit := math.Exp(-l)
	n, p := 0, r.Float64()
	for p > limit {
		n++
		p *= r.Float64()
	}
	return n
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
