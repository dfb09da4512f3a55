package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// MaxAttemptErrors bounds the problems kept with one upload attempt; the
// attempt still counts them all (errors_total).
const MaxAttemptErrors = 100_000

// Attempt is one upload attempt of the upload log (upload_log.attempts):
// committed or not, through the page or the API.
type Attempt struct {
	ID            int64
	At            time.Time
	By            string
	Via           string // "page" or "api"
	FileName      string
	Kind          string // "" when none could be told
	DryRun        bool
	Outcome       string // ingested, dry_run, rejected, duplicate, refused, failed
	BatchID       string
	DuplicateOf   string
	RowsTotal     int
	RowsAccepted  int
	RowsRejected  int
	RowsDuplicate int
	ErrorsTotal   int // problems found, kept or not
	ErrorsKept    int // problems kept in the log
	Problem       string
}

// AttemptError is one problem of an attempt's rows.
type AttemptError struct {
	Row     int
	Column  string
	Value   string
	Message string
}

// RecordAttempt writes an attempt and (at most MaxAttemptErrors of) its
// problems in one transaction of its own, and returns the attempt's ID.
func (s *Store) RecordAttempt(ctx context.Context, a Attempt, errs []AttemptError) (int64, error) {
	if len(errs) > MaxAttemptErrors {
		errs = errs[:MaxAttemptErrors]
	}
	a.ErrorsKept = len(errs)
	if a.ErrorsTotal < a.ErrorsKept {
		a.ErrorsTotal = a.ErrorsKept
	}
	tx, err := s.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO upload_log.attempts VALUES
		(nextval('upload_log.attempt_ids'), ?, ?, ?, ?, ?, ?, ?, nullif(?, ''), nullif(?, ''), ?, ?, ?, ?, ?, ?, ?)
		RETURNING attempt_id`,
		a.At.UTC(), a.By, a.Via, a.FileName, a.Kind, a.DryRun, a.Outcome, a.BatchID, a.DuplicateOf,
		a.RowsTotal, a.RowsAccepted, a.RowsRejected, a.RowsDuplicate, a.ErrorsTotal, a.ErrorsKept, a.Problem).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record upload attempt: %w", err)
	}
	if len(errs) > 0 {
		if err := tx.appendAttemptErrors(id, errs); err != nil {
			return 0, fmt.Errorf("record upload attempt errors: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return id, nil
}

// appendAttemptErrors appends the problems through DuckDB's Appender (row
// by row inserts would take half a minute for 100,000 of them).
func (t *Tx) appendAttemptErrors(id int64, errs []AttemptError) error {
	var app *duckdb.Appender
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		var err error
		app, err = duckdb.NewAppender(c, "", "upload_log", "errors")
		return err
	})
	if err != nil {
		return err
	}
	for i, e := range errs {
		if err := app.AppendRow(id, int32(i+1), int32(e.Row), e.Column, e.Value, e.Message); err != nil {
			app.Close()
			return err
		}
	}
	return app.Close()
}

const attemptColumns = `attempt_id, attempted_at, uploaded_by, via, file_name, kind, dry_run, outcome,
	coalesce(batch_id, ''), coalesce(duplicate_of, ''), rows_total, rows_accepted, rows_rejected, rows_duplicate,
	errors_total, errors_kept, problem`

func scanAttempt(sc interface{ Scan(...any) error }) (Attempt, error) {
	var a Attempt
	err := sc.Scan(&a.ID, &a.At, &a.By, &a.Via, &a.FileName, &a.Kind, &a.DryRun, &a.Outcome, &a.BatchID, &a.DuplicateOf,
		&a.RowsTotal, &a.RowsAccepted, &a.RowsRejected, &a.RowsDuplicate, &a.ErrorsTotal, &a.ErrorsKept, &a.Problem)
	return a, err
}

// Attempts lists up to limit attempts, newest first, skipping the first
// offset; total counts them all.
func (s *Store) Attempts(ctx context.Context, offset, limit int) (list []Attempt, total int, err error) {
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM upload_log.attempts`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list upload attempts: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+attemptColumns+` FROM upload_log.attempts
		ORDER BY attempt_id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list upload attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list upload attempts: %w", err)
		}
		list = append(list, a)
	}
	return list, total, rows.Err()
}

// Attempt finds one attempt by ID.
func (s *Store) Attempt(ctx context.Context, id int64) (Attempt, bool, error) {
	a, err := scanAttempt(s.db.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM upload_log.attempts WHERE attempt_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Attempt{}, false, nil
	}
	if err != nil {
		return Attempt{}, false, fmt.Errorf("find upload attempt: %w", err)
	}
	return a, true, nil
}

// AttemptErrors calls fn with each kept problem of an attempt, in row order.
func (s *Store) AttemptErrors(ctx context.Context, id int64, fn func(AttemptError) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT source_row, "column", value, message FROM upload_log.errors
		WHERE attempt_id = ? ORDER BY seq`, id)
	if err != nil {
		return fmt.Errorf("read upload attempt errors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AttemptError
		if err := rows.Scan(&e.Row, &e.Column, &e.Value, &e.Message); err != nil {
			return fmt.Errorf("read upload attempt errors: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CommittedBatches counts the committed batches. Batches are never deleted
// and commit one at a time, so the count only grows: a build that read N
// includes the first N batches.
func (s *Store) CommittedBatches(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM ingest_batches`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count batches: %w", err)
	}
	return n, nil
}
