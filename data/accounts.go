package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Account is a user who signs in, or a token a script presents. Secret is
// the password's bcrypt hash for a user, the token's SHA-256 (hex) for a
// token; Roles are '+'-joined role names.
type Account struct {
	Name      string
	Secret    string
	Roles     string
	CreatedAt time.Time
}

// ErrAccountExists says a user of that name is already there.
var ErrAccountExists = errors.New("already exists")

// AddUser records a new user; a user of the same name is ErrAccountExists.
func (s *Store) AddUser(ctx context.Context, u Account) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM accounts.users WHERE name = ?`, u.Name).Scan(&n); err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("user %s %w", u.Name, ErrAccountExists)
	}
	if err := tx.Exec(ctx, `INSERT INTO accounts.users VALUES (?, ?, ?, ?)`, u.Name, u.Secret, u.Roles, u.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	return tx.Commit()
}

// RemoveUser deletes a user; false when there was none of that name.
func (s *Store) RemoveUser(ctx context.Context, name string) (bool, error) {
	return s.remove(ctx, `DELETE FROM accounts.users WHERE name = ?`, name)
}

// RemoveToken deletes a token by name; false when there was none.
func (s *Store) RemoveToken(ctx context.Context, name string) (bool, error) {
	return s.remove(ctx, `DELETE FROM accounts.tokens WHERE name = ?`, name)
}

func (s *Store) remove(ctx context.Context, query, name string) (bool, error) {
	tx, err := s.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.conn.ExecContext(ctx, query, name)
	if err != nil {
		return false, fmt.Errorf("remove %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n > 0, tx.Commit()
}

// SetToken records a token, replacing the one of the same name.
func (s *Store) SetToken(ctx context.Context, t Account) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.Exec(ctx, `DELETE FROM accounts.tokens WHERE name = ?`, t.Name); err != nil {
		return fmt.Errorf("set token: %w", err)
	}
	if err := tx.Exec(ctx, `INSERT INTO accounts.tokens VALUES (?, ?, ?, ?)`, t.Name, t.Secret, t.Roles, t.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("set token: %w", err)
	}
	return tx.Commit()
}

// Users lists the users by name.
func (s *Store) Users(ctx context.Context) ([]Account, error) {
	return s.accounts(ctx, `SELECT name, password_hash, roles, created_at FROM accounts.users ORDER BY name`)
}

// Tokens lists the stored tokens by name.
func (s *Store) Tokens(ctx context.Context) ([]Account, error) {
	return s.accounts(ctx, `SELECT name, token_sha256, roles, created_at FROM accounts.tokens ORDER BY name`)
}

func (s *Store) accounts(ctx context.Context, query string) ([]Account, error) {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.Name, &a.Secret, &a.Roles, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// User finds a user by name.
func (s *Store) User(ctx context.Context, name string) (Account, bool, error) {
	return s.account(ctx, `SELECT name, password_hash, roles, created_at FROM accounts.users WHERE name = ?`, name)
}

// TokenBySHA256 finds the stored token whose SHA-256 (hex) is sum.
func (s *Store) TokenBySHA256(ctx context.Context, sum string) (Account, bool, error) {
	return s.account(ctx, `SELECT name, token_sha256, roles, created_at FROM accounts.tokens WHERE token_sha256 = ?`, sum)
}

func (s *Store) account(ctx context.Context, query, arg string) (Account, bool, error) {
	var a Account
	err := s.db.QueryRowContext(ctx, query, arg).Scan(&a.Name, &a.Secret, &a.Roles, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, fmt.Errorf("find account: %w", err)
	}
	return a, true, nil
}
