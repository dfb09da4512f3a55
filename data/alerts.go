package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AlertState is what the store remembers of one alert (alerts.state).
// Value and Threshold are exact decimal text.
type AlertState struct {
	Key, Rule, Kind, Subject, Note string
	Value, Threshold               string
	Fingerprint                    string
	Since                          time.Time // zero: unknown
	FirstSeen                      time.Time
	ResolvedAt                     time.Time // zero while the alert holds
	SentFingerprint                string    // "" when never delivered
	SentAt                         time.Time // zero when never delivered
}

// Open reports whether the alert's condition still held at the last evaluation.
func (a AlertState) Open() bool { return a.ResolvedAt.IsZero() }

// AlertEvaluation is when the alert rules were last evaluated, and the last
// day of the data then (zero when there was none).
type AlertEvaluation struct {
	EvaluatedAt, AsOf time.Time
}

// AlertStates lists the remembered alerts by key, with the last evaluation
// (zero when the rules were never evaluated).
func (s *Store) AlertStates(ctx context.Context) ([]AlertState, AlertEvaluation, error) {
	var ev AlertEvaluation
	var at, asOf sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT evaluated_at, as_of FROM alerts.evaluation LIMIT 1`).Scan(&at, &asOf)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, ev, fmt.Errorf("read alerts: %w", err)
	}
	ev.EvaluatedAt, ev.AsOf = at.Time, asOf.Time
	rows, err := s.db.QueryContext(ctx, `SELECT key, rule, kind, subject, note, value, threshold, fingerprint,
		since, first_seen, resolved_at, sent_fingerprint, sent_at FROM alerts.state ORDER BY key`)
	if err != nil {
		return nil, ev, fmt.Errorf("read alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertState
	for rows.Next() {
		var a AlertState
		var since, resolved, sentAt sql.NullTime
		var sent sql.NullString
		if err := rows.Scan(&a.Key, &a.Rule, &a.Kind, &a.Subject, &a.Note, &a.Value, &a.Threshold, &a.Fingerprint,
			&since, &a.FirstSeen, &resolved, &sent, &sentAt); err != nil {
			return nil, ev, fmt.Errorf("read alerts: %w", err)
		}
		a.Since, a.ResolvedAt, a.SentFingerprint, a.SentAt = since.Time, resolved.Time, sent.String, sentAt.Time
		out = append(out, a)
	}
	return out, ev, rows.Err()
}

// SaveAlerts replaces the remembered alerts with states and records the
// evaluation, in one transaction. Alerts are few (one per rule and
// subject), so they are written row by row.
func (s *Store) SaveAlerts(ctx context.Context, states []AlertState, ev AlertEvaluation) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM alerts.state`, `DELETE FROM alerts.evaluation`} {
		if err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("save alerts: %w", err)
		}
	}
	if err := tx.Exec(ctx, `INSERT INTO alerts.evaluation VALUES (?, ?)`, ev.EvaluatedAt.UTC(), nullDate(ev.AsOf)); err != nil {
		return fmt.Errorf("save alerts: %w", err)
	}
	for _, a := range states {
		var sent any
		if a.SentFingerprint != "" {
			sent = a.SentFingerprint
		}
		if err := tx.Exec(ctx, `INSERT INTO alerts.state VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Key, a.Rule, a.Kind, a.Subject, a.Note, a.Value, a.Threshold, a.Fingerprint,
			nullDate(a.Since), a.FirstSeen.UTC(), nullTime(a.ResolvedAt), sent, nullTime(a.SentAt)); err != nil {
			return fmt.Errorf("save alert %s: %w", a.Key, err)
		}
	}
	return tx.Commit()
}

// nullDate is a day as a DATE parameter (YYYY-MM-DD text, so that no zone
// can move it), NULL for the zero time.
func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
