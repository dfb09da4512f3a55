package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
	{"fact_collection_payments", "fact_collection_payments_rows(true)"},
	{"fact_payment_days", "fact_payment_days_rows(true)"},
	{"fact_settlements", "fact_settlements_rows(true)"},
	{"fact_settlement_days", "fact_settlement_days_rows(true)"},
	{"fact_invoice_days", "fact_invoice_days_rows(true)"},
	{"fact_bills", "fact_bills_rows(true)"},
	{"fact_open_bills", "fact_open_bills_rows(true)"},
	{"fact_customer_paid", "fact_customer_paid_rows(true)"},
	{"fact_collection", "fact_collection_rows(true)"},
	{"fact_households", "fact_households_rows(true)"},
	{"fact_bill_months", "fact_bill_months_rows(true, true)"},
	{"fact_months", "(SELECT period FROM arrears_months)"},
	{"fact_arrears", "fact_arrears_rows(true)"},
	{"fact_reconciliation", "fact_reconciliation_rows(true)"},
	{"fact_reconciliation_cells", "fact_reconciliation_cells_rows(true)"},
}

// aggregate is an aggregate fact: the sums of a per-key fact at a coarser
// grain, kept by difference. Its macro (rows) sums the per-key fact's rows
// of the keys in facts_scope; every measure is a count or a sum that is
// never NULL, and the first counts the rows summed.
type aggregate struct {
	table    string
	rows     string   // the macro call summing the scoped rows
	keys     []string // the grain
	measures []string
}

var (
	collectionPayments = aggregate{"fact_collection_payments", "fact_collection_payments_rows(false)",
		[]string{"period", "fee_item", "area", "channel", "collector"}, []string{"payments", "collected", "on_time"}}
	paymentDays = aggregate{"fact_payment_days", "fact_payment_days_rows(false)",
		[]string{"paid_on", "collector"}, []string{"payments", "voided", "bill_amount", "walk_in_amount"}}
	settlementDays = aggregate{"fact_settlement_days", "fact_settlement_days_rows(false)",
		[]string{"day", "channel"}, []string{"lines", "amount", "fee"}}
	invoiceDays = aggregate{"fact_invoice_days", "fact_invoice_days_rows(false)",
		[]string{"day"}, []string{"issued", "lost_or_damaged", "reissued"}}
	collection = aggregate{"fact_collection", "fact_collection_rows(false)",
		[]string{"period", "fee_item", "area", "due_date"}, []string{"bills", "billed", "collected", "on_time", "bills_open", "open_amount"}}
	households = aggregate{"fact_households", "fact_households_rows(false)",
		[]string{"period", "customer_id"}, []string{"bills", "unpaid"}}
	arrears = aggregate{"fact_arrears", "fact_arrears_rows(false)",
		[]string{"period", "area", "fee_item"}, []string{"rows", "bills", "opening_arrears", "recovered", "opening", "closing", "closing_current"}}
	reconciliationCells = aggregate{"fact_reconciliation_cells", "fact_reconciliation_cells_rows(false)",
		[]string{"day", "channel", "collector", "status", "pending_until"}, []string{"items", "abs_diff", "system_amount", "bank_amount"}}
)

