package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

// Tx is a write transaction on one pinned connection. Appenders taken from
// it follow its BEGIN, so their rows commit or roll back with it (STACK.md).
// Only one Tx is open at a time per Store.
type Tx struct {
	s    *Store
	conn *sql.Conn
	done bool
}

// Begin starts the store's write transaction, waiting for the one before it.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	s.writeMu.Lock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		s.writeMu.Unlock()
		return nil, fmt.Errorf("begin: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		s.writeMu.Unlock()
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{s: s, conn: conn}, nil
}

// Exec runs a statement (or several, for trusted schema SQL) in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := t.conn.ExecContext(ctx, query, args...)
	return err
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRow runs a query returning at most one row in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}

// Commit commits the transaction and releases the writer.
func (t *Tx) Commit() error {
	if t.done {
		return errors.New("commit: transaction already finished")
	}
	// The commit must not be cut short by a cancelled request: once the rows
	// are in, finishing is what keeps the batch whole.
	_, err := t.conn.ExecContext(context.Background(), "COMMIT")
	t.finish()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Rollback discards the transaction; it is safe to call after Commit.
func (t *Tx) Rollback() error {
	if t.done {
		return nil
	}
	_, err := t.conn.ExecContext(context.Background(), "ROLLBACK")
	t.finish()
	return err
}

func (t *Tx) finish() {
	t.done = true
	t.conn.Close()
	t.s.writeMu.Unlock()
}

// Appender appends rows to a table through DuckDB's Appender, converting
// decimal.Decimal values to DECIMAL(18,2) and time.Time values as they are.
type Appender struct {
	a   *duckdb.Appender
	row []driver.Value
}

// Appender opens an appender on table (use "temp.<name>" for a temporary
// table) inside the transaction.
func (t *Tx) Appender(ctx context.Context, table string) (*Appender, error) {
	catalog, name := "", table
	if len(table) > 5 && table[:5] == "temp." {
		catalog, name = "temp", table[5:]
	}
	var app *duckdb.Appender
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		var err error
		app, err = duckdb.NewAppender(c, catalog, "main", name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("appender %s: %w", table, err)
	}
	return &Appender{a: app}, nil
}

// Append adds one row. Values may be string, int, int64, bool, time.Time,
// decimal.Decimal (written as DECIMAL(18,2)), Scaled, or nil for NULL.
func (a *Appender) Append(values ...any) error {
	a.row = a.row[:0]
	for _, v := range values {
		switch x := v.(type) {
		case decimal.Decimal:
			v, err := appendDecimal(x, MoneyScale)
			if err != nil {
				return err
			}
			a.row = append(a.row, v)
		case Scaled:
			v, err := appendDecimal(x.Value, x.Scale)
			if err != nil {
				return err
			}
			a.row = append(a.row, v)
		case int:
			a.row = append(a.row, int64(x))
		case time.Time:
			a.row = append(a.row, x.UTC())
		default:
			a.row = append(a.row, v)
		}
	}
	return a.a.AppendRow(a.row...)
}

// Scaled is a decimal written to a DECIMAL(18,Scale) column other than money.
type Scaled struct {
	Value decimal.Decimal
	Scale int32
}

// Close flushes the appended rows into the transaction; constraint
// violations surface here.
func (a *Appender) Close() error {
	return a.a.Close()
}

// appendDecimal gives the value the Appender writes into a DECIMAL(18,scale)
// column. The Appender writes the unscaled integer as it is (STACK.md), so an
// int64 of hundredths is exactly right for DECIMAL(18,2) and costs no
// allocation; values that do not fit an int64 go through duckdb.Decimal.
func appendDecimal(d decimal.Decimal, scale int32) (driver.Value, error) {
	if u, ok := unscaled(d, scale); ok {
		return u, nil
	}
	return toDuckScale(d, scale)
}

// unscaled is d x 10^scale as an int64 when that is a whole number below
// 10^18 in magnitude.
func unscaled(d decimal.Decimal, scale int32) (int64, bool) {
	if d.NumDigits() > 18 {
		return 0, false
	}
	c := d.CoefficientInt64()
	const limit = 1_000_000_000_000_000_000 // 10^18: DECIMAL(18,s) holds 18 digits
	for e := d.Exponent() + scale; e != 0; {
		switch {
		case e > 0:
			if c >= limit/10 || c <= -limit/10 {
				return 0, false
			}
			c *= 10
			e--
		default:
			if c%10 != 0 {
				return 0, false
			}
			c /= 10
			e++
		}
	}
	if c >= limit || c <= -limit {
		return 0, false
	}
	return c, true
}
