package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/feeflow/feeflow/data"
)

// The metric facts (sql/05_facts.sql and the files that define the others)
// are derived tables the views read. Install builds them whole; each
// committed batch brings them up to date in its own transaction
// (MaintainFacts), for the keys and days it touches; CheckFacts compares
// every fact with its recomputation from the base tables.

// Fact is one metric fact table and the macro call that computes all of it.
type Fact struct {
	Table   string
	Compute string
}

// Facts lists the metric facts in the order they are kept (each reads the
// ones before it).
var Facts = []Fact{
	{"fact_payments", "fact_payments_rows(true)"},
	{"fact_settlements", "fact_settlements_rows(true)"},
	{"fact_bills", "fact_bills_rows(true)"},
	{"fact_bill_months", "fact_bill_months_rows(true, true)"},
	{"fact_months", "(SELECT period FROM arrears_months)"},
	{"fact_reconciliation", "fact_reconciliation_rows(true)"},
}

// scopeOf is what a batch of each kind writes into facts_scope: the keys it
// touches, for which keep then recomputes the facts. Kinds not
// listed (fee items, customers, invoices, exceptions, feedback, actions,
// resolutions) feed no fact: the views read them directly.
var scopeOf = map[string]string{
	"payments":    `INSERT INTO facts_scope SELECT 'txn', txn_id FROM payments WHERE batch_id = ?`,
	"refunds":     `INSERT INTO facts_scope SELECT DISTINCT 'txn', txn_id FROM refunds WHERE batch_id = ?`,
	"settlements": `INSERT INTO facts_scope SELECT 'line', settlement_id FROM settlements WHERE batch_id = ?`,
	"bills":       `INSERT INTO facts_scope SELECT 'bill', bill_id FROM bills WHERE batch_id = ?`,
}

