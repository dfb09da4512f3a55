package data

import (
	"context"
	"fmt"
	"strings"
)

// Check reads the whole database and tests its invariants, writing nothing.
//
// DuckDB verifies a block's checksum only when it reads the block, so a
// damaged block can sit unnoticed under a file that keeps accepting commits
// (STACK.md, "Found by attacking"). Check therefore reads every column of
// every table to the end (hashing each value, so that no column is skipped),
// binds every view, and then tests what feeflow promises of its records:
// keys present and unique, references that exist, each batch holding the
// rows it says it accepted, money columns of DECIMAL(18,2).
//
// Problems found are in the Report; the error is for a check that could not
// run at all (a cancelled context).
func (s *Store) Check(ctx context.Context) (*Report, error) {
	r := &Report{}
	tables, err := s.checkTables(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.add("catalog", "the list of tables cannot be read: %v", err)
		return r, nil
	}
	for _, t := range tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Every aggregate is scanned: one left unread would let DuckDB drop
		// its column from the scan.
		vals := make([]any, len(t.columns)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := s.db.QueryRowContext(ctx, readAllSQL(t)).Scan(ptrs...); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.add("blocks", "table %s cannot be read to the end: %v", t.name, oneLine(err))
			continue
		}
		if n, ok := vals[0].(int64); ok {
			r.Rows += n
		}
		r.Tables++
	}
	views, err := s.names(ctx, `SELECT view_name FROM duckdb_views()
		WHERE NOT internal AND database_name = current_database() AND schema_name = 'main' ORDER BY view_name`)
	if err != nil {
		r.add("catalog", "the list of views cannot be read: %v", oneLine(err))
	}
	for _, v := range views {
		if _, err := s.db.ExecContext(ctx, `SELECT * FROM `+quoteIdent(v)+` LIMIT 0`); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.add("views", "view %s does not bind: %v", v, oneLine(err))
		}
		r.Views++
	}
	recordTables, err := s.recordTables(ctx)
	if err != nil {
		r.add("catalog", "the record tables cannot be listed: %v", oneLine(err))
	}
	for _, inv := range append(invariants, batchInvariant(recordTables)) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.Invariants++
		found, err := s.names(ctx, inv.sql)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.add(inv.name, "%s cannot be checked: %v", inv.table, oneLine(err))
			continue
		}
		for _, f := range found {
			r.add(inv.name, inv.message, f)
		}
	}
	return r, nil
}

// Report is what Check found.
type Report struct {
	Tables     int   // tables read to the end
	Rows       int64 // rows read
	Views      int   // views bound
	Invariants int   // invariants tested
	Problems   []Problem
}

// Problem is one thing wrong: which check found it, and what it is.
type Problem struct {
	Check   string `json:"check"`
	Message string `json:"message"`
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(check, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Check: check, Message: fmt.Sprintf(format, args...)})
}

type checkedTable struct {
	name    string
	columns []string
}

