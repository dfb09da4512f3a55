package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SavedQuery is a query an analyst saved on the workbench for the others
// (workbench.saved_queries).
type SavedQuery struct {
	ID        int64
	Title     string
	SQL       string
	Author    string
	CreatedAt time.Time
}

// The bounds of a saved query: a title is a line, the SQL one query's text.
const (
	MaxSavedTitle = 200      // characters
	MaxSavedSQL   = 64 << 10 // bytes
)

// Check lists every problem of a query about to be saved. Saving does not
// run the SQL: only its size and the title are checked.
func (q SavedQuery) Check() error {
	var problems []string
	switch title := strings.TrimSpace(q.Title); {
	case title == "":
		problems = append(problems, "the title is empty")
	case utf8.RuneCountInString(title) > MaxSavedTitle:
		problems = append(problems, fmt.Sprintf("the title has %d characters, more than the limit of %d", utf8.RuneCountInString(title), MaxSavedTitle))
	case strings.ContainsAny(title, "\r\n"):
		problems = append(problems, "the title must be one line")
	}
	switch {
	case strings.TrimSpace(q.SQL) == "":
		problems = append(problems, "the SQL is empty")
	case len(q.SQL) > MaxSavedSQL:
		problems = append(problems, fmt.Sprintf("the SQL has %d bytes, more than the limit of %d", len(q.SQL), MaxSavedSQL))
	}
	if !utf8.ValidString(q.Title) || !utf8.ValidString(q.SQL) {
		problems = append(problems, "the title and the SQL must be UTF-8 text")
	}
	if q.Author == "" {
		problems = append(problems, "no author")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// SaveQuery stores q under the next number and returns it as stored (its
// title trimmed).
func (s *Store) SaveQuery(ctx context.Context, q SavedQuery) (SavedQuery, error) {
	if err := q.Check(); err != nil {
		return SavedQuery{}, fmt.Errorf("save query: %w", err)
	}
	q.Title = strings.TrimSpace(q.Title)
	q.CreatedAt = q.CreatedAt.UTC()
	tx, err := s.Begin(ctx)
	if err != nil {
		return SavedQuery{}, err
	}
	defer tx.Rollback()
	// The store has one writer at a time: the next number cannot be taken
	// twice (a sequence would advance even in a rolled-back transaction).
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) + 1 FROM workbench.saved_queries`).Scan(&q.ID); err != nil {
		return SavedQuery{}, fmt.Errorf("save query: %w", err)
	}
	if err := tx.Exec(ctx, `INSERT INTO workbench.saved_queries VALUES (?, ?, ?, ?, ?)`, q.ID, q.Title, q.SQL, q.Author, q.CreatedAt); err != nil {
		return SavedQuery{}, fmt.Errorf("save query: %w", err)
	}
	return q, tx.Commit()
}

// SavedQueries lists the saved queries, newest first.
func (s *Store) SavedQueries(ctx context.Context) ([]SavedQuery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, sql, author, created_at FROM workbench.saved_queries ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list saved queries: %w", err)
	}
	defer rows.Close()
	out := []SavedQuery{}
	for rows.Next() {
		var q SavedQuery
		if err := rows.Scan(&q.ID, &q.Title, &q.SQL, &q.Author, &q.CreatedAt); err != nil {
			return nil, fmt.Errorf("list saved queries: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// SavedQueryByID finds a saved query by its number.
func (s *Store) SavedQueryByID(ctx context.Context, id int64) (SavedQuery, bool, error) {
	var q SavedQuery
	err := s.db.QueryRowContext(ctx, `SELECT id, title, sql, author, created_at FROM workbench.saved_queries WHERE id = ?`, id).
		Scan(&q.ID, &q.Title, &q.SQL, &q.Author, &q.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return SavedQuery{}, false, nil
	}
	if err != nil {
		return SavedQuery{}, false, fmt.Errorf("find saved query: %w", err)
	}
	return q, true, nil
}

// DeleteSavedQuery deletes saved query id when author saved it, or
// whoever saved it when author is ""; false when no such query was
// deleted.
func (s *Store) DeleteSavedQuery(ctx context.Context, id int64, author string) (bool, error) {
	tx, err := s.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.conn.ExecContext(ctx, `DELETE FROM workbench.saved_queries WHERE id = ? AND (? = '' OR author = ?)`, id, author, author)
	if err != nil {
		return false, fmt.Errorf("delete saved query: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n > 0, tx.Commit()
}