// keep are the statements that bring the facts up to date for the keys in
// facts_scope, in order.
var keep = []string{
	// payments (new ones, and those whose refunds changed)
	`DELETE FROM fact_payments WHERE txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')`,
	`INSERT INTO fact_payments SELECT * FROM fact_payments_rows(false)`,
	// settlement lines
	`DELETE FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line')`,
	`INSERT INTO fact_settlements SELECT * FROM fact_settlements_rows(false)`,
	// the bills those payments pay
	`INSERT INTO facts_scope SELECT DISTINCT 'bill', bill_id FROM fact_payments
		WHERE bill_id IS NOT NULL AND txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')`,
	`DELETE FROM fact_bills WHERE bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
	`INSERT INTO fact_bills SELECT * FROM fact_bills_rows(false)`,
	`DELETE FROM fact_bill_months WHERE bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
	`INSERT INTO fact_bill_months SELECT * FROM fact_bill_months_rows(false, true)`,
	// months new to arrears_months (the data reached a new month, or bills of
	// an earlier one came in): every other bill in them
	`INSERT INTO facts_scope SELECT 'month', period FROM arrears_months
		WHERE period NOT IN (SELECT period FROM fact_months)`,
	ifMonths + `INSERT INTO fact_bill_months SELECT * FROM fact_bill_months_rows(true, false)
		WHERE bill_id NOT IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
	`INSERT INTO fact_months SELECT key FROM facts_scope WHERE kind = 'month'`,
	// reconciliation: every row from the earliest day the batch touches — its
	// payments' and lines' days, the days of the payments its lines and
	// refunds name, and of the other lines naming the same payments
	`INSERT INTO facts_scope
		SELECT 'from_day', CAST(min(d) AS VARCHAR) FROM (
			SELECT paid_on AS d FROM fact_payments WHERE txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')
			UNION ALL
			SELECT day FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line')
			UNION ALL
			SELECT p.paid_on FROM fact_payments p
			WHERE p.txn_id IN (SELECT txn_ref FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line'))
			UNION ALL
			SELECT s.day FROM fact_settlements s
			WHERE s.txn_ref IN (SELECT key FROM facts_scope WHERE kind = 'txn'
			                    UNION ALL
			                    SELECT txn_ref FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line'))
		) HAVING min(d) IS NOT NULL`,
	`DELETE FROM fact_reconciliation
		WHERE home_day >= (SELECT min(CAST(key AS DATE)) FROM facts_scope WHERE kind = 'from_day')`,
	ifFromDay + `INSERT INTO fact_reconciliation SELECT * FROM fact_reconciliation_rows(false)`,
	`DELETE FROM facts_scope`,
}

// A statement of keep that starts with one of these runs only when the
// scope holds keys of that kind: computing the rows of no key still costs a
// pass over the data.
const (
	ifMonths  = "-- if month\n"
	ifFromDay = "-- if from_day\n"
)

// MaintainFacts brings the metric facts up to date with the batch batchID of
// kind just written in tx, before it commits: the facts then commit, or roll
// back, with the batch. When the database's metrics are not this feeflow's
// (never installed, or installed by another version), it does nothing:
// Install rebuilds every fact when it brings them up to date.
func MaintainFacts(ctx context.Context, tx *data.Tx, kind, batchID string) error {
	scope, ok := scopeOf[kind]
	if !ok {
		return nil
	}
	current, err := factsCurrent(ctx, tx)
	if err != nil || !current {
		return err
	}
	if err := tx.Exec(ctx, `DELETE FROM facts_scope`); err != nil {
		return fmt.Errorf("metric facts: %w", err)
	}
	if err := tx.Exec(ctx, scope, batchID); err != nil {
		return fmt.Errorf("metric facts: %w", err)
	}
	for _, q := range keep {
		if kind, ok := strings.CutPrefix(q, "-- if "); ok {
			kind, _, _ = strings.Cut(kind, "\n")
			var any bool
			if err := tx.QueryRow(ctx, `SELECT count(*) > 0 FROM facts_scope WHERE kind = ?`, kind).Scan(&any); err != nil {
				return fmt.Errorf("metric facts: %w", err)
			}
			if !any {
				continue
			}
		}
		if err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("metric facts: %w", err)
		}
	}
	return nil
}

// factsCurrent reports whether the database holds this feeflow's metrics
// (and so its facts).
func factsCurrent(ctx context.Context, tx *data.Tx) (bool, error) {
	digest, err := Digest()
	if err != nil {
		return false, err
	}
	var installed string
	err = tx.QueryRow(ctx, `SELECT sha256 FROM feeflow_metrics LIMIT 1`).Scan(&installed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		// no feeflow_metrics table: never installed
		return false, nil
	}
	return installed == digest, nil
}

// FactDiff is one fact that differs from its recomputation: how many of its
// rows are not in the recomputation (Extra) and how many rows of the
// recomputation it lacks (Missing).
type FactDiff struct {
	Table   string
	Rows    int64
	Extra   int64
	Missing int64
}

// CheckFacts recomputes every metric fact from the base tables with the
// macros that define it and compares, row for row (as multisets). It
// returns one FactDiff per fact, in Facts order; a fact is right when Extra
// and Missing are both 0.
func CheckFacts(ctx context.Context, db *sql.DB) ([]FactDiff, error) {
	var out []FactDiff
	for _, f := range Facts {
		d := FactDiff{Table: f.Table}
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM %[1]s),
			(SELECT count(*) FROM (SELECT * FROM %[1]s EXCEPT ALL SELECT * FROM %[2]s)),
			(SELECT count(*) FROM (SELECT * FROM %[2]s EXCEPT ALL SELECT * FROM %[1]s))`, f.Table, f.Compute)
		if err := db.QueryRowContext(ctx, q).Scan(&d.Rows, &d.Extra, &d.Missing); err != nil {
			return nil, fmt.Errorf("check %s: %w", f.Table, err)
		}
		out = append(out, d)
	}
	return out, nil
}