// start empties a's difference.
func (a aggregate) start() string {
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE facts_delta_%[1]s AS SELECT * FROM %[1]s LIMIT 0`, a.table)
}

// take subtracts from a's difference what the scoped rows of its per-key
// fact contribute now, before they are replaced.
func (a aggregate) take() string {
	neg := make([]string, len(a.measures))
	for i, m := range a.measures {
		neg[i] = fmt.Sprintf("-%[1]s AS %[1]s", m)
	}
	return fmt.Sprintf(`INSERT INTO facts_delta_%s SELECT %s, %s FROM %s`,
		a.table, strings.Join(a.keys, ", "), strings.Join(neg, ", "), a.rows)
}

// give adds to a's difference what the scoped rows contribute once
// replaced.
func (a aggregate) give() string {
	return fmt.Sprintf(`INSERT INTO facts_delta_%s SELECT * FROM %s`, a.table, a.rows)
}

// apply are the statements that add a's difference to it: the groups it
// touches are summed again with it, and a group whose row count falls to
// 0 is dropped.
func (a aggregate) apply() []string {
	on := make([]string, len(a.keys))
	for i, k := range a.keys {
		on[i] = fmt.Sprintf("t.%[1]s IS NOT DISTINCT FROM d.%[1]s", k)
	}
	sums := make([]string, len(a.measures))
	for i, m := range a.measures {
		sums[i] = fmt.Sprintf("sum(%[1]s) AS %[1]s", m)
	}
	keys, match := strings.Join(a.keys, ", "), strings.Join(on, " AND ")
	return []string{
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE facts_sum_%[1]s AS
			SELECT %[2]s, %[3]s FROM (
				SELECT t.* FROM %[1]s t SEMI JOIN (SELECT DISTINCT %[2]s FROM facts_delta_%[1]s) d ON %[4]s
				UNION ALL SELECT * FROM facts_delta_%[1]s)
			GROUP BY %[2]s`, a.table, keys, strings.Join(sums, ", "), match),
		fmt.Sprintf(`DELETE FROM %[1]s t USING (SELECT DISTINCT %[2]s FROM facts_delta_%[1]s) d WHERE %[3]s`, a.table, keys, match),
		fmt.Sprintf(`INSERT INTO %[1]s SELECT * FROM facts_sum_%[1]s WHERE %[2]s <> 0`, a.table, a.measures[0]),
		fmt.Sprintf(`DROP TABLE facts_delta_%[1]s`, a.table),
		fmt.Sprintf(`DROP TABLE facts_sum_%[1]s`, a.table),
	}
}

// scopeOf is what a batch of each kind writes into facts_scope: the keys it
// touches, for which keep then recomputes the facts. A batch of refunds
// names its payments twice: as payments (their refunded amount) and as
// refunds (their refund rows of the reconciliation). Kinds not
// listed (fee items, customers, exceptions, feedback, actions,
// resolutions) feed no fact: the views read them directly.
var scopeOf = map[string]string{
	"payments":    `INSERT INTO facts_scope SELECT 'txn', txn_id FROM payments WHERE batch_id = ?`,
	"refunds":     `INSERT INTO facts_scope SELECT DISTINCT k.kind, r.txn_id FROM refunds r, (VALUES ('txn'), ('refund')) k(kind) WHERE r.batch_id = ?`,
	"settlements": `INSERT INTO facts_scope SELECT 'line', settlement_id FROM settlements WHERE batch_id = ?`,
	"bills":       `INSERT INTO facts_scope SELECT 'bill', bill_id FROM bills WHERE batch_id = ?`,
	"invoices":    `INSERT INTO facts_scope VALUES ('batch', ?)`,
}

