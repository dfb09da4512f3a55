package gen

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// bill is one amount due of one customer for one fee item and period.
type bill struct {
	id       string
	cust     int
	fee      int
	month    int // period index
	amount   decimal.Decimal
	discount decimal.Decimal
	due      int // day index of the due date
}

// net is what the customer owes: amount due less discount.
func (b *bill) net() decimal.Decimal { return b.amount.Sub(b.discount) }

// dueDay is the due date of month k's bills: the 15th of the period month.
func (w *world) dueDay(k int) int { return w.cal.monthStart[k] + 14 }

// genBills issues every month, for every customer moved in by then, a
// management fee bill, a water bill (most customers) and a parking bill
// (customers with a space). Seniors get 10% off the management fee; some
// parking bills carry a promotional discount.
func (w *world) genBills() {
	r := w.rng("bills")
	w.bills = make([]bill, 0, w.cfg.Customers*w.cal.months*23/10)
	tenth := decimal.New(1, -1) // 10%
	for k := range w.cal.months {
		period := w.cal.period(k)
		seq := 0
		for ci := range w.customers {
			c := &w.customers[ci]
			if k < c.firstMonth {
				continue
			}
			add := func(fee int, amount, discount decimal.Decimal) {
				seq++
				w.bills = append(w.bills, bill{
					id:       fmt.Sprintf("B%s%s-%05d", period[:4], period[5:], seq),
					cust:     ci,
					fee:      fee,
					month:    k,
					amount:   amount,
					discount: discount,
					due:      w.dueDay(k),
				})
			}
			mg := round2(c.size.Mul(w.fees[feeMGMT].rate))
			disc := decimal.Zero
			if c.senior {
				disc = round2(mg.Mul(tenth))
			}
			add(feeMGMT, mg, disc)
			if c.water {
				m3 := 6 + r.IntN(30)
				if r.IntN(20) == 0 {
					m3 += 20 + r.IntN(40) // a leak or a full house
				}
				add(feeWATER, round2(w.fees[feeWATER].rate.Mul(decimal.NewFromInt(int64(m3)))), decimal.Zero)
			}
			if c.parking {
				pk := w.fees[feePARK].rate
				disc := decimal.Zero
				if r.IntN(100) < 4 {
					disc = cents(10000)
				}
				add(feePARK, pk, disc)
			}
		}
	}
}
