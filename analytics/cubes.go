package analytics

import (
	"context"
	"database/sql"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

// The queries behind the cubes the dashboard's filters sum in the browser.
const (
	CollectionCubeQuery     = "SELECT period, fee_item, area, bills, billed, collected, on_time FROM collection_cube ORDER BY period, fee_item, area"
	PaymentsCubeQuery       = "SELECT period, fee_item, area, channel, collector, payments, collected, on_time FROM collection_payments_cube ORDER BY period, fee_item, area, channel, collector"
	ArrearsCubeQuery        = "SELECT period, area, fee_item, bills, opening_arrears, recovered FROM arrears_cube ORDER BY period, area, fee_item"
	ReconciliationCubeQuery = "SELECT day, channel, collector, items, matched, discrepancies, discrepancy_amount, system_amount, bank_amount FROM reconciliation_cube ORDER BY day, channel, collector"
)

// CollectionCell is one row of collection_cube.
type CollectionCell struct {
	Period, FeeItem, Area     string
	Bills                     int
	Billed, Collected, OnTime decimal.Decimal
}

// CollectionCube reads collection_cube.
func (m *Metrics) CollectionCube(ctx context.Context) ([]CollectionCell, error) {
	return collect(ctx, m.db, CollectionCubeQuery, func(r *sql.Rows, c *CollectionCell) error {
		var b, col, ot data.Decimal
		if err := r.Scan(&c.Period, &c.FeeItem, &c.Area, &c.Bills, &b, &col, &ot); err != nil {
			return err
		}
		c.Billed, c.Collected, c.OnTime = b.Decimal, col.Decimal, ot.Decimal
		return nil
	})
}

// PaymentCell is one row of collection_payments_cube.
type PaymentCell struct {
	Period, FeeItem, Area, Channel, Collector string
	Payments                                  int
	Collected, OnTime                         decimal.Decimal
}

// PaymentsCube reads collection_payments_cube.
func (m *Metrics) PaymentsCube(ctx context.Context) ([]PaymentCell, error) {
	return collect(ctx, m.db, PaymentsCubeQuery, func(r *sql.Rows, c *PaymentCell) error {
		var col, ot data.Decimal
		if err := r.Scan(&c.Period, &c.FeeItem, &c.Area, &c.Channel, &c.Collector, &c.Payments, &col, &ot); err != nil {
			return err
		}
		c.Collected, c.OnTime = col.Decimal, ot.Decimal
		return nil
	})
}

// ArrearsCell is one row of arrears_cube.
type ArrearsCell struct {
	Period, Area, FeeItem     string
	Bills                     int
	OpeningArrears, Recovered decimal.Decimal
}

// ArrearsCube reads arrears_cube.
func (m *Metrics) ArrearsCube(ctx context.Context) ([]ArrearsCell, error) {
	return collect(ctx, m.db, ArrearsCubeQuery, func(r *sql.Rows, c *ArrearsCell) error {
		var open, rec data.Decimal
		if err := r.Scan(&c.Period, &c.Area, &c.FeeItem, &c.Bills, &open, &rec); err != nil {
			return err
		}
		c.OpeningArrears, c.Recovered = open.Decimal, rec.Decimal
		return nil
	})
}

// ReconciliationCell is one row of reconciliation_cube.
type ReconciliationCell struct {
	Day                                         time.Time
	Channel, Collector                          string
	Items, Matched, Discrepancies               int
	DiscrepancyAmount, SystemAmount, BankAmount decimal.Decimal
}

// ReconciliationCube reads reconciliation_cube.
func (m *Metrics) ReconciliationCube(ctx context.Context) ([]ReconciliationCell, error) {
	return collect(ctx, m.db, ReconciliationCubeQuery, func(r *sql.Rows, c *ReconciliationCell) error {
		var amt, sys, bank data.Decimal
		if err := r.Scan(&c.Day, &c.Channel, &c.Collector, &c.Items, &c.Matched, &c.Discrepancies, &amt, &sys, &bank); err != nil {
			return err
		}
		c.DiscrepancyAmount, c.SystemAmount, c.BankAmount = amt.Decimal, sys.Decimal, bank.Decimal
		return nil
	})
}
