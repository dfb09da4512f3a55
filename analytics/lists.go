package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

// The queries behind the lists (70_lists.sql), shown beside each list. The
// as-of day is formatted in by the caller (a date, never input text).
const (
	DebtorsQuery          = "SELECT customer_id, name, unit, area, fee_items, outstanding, bills_open, oldest_due, days_overdue, last_paid_on FROM debtors(DATE '%s', latest := %t)"
	DebtorBillsQuery      = "SELECT customer_id, bill_id, period, fee_item, due_date, net_due, paid, refunded, outstanding, overpaid, payments, txn_ids, last_paid_on FROM bill_detail_open_at(DATE '%s', latest := %t) WHERE outstanding > 0"
	OverpaymentsQuery     = "SELECT bill_id, customer_id, area, period, fee_item, net_due, paid, overpaid, refunded, credit, payments, txn_ids FROM overpayments_at(DATE '%s', latest := %t)"
	ExceptionsOpenQuery   = "SELECT exception_id, occurred_on, customer_id, bill_id, type, reason, collector, escalated, age_days FROM exceptions_open(DATE '%s')"
	RefundsOpenQuery      = "SELECT refund_id, txn_id, customer_id, bill_id, amount, reason, stage, requested_on, age_days, stage_days FROM refunds_open(DATE '%s')"
	DiscrepancyLinesQuery = "SELECT ref, status, opened_on, item, item_id, day, channel, collector, amount FROM discrepancy_lines(DATE '%s', latest := %t)"
)

// Debtor is one customer of debtors(as_of): what they owe on bills of
// periods up to the as-of month. Name and Unit identify a person: the site
// shows them only in a build made with names.
type Debtor struct {
	CustomerID, Name, Unit, Area string
	FeeItems                     []string
	Outstanding                  decimal.Decimal
	BillsOpen                    int
	OldestDue                    time.Time
	DaysOverdue                  int
	LastPaidOn                   *time.Time // nil: no bill payment yet
}

// Debtors reads debtors(asOf), largest first.
func (m *Metrics) Debtors(ctx context.Context, asOf time.Time) ([]Debtor, error) {
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return collect(ctx, m.db, fmt.Sprintf(DebtorsQuery, asOf.Format(time.DateOnly), latest), func(r *sql.Rows, d *Debtor) error {
		var name, unit sql.NullString
		var items string
		var out data.Decimal
		var last sql.NullTime
		if err := r.Scan(&d.CustomerID, &name, &unit, &d.Area, &items, &out, &d.BillsOpen, &d.OldestDue, &d.DaysOverdue, &last); err != nil {
			return err
		}
		d.Name, d.Unit, d.FeeItems, d.Outstanding, d.LastPaidOn = name.String, unit.String, strings.Fields(items), out.Decimal, nullTime(last)
		return nil
	})
}

// BillDetail is one bill of bill_detail_at(as_of).
type BillDetail struct {
	CustomerID, BillID, Period, FeeItem           string
	DueDate                                       time.Time
	NetDue, Paid, Refunded, Outstanding, Overpaid decimal.Decimal
	Payments                                      int
	TxnIDs                                        []string // oldest first
	LastPaidOn                                    *time.Time
}

// DebtorBills reads the open bills of the customers of debtors(asOf), as
// of that day, by customer, period and fee item: per customer they add up
// to the debtor's outstanding.
func (m *Metrics) DebtorBills(ctx context.Context, asOf time.Time) ([]BillDetail, error) {
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return collect(ctx, m.db, fmt.Sprintf(DebtorBillsQuery, asOf.Format(time.DateOnly), latest), func(r *sql.Rows, b *BillDetail) error {
		var due, paid, refunded, out, over data.Decimal
		var txns string
		var last sql.NullTime
		if err := r.Scan(&b.CustomerID, &b.BillID, &b.Period, &b.FeeItem, &b.DueDate, &due, &paid, &refunded, &out, &over, &b.Payments, &txns, &last); err != nil {
			return err
		}
		b.NetDue, b.Paid, b.Refunded, b.Outstanding, b.Overpaid = due.Decimal, paid.Decimal, refunded.Decimal, out.Decimal, over.Decimal
		b.TxnIDs, b.LastPaidOn = strings.Fields(txns), nullTime(last)
		return nil
	})
}