// keep are the statements that bring the facts up to date for the keys in
// facts_scope, in order.
var keep = concat(
	[]string{
		collectionPayments.start(), paymentDays.start(), settlementDays.start(), invoiceDays.start(),
		collection.start(), households.start(), arrears.start(), reconciliationCells.start(),
	},
	// payments (new ones, and those whose refunds changed)
	prefixed(ifTxn, []string{
		collectionPayments.take(),
		paymentDays.take(),
		`DELETE FROM fact_payments WHERE txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')`,
		`INSERT INTO fact_payments SELECT * FROM fact_payments_rows(false)`,
		collectionPayments.give(),
		paymentDays.give(),
		// the later of each customer's last day kept and their new payments'
		`CREATE OR REPLACE TEMP TABLE facts_customer_paid AS
		SELECT n.customer_id, greatest(max(n.last_paid_on), max(k.last_paid_on)) AS last_paid_on
		FROM fact_customer_paid_rows(false) n LEFT JOIN fact_customer_paid k ON k.customer_id = n.customer_id
		GROUP BY n.customer_id`,
		`DELETE FROM fact_customer_paid WHERE customer_id IN (SELECT customer_id FROM facts_customer_paid)`,
		`INSERT INTO fact_customer_paid SELECT * FROM facts_customer_paid`,
		`DROP TABLE facts_customer_paid`,
		// the bills those payments pay
		`INSERT INTO facts_scope SELECT DISTINCT 'bill', bill_id FROM fact_payments
		WHERE bill_id IS NOT NULL AND txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn')`,
	}),
	// settlement lines
	prefixed(ifLine, []string{
		settlementDays.take(),
		`DELETE FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line')`,
		`INSERT INTO fact_settlements SELECT * FROM fact_settlements_rows(false)`,
		settlementDays.give(),
	}),
	// invoices, only ever added
	prefixed(ifBatch, []string{invoiceDays.give()}),
	// bills: their completed payments and their rows of fact_bills are
	// found once and held aside (facts_bill_payments_scoped,
	// facts_bills_scoped), where the scoped macros read them: the bills' rows
	// first as replaced, then as new. The new rows are also kept whole
	// (facts_bills): fact_open_bills is the open ones of them
	// (fact_open_bills_rows), and finding them again in fact_bills reads
	// every row's every column (2 s at 9.4 M bills).
	prefixed(ifBill, []string{
		`INSERT INTO facts_bill_payments_scoped SELECT ` + billPaymentColumns + ` FROM fact_payments
		WHERE status = 'completed' AND bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
		`INSERT INTO facts_bills_scoped SELECT rowid, ` + billSumColumns + ` FROM fact_bills
		WHERE bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
		collection.take(),
		households.take(),
		`DELETE FROM fact_bills WHERE rowid IN (SELECT facts_row FROM facts_bills_scoped)`,
		`DELETE FROM facts_bills_scoped`,
		`CREATE OR REPLACE TEMP TABLE facts_bills AS SELECT * FROM fact_bills_rows(false)`,
		`INSERT INTO fact_bills SELECT * FROM facts_bills`,
		`INSERT INTO facts_bills_scoped SELECT NULL, ` + billSumColumns + ` FROM facts_bills`,
		collection.give(),
		households.give(),
		`DELETE FROM fact_open_bills WHERE bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
		`INSERT INTO fact_open_bills SELECT * FROM facts_bills WHERE bill_open(collected, net_due, paid)`,
		`DROP TABLE facts_bills`,
		`DELETE FROM facts_bills_scoped`,
	}),
	// the aggregates arrears_months and data_end() read are up to date from here
	prefixed(ifTxn, concat(collectionPayments.apply(), paymentDays.apply())),
	prefixed(ifLine, settlementDays.apply()),
	prefixed(ifBatch, invoiceDays.apply()),
	prefixed(ifBill, concat(collection.apply(), households.apply())),
	prefixed(ifBill, []string{
		// the rows of its bills, held aside as the bills' are (the months
		// below are not in the scope yet), until the arrears have them
		`INSERT INTO facts_bill_months_scoped SELECT rowid, * FROM fact_bill_months
		WHERE bill_id IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
		arrears.take(),
		`DELETE FROM fact_bill_months WHERE rowid IN (SELECT facts_row FROM facts_bill_months_scoped)`,
		`DELETE FROM facts_bill_months_scoped`,
		`INSERT INTO facts_bill_months_scoped SELECT NULL, * FROM fact_bill_months_rows(false, true)`,
		`INSERT INTO fact_bill_months SELECT * EXCLUDE (facts_row) FROM facts_bill_months_scoped`,
		`DELETE FROM facts_bill_payments_scoped`,
	}),
	[]string{
		// months new to arrears_months (the data reached a new month, or bills of
		// an earlier one came in): every other bill in them
		`INSERT INTO facts_scope SELECT 'month', period FROM arrears_months
		WHERE period NOT IN (SELECT period FROM fact_months)`,
		ifMonth + `INSERT INTO fact_bill_months SELECT * FROM fact_bill_months_rows(true, false)
		WHERE bill_id NOT IN (SELECT key FROM facts_scope WHERE kind = 'bill')`,
		ifMonth + `INSERT INTO fact_months SELECT key FROM facts_scope WHERE kind = 'month'`,
		// the rows of its bills, and of every bill in the new months: none
		// was there before
		ifBill + ifMonth + arrears.give(),
	},
	prefixed(ifBill+ifMonth, arrears.apply()),
	prefixed(ifBill, []string{`DELETE FROM facts_bill_months_scoped`}),
	// reconciliation: every row of the days the batch touches — its
	// payments' and lines' days, the days of the payments its lines name,
	// and of the other lines naming the same payments; a batch of refunds
	// changes only the refund rows of its payments' days
	[]string{
		`INSERT INTO facts_scope
		SELECT DISTINCT 'recon_day', CAST(d AS VARCHAR) FROM (
			SELECT paid_on AS d FROM fact_payments WHERE txn_id IN (SELECT key FROM facts_scope WHERE kind = 'txn'
			                                                       EXCEPT SELECT key FROM facts_scope WHERE kind = 'refund')
			UNION ALL
			SELECT day FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line')
			UNION ALL
			SELECT p.paid_on FROM fact_payments p
			WHERE p.txn_id IN (SELECT txn_ref FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line'))
			UNION ALL
			SELECT s.day FROM fact_settlements s
			WHERE s.txn_ref IN ((SELECT key FROM facts_scope WHERE kind = 'txn'
			                     EXCEPT SELECT key FROM facts_scope WHERE kind = 'refund')
			                    UNION ALL
			                    SELECT txn_ref FROM fact_settlements WHERE settlement_id IN (SELECT key FROM facts_scope WHERE kind = 'line'))
		) WHERE d IS NOT NULL`,
		ifRefund + `INSERT INTO facts_scope
		SELECT DISTINCT 'recon_refund_day', CAST(paid_on AS VARCHAR) FROM fact_payments
		WHERE txn_id IN (SELECT key FROM facts_scope WHERE kind = 'refund')`,
	},
	prefixed(ifReconDay, []string{
		reconciliationCells.take(),
		`DELETE FROM fact_reconciliation WHERE recon_row_scoped(home_day, source)`,
		`INSERT INTO fact_reconciliation SELECT * FROM fact_reconciliation_rows_of(` + reconFrom + `, ` + reconTo + `, true)`,
		reconciliationCells.give(),
	}),
	prefixed(ifReconDay, reconciliationCells.apply()),
	[]string{`DELETE FROM facts_scope`},
)