// checkTables lists every table of the database with its columns, feeflow's
// bookkeeping included.
func (s *Store) checkTables(ctx context.Context) ([]checkedTable, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT table_name, column_name FROM duckdb_columns()
		WHERE NOT internal AND database_name = current_database() AND schema_name = 'main'
		  AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main')
		ORDER BY table_name, column_index`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkedTable
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].name != t {
			out = append(out, checkedTable{name: t})
		}
		out[len(out)-1].columns = append(out[len(out)-1].columns, c)
	}
	return out, rows.Err()
}

// readAllSQL reads every value of every column of a table (the hash of each
// value, folded) and counts the rows.
// Names come from DuckDB's catalog and are quoted.
func readAllSQL(t checkedTable) string {
	parts := []string{"count(*)"}
	for _, c := range t.columns {
		parts = append(parts, "bit_xor(hash("+quoteIdent(c)+"))")
	}
	return "SELECT " + strings.Join(parts, ", ") + " FROM " + quoteIdent(t.name)
}

func (s *Store) names(ctx context.Context, query string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func oneLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// invariant is a query returning one line per violation (at most a few).
type invariant struct {
	name, table, sql, message string
}

// keyInvariant finds keys that are missing or appear more than once.
func keyInvariant(table string, key ...string) invariant {
	var text, missing []string
	for _, k := range key {
		text = append(text, "coalesce(CAST("+k+" AS VARCHAR), 'NULL')")
		missing = append(missing, k+" IS NULL")
	}
	return invariant{
		name:  "keys",
		table: table,
		sql: `SELECT k || ' (' || n || ' rows)' FROM (
			SELECT concat_ws('/', ` + strings.Join(text, ", ") + `) AS k, count(*) AS n,
			       bool_or(` + strings.Join(missing, " OR ") + `) AS missing
			FROM ` + table + ` GROUP BY ` + strings.Join(key, ", ") + `)
			WHERE n > 1 OR missing ORDER BY 1 LIMIT 5`,
		message: table + " key (" + strings.Join(key, ", ") + ") missing or repeated: %s",
	}
}

// referenceInvariant finds rows whose reference names nothing.
func referenceInvariant(table, key, column, target, targetKey string) invariant {
	return invariant{
		name:  "references",
		table: table,
		sql: `SELECT ` + key + ` || ' -> ' || t.` + column + ` FROM ` + table + ` t
			WHERE t.` + column + ` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ` + target + ` r WHERE r.` + targetKey + ` = t.` + column + `)
			ORDER BY 1 LIMIT 5`,
		message: table + "." + column + " names no " + target + "." + targetKey + ": %s",
	}
}

// batchInvariant: each batch holds exactly the rows it says it accepted, in
// its kind's table, and every row belongs to a recorded batch.
func batchInvariant(recordTables []string) invariant {
	var counted []string
	for _, t := range recordTables {
		counted = append(counted, `SELECT `+quoteString(t)+` AS kind, batch_id, count(*) AS n FROM `+quoteIdent(t)+` GROUP BY batch_id`)
	}
	if len(counted) == 0 {
		counted = []string{`SELECT '' AS kind, '' AS batch_id, 0 AS n WHERE false`}
	}
	return invariant{
		name:  "batches",
		table: "ingest_batches",
		sql: `WITH counted AS (` + strings.Join(counted, " UNION ALL ") + `)
			SELECT coalesce(b.batch_id, c.batch_id) || ' (' || coalesce(b.kind, c.kind) || '): ' ||
			       CASE WHEN b.batch_id IS NULL THEN c.n || ' rows but no batch record'
			            ELSE 'records ' || b.rows_accepted || ' accepted rows, holds ' || coalesce(c.n, 0) END
			FROM ingest_batches b FULL JOIN counted c ON c.batch_id = b.batch_id AND c.kind = b.kind
			WHERE b.batch_id IS NULL OR b.rows_accepted <> coalesce(c.n, 0)
			ORDER BY 1 LIMIT 5`,
		message: "batch %s",
	}
}

// moneyColumns are the amounts of money: DECIMAL(18,2), never another scale.
var moneyColumns = []string{"fee_items.rate", "bills.amount_due", "bills.discount", "payments.amount", "settlements.amount", "settlements.fee", "refunds.amount"}

var invariants = func() []invariant {
	inv := []invariant{
		keyInvariant("ingest_batches", "batch_id"),
		keyInvariant("fee_items", "code", "effective_from"),
		keyInvariant("customers", "customer_id"),
		keyInvariant("bills", "bill_id"),
		keyInvariant("payments", "txn_id"),
		keyInvariant("settlements", "settlement_id"),
		keyInvariant("refunds", "refund_id"),
		keyInvariant("invoices", "invoice_no"),
		keyInvariant("exceptions", "exception_id"),
		keyInvariant("actions", "action_id"),
		keyInvariant("feedback", "feedback_id"),
		keyInvariant("resolutions", "ref"),
		referenceInvariant("bills", "bill_id", "customer_id", "customers", "customer_id"),
		referenceInvariant("bills", "bill_id", "fee_item", "fee_items", "code"),
		referenceInvariant("payments", "txn_id", "bill_id", "bills", "bill_id"),
		referenceInvariant("payments", "txn_id", "fee_item", "fee_items", "code"),
		referenceInvariant("refunds", "refund_id", "txn_id", "payments", "txn_id"),
		referenceInvariant("invoices", "invoice_no", "txn_id", "payments", "txn_id"),
	}
	var money []string
	for _, m := range moneyColumns {
		t, c, _ := strings.Cut(m, ".")
		money = append(money, `('`+t+`', '`+c+`')`)
	}
	inv = append(inv, invariant{
		name:  "money",
		table: "the money columns",
		sql: `SELECT m.t || '.' || m.c || ' is ' || coalesce(col.data_type, 'missing')
			FROM (VALUES ` + strings.Join(money, ", ") + `) AS m(t, c)
			LEFT JOIN duckdb_columns() col ON col.database_name = current_database() AND col.schema_name = 'main'
			     AND col.table_name = m.t AND col.column_name = m.c
			WHERE col.data_type IS DISTINCT FROM 'DECIMAL(18,2)' ORDER BY 1`,
		message: "money column %s, not DECIMAL(18,2)",
	})
	return inv
}()

// CheckTables reads every block of the named tables of the main schema (as
// Check does, without the views and invariants): the quick check of a
// command about to write into them. Names that are no table are skipped.
func (s *Store) CheckTables(ctx context.Context, names ...string) (*Report, error) {
	r := &Report{}
	tables, err := s.checkTables(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.add("catalog", "the list of tables cannot be read: %v", err)
		return r, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, t := range tables {
		if !want[t.name] {
			continue
		}
		vals := make([]any, len(t.columns)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := s.db.QueryRowContext(ctx, readAllSQL(t)).Scan(ptrs...); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.add("blocks", "table %s cannot be read to the end: %v", t.name, oneLine(err))
			continue
		}
		if n, ok := vals[0].(int64); ok {
			r.Rows += n
		}
		r.Tables++
	}
	return r, nil
}
