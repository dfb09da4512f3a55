package data

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Snapshot writes the copy of the database that analysts' queries run on
// to out, a file that must not exist yet: a Backup (consistent, read back
// and checked), from which the private schemas are dropped, copied into a
// new file with COPY FROM DATABASE, so that the snapshot holds only the
// live records, views and macros: no sign-in name, password hash, token,
// upload log, saved query or alert state, not even in a freed block.
func (s *Store) Snapshot(ctx context.Context, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("snapshot: %s exists", out)
	}
	full := out + ".full"
	for _, p := range []string{full, full + ".wal", out + ".partial", out + ".partial.wal"} {
		os.Remove(p)
		defer os.Remove(p)
	}
	if _, err := s.Backup(ctx, full); err != nil {
		return err
	}
	if err := copyWithoutAccounts(ctx, full, out+".partial"); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := os.Rename(out+".partial", out); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

// privateSchemas are the server's own schemas, which analysts' queries never
// see: accounts, the upload log, the workbench's saved queries (read by the
// server, not through SQL) and the alerts' state.
var privateSchemas = []string{"accounts", "upload_log", "workbench", "alerts"}

// copyWithoutAccounts drops the private schemas from the database file src
// and copies what is left into the new file dst.
func copyWithoutAccounts(ctx context.Context, src, dst string) error {
	connector, err := duckdb.NewConnector(dst, nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1) // ATTACH is per connection
	err = func() error {
		var name string
		if err := db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
			return err
		}
		stmts := []string{"ATTACH " + quoteString(src) + " AS snapshot_source"}
		for _, schema := range privateSchemas {
			stmts = append(stmts, "DROP SCHEMA IF EXISTS snapshot_source."+quoteIdent(schema)+" CASCADE")
		}
		stmts = append(stmts,
			"COPY FROM DATABASE snapshot_source TO "+quoteIdent(name),
			"DETACH snapshot_source",
			"CHECKPOINT",
		)
		for _, stmt := range stmts {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", strings.SplitN(stmt, " ", 2)[0], err)
			}
		}
		return nil
	}()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if cerr := connector.Close(); err == nil {
		err = cerr
	}
	return err
}