// The columns the batch holds aside of the bills it touches (see keep):
// those of fact_payments that the bills' facts read, and those of fact_bills
// that fact_collection and fact_households sum. Reading a few thousand
// scattered rows reads every column asked for nearly whole, so only these
// (at 10 M payments: 0.7 s against 1.3-1.5 s for the payments, 1.0-1.1 s
// against 1.6-1.9 s for the bills). The tables' definitions name the same
// columns (sql/05_facts.sql).
const (
	billPaymentColumns = "txn_id, bill_id, paid_on, amount, refunded, due_date"
	billSumColumns     = "customer_id, fee_item, area, period, due_date, net_due, collected, on_time"
)

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func prefixed(prefix string, stmts []string) []string {
	out := make([]string, len(stmts))
	for i, q := range stmts {
		out[i] = prefix + q
	}
	return out
}

// A statement of keep that starts with one or more of these runs only when
// the scope holds keys of one of their kinds: computing the rows of no key
// still costs a pass over the data.
const (
	ifTxn      = "-- if txn\n"
	ifLine     = "-- if line\n"
	ifBatch    = "-- if batch\n"
	ifBill     = "-- if bill\n"
	ifMonth    = "-- if month\n"
	ifRefund   = "-- if refund\n"
	ifReconDay = "-- if recon_day\n-- if recon_refund_day\n" // either kind of day
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
	var keys int64
	// (a refunded payment is in the scope twice, as txn and as refund)
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM facts_scope WHERE kind <> 'refund'`).Scan(&keys); err != nil {
		return fmt.Errorf("metric facts: %w", err)
	}
	if keys > WholeRebuildKeys {
		return rebuildFacts(ctx, tx)
	}
	weighed := false // whether the reconciliation's range was weighed
	var days *strings.Replacer
	for _, q := range keep {
		var kinds []any
		for {
			kind, rest, ok := strings.Cut(strings.TrimPrefix(q, "-- if "), "\n")
			if !ok || !strings.HasPrefix(q, "-- if ") {
				break
			}
			kinds, q = append(kinds, kind), rest
		}
		if !weighed && slices.Contains(kinds, any("recon_day")) {
			weighed = true
			if err := weighReconciliation(ctx, tx); err != nil {
				return err
			}
			if days, err = reconDays(ctx, tx); err != nil {
				return err
			}
		}
		if len(kinds) > 0 {
			var any bool
			in := strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")
			if err := tx.QueryRow(ctx, `SELECT count(*) > 0 FROM facts_scope WHERE kind IN (`+in+`)`, kinds...).Scan(&any); err != nil {
				return fmt.Errorf("metric facts: %w", err)
			}
			if !any {
				continue
			}
		}
		if days != nil {
			q = days.Replace(q)
		}
		if err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("metric facts: %w", err)
		}
	}
	return nil
}

// reconFrom and reconTo stand, in the statements of keep, for the first and
// last of the reconciliation days in the scope (DATE constants), which
// MaintainFacts fills in once the scope holds them.
const (
	reconFrom = "{recon_from}"
	reconTo   = "{recon_to}"
)

// reconDays replaces reconFrom and reconTo with the first and last day of
// kinds recon_day and recon_refund_day in the scope (an empty range when
// there is none: the statements that use them then do not run).
func reconDays(ctx context.Context, tx *data.Tx) (*strings.Replacer, error) {
	var from, to string
	err := tx.QueryRow(ctx, `SELECT coalesce(CAST(min(CAST(key AS DATE)) AS VARCHAR), '9999-12-31'),
		coalesce(CAST(max(CAST(key AS DATE)) AS VARCHAR), '0001-01-01')
		FROM facts_scope WHERE kind IN ('recon_day', 'recon_refund_day')`).Scan(&from, &to)
	if err != nil {
		return nil, fmt.Errorf("metric facts: %w", err)
	}
	return strings.NewReplacer(reconFrom, "DATE '"+from+"'", reconTo, "DATE '"+to+"'"), nil
}

// WholeRebuildKeys is how many keys (payments, lines, bills) a batch may
// touch before its facts are recomputed whole instead of key by key: the
// key-by-key upkeep holds the batch's keys in memory several times over,
// and at 10 M payments a batch of 2.1 M settlement lines ran out of the 1 GB
// bound (1.2 M and 2.0 M did not). A whole recomputation costs what
// installing the metrics does (about 4 minutes at 10 M payments) and stays
// within the bound; a day's files touch a few thousand keys.
var WholeRebuildKeys int64 = 500_000

// WholeReconciliationRows is how many rows of fact_reconciliation a batch
// may recompute day by day before the reconciliation facts are recomputed
// whole instead: a file whose rows name payments of the whole history
// touches most days, which (a refunds file, when it recomputed every row of
// those days from the earliest on) ran out of the 1 GB bound once at 10 M
// payments, and costs what the whole recomputation does (about 40 s there).
var WholeReconciliationRows int64 = 500_000

// weighReconciliation recomputes the reconciliation facts whole, and takes
// the days out of the scope so that the day-by-day statements skip them,
// when the days the batch touches hold more than WholeReconciliationRows
// rows.
func weighReconciliation(ctx context.Context, tx *data.Tx) error {
	var rows int64
	err := tx.QueryRow(ctx, `SELECT count(*) FROM fact_reconciliation WHERE recon_row_scoped(home_day, source)`).Scan(&rows)
	if err != nil {
		return fmt.Errorf("metric facts: %w", err)
	}
	if rows <= WholeReconciliationRows {
		return nil
	}
	var recon []Fact
	for _, f := range Facts {
		if strings.HasPrefix(f.Table, "fact_reconciliation") {
			recon = append(recon, f)
		}
	}
	if err := rebuild(ctx, tx, recon); err != nil {
		return err
	}
	return tx.Exec(ctx, `DELETE FROM facts_scope WHERE kind IN ('recon_day', 'recon_refund_day')`)
}

// rebuildFacts recomputes every fact whole from the macros that define it,
// in the batch's transaction.
func rebuildFacts(ctx context.Context, tx *data.Tx) error {
	if err := rebuild(ctx, tx, Facts); err != nil {
		return err
	}
	return tx.Exec(ctx, `DELETE FROM facts_scope`)
}

// rebuild recomputes the facts whole, in order.
func rebuild(ctx context.Context, tx *data.Tx, facts []Fact) error {
	for _, f := range facts {
		if err := tx.Exec(ctx, `DELETE FROM `+f.Table); err != nil {
			return fmt.Errorf("metric facts: %w", err)
		}
		if err := tx.Exec(ctx, `INSERT INTO `+f.Table+` SELECT * FROM `+f.Compute); err != nil {
			return fmt.Errorf("metric facts: rebuild %s: %w", f.Table, err)
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