// Overpayment is one bill of overpayments_at(as_of): paid more than due.
type Overpayment struct {
	BillID, CustomerID, Area, Period, FeeItem string
	NetDue, Paid, Overpaid, Refunded, Credit  decimal.Decimal
	Payments                                  int
	TxnIDs                                    []string
}

// Overpayments reads overpayments_at(asOf).
func (m *Metrics) Overpayments(ctx context.Context, asOf time.Time) ([]Overpayment, error) {
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return collect(ctx, m.db, fmt.Sprintf(OverpaymentsQuery, asOf.Format(time.DateOnly), latest), func(r *sql.Rows, o *Overpayment) error {
		var due, paid, over, refunded, credit data.Decimal
		var txns string
		if err := r.Scan(&o.BillID, &o.CustomerID, &o.Area, &o.Period, &o.FeeItem, &due, &paid, &over, &refunded, &credit, &o.Payments, &txns); err != nil {
			return err
		}
		o.NetDue, o.Paid, o.Overpaid, o.Refunded, o.Credit = due.Decimal, paid.Decimal, over.Decimal, refunded.Decimal, credit.Decimal
		o.TxnIDs = strings.Fields(txns)
		return nil
	})
}

// OpenException is one row of exceptions_open(as_of).
type OpenException struct {
	ExceptionID                                 string
	OccurredOn                                  time.Time
	CustomerID, BillID, Type, Reason, Collector string
	Escalated                                   bool
	AgeDays                                     int
}

// ExceptionsOpen reads exceptions_open(asOf), oldest first.
func (m *Metrics) ExceptionsOpen(ctx context.Context, asOf time.Time) ([]OpenException, error) {
	return collect(ctx, m.db, fmt.Sprintf(ExceptionsOpenQuery, asOf.Format(time.DateOnly)), func(r *sql.Rows, e *OpenException) error {
		var cust, bill sql.NullString
		if err := r.Scan(&e.ExceptionID, &e.OccurredOn, &cust, &bill, &e.Type, &e.Reason, &e.Collector, &e.Escalated, &e.AgeDays); err != nil {
			return err
		}
		e.CustomerID, e.BillID = cust.String, bill.String
		return nil
	})
}

// OpenRefund is one row of refunds_open(as_of).
type OpenRefund struct {
	RefundID, TxnID, CustomerID, BillID string
	Amount                              decimal.Decimal
	Reason, Stage                       string // Stage: requested or approved
	RequestedOn                         time.Time
	AgeDays, StageDays                  int
}

// RefundsOpen reads refunds_open(asOf), oldest request first.
func (m *Metrics) RefundsOpen(ctx context.Context, asOf time.Time) ([]OpenRefund, error) {
	return collect(ctx, m.db, fmt.Sprintf(RefundsOpenQuery, asOf.Format(time.DateOnly)), func(r *sql.Rows, x *OpenRefund) error {
		var cust, bill sql.NullString
		var amt data.Decimal
		if err := r.Scan(&x.RefundID, &x.TxnID, &cust, &bill, &amt, &x.Reason, &x.Stage, &x.RequestedOn, &x.AgeDays, &x.StageDays); err != nil {
			return err
		}
		x.CustomerID, x.BillID, x.Amount = cust.String, bill.String, amt.Decimal
		return nil
	})
}

// DiscrepancyLine is one payment, refund or settlement line behind an open
// discrepancy (discrepancy_lines(as_of)).
type DiscrepancyLine struct {
	Ref, Status        string
	OpenedOn           time.Time
	Item, ItemID       string // Item: payment, refund (the system side) or settlement (the bank side)
	Day                time.Time
	Channel, Collector string
	Amount             decimal.Decimal
}

// DiscrepancyLines reads discrepancy_lines(asOf), in the order of
// discrepancies_open.
func (m *Metrics) DiscrepancyLines(ctx context.Context, asOf time.Time) ([]DiscrepancyLine, error) {
	latest, err := m.Latest(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return collect(ctx, m.db, fmt.Sprintf(DiscrepancyLinesQuery, asOf.Format(time.DateOnly), latest), func(r *sql.Rows, l *DiscrepancyLine) error {
		var collector sql.NullString
		var amt data.Decimal
		if err := r.Scan(&l.Ref, &l.Status, &l.OpenedOn, &l.Item, &l.ItemID, &l.Day, &l.Channel, &collector, &amt); err != nil {
			return err
		}
		l.Collector, l.Amount = collector.String, amt.Decimal
		return nil
	})
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}
