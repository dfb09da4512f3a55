// Package analytics defines feeflow's metrics as SQL views and table macros,
// installs them into the database so that the dashboard, `feeflow sql` and
// any analyst's DuckDB client read the same definitions, and gives typed Go
// access to them.
package analytics

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/feeflow/feeflow/data"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// Files lists the embedded metric definitions in the order they install.
func Files() ([]string, error) {
	entries, err := fs.ReadDir(sqlFS, "sql")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// Source is the text of one embedded definition file, as analysts read it.
func Source(name string) (string, error) {
	b, err := sqlFS.ReadFile("sql/" + name)
	return string(b), err
}

// Install brings the metric views and macros of the database up to this
// feeflow's definitions: when the definitions recorded in feeflow_metrics
// differ from the embedded ones (or none are recorded), it creates or
// replaces every view and macro and records the new digest, in one
// transaction; when they match it writes nothing, so that opening a file
// does not rewrite it. A read-only store is only verified (see Verify).
func Install(ctx context.Context, store *data.Store) error {
	if store.ReadOnly() {
		return Verify(ctx, store)
	}
	digest, err := Digest()
	if err != nil {
		return err
	}
	if installed, _ := installedDigest(ctx, store); installed == digest {
		return nil
	}
	names, err := Files()
	if err != nil {
		return err
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		return fmt.Errorf("install metrics: %w", err)
	}
	defer tx.Rollback()
	if err := tx.Exec(ctx, metricsTable); err != nil {
		return fmt.Errorf("install metrics: %w", err)
	}
	for _, name := range names {
		src, err := Source(name)
		if err != nil {
			return err
		}
		if err := tx.Exec(ctx, src); err != nil {
			return fmt.Errorf("install metrics %s: %w", name, err)
		}
	}
	if err := tx.Exec(ctx, `DELETE FROM feeflow_metrics`); err != nil {
		return fmt.Errorf("install metrics: %w", err)
	}
	if err := tx.Exec(ctx, `INSERT INTO feeflow_metrics VALUES (?, ?)`, digest, time.Now().UTC()); err != nil {
		return fmt.Errorf("install metrics: %w", err)
	}
	return tx.Commit()
}

// metricsTable records which definitions the views and macros were made
// from. It is feeflow's bookkeeping, not analysts' data.
const metricsTable = `CREATE TABLE IF NOT EXISTS feeflow_metrics (
	sha256 VARCHAR NOT NULL,
	installed_at TIMESTAMPTZ NOT NULL)`

// Digest is the SHA-256 of the embedded definitions, names and texts in
// install order.
func Digest() (string, error) {
	names, err := Files()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, name := range names {
		src, err := Source(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%s", name, len(src), src)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// installedDigest is the digest recorded by the last Install; "" when none.
func installedDigest(ctx context.Context, store *data.Store) (string, error) {
	var d string
	err := store.DB().QueryRowContext(ctx, `SELECT sha256 FROM feeflow_metrics LIMIT 1`).Scan(&d)
	return d, err
}

// Verify checks, without writing, that the database holds the metric views
// and macros of this feeflow version. A read-only command cannot install
// them: it fails with a data.SchemaError that says to open the file once
// with a command that writes.
func Verify(ctx context.Context, store *data.Store) error {
	digest, err := Digest()
	if err != nil {
		return err
	}
	installed, err := installedDigest(ctx, store)
	if err != nil || installed != digest {
		return &data.SchemaError{Path: store.Path(), Missing: "the metric views and macros of this feeflow version"}
	}
	return nil
}
