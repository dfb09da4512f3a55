// Package analytics defines feeflow's metrics as SQL views and table macros,
// installs them into the database so that the dashboard, `feeflow sql` and
// any analyst's DuckDB client read the same definitions, and gives typed Go
// access to them.
package analytics

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

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

// Install creates or replaces every view and macro in one transaction.
func Install(ctx context.Context, store *data.Store) error {
	names, err := Files()
	if err != nil {
		return err
	}
	tx, err := store.Begin(ctx)
	if err != nil {
		return fmt.Errorf("install metrics: %w", err)
	}
	defer tx.Rollback()
	for _, name := range names {
		src, err := Source(name)
		if err != nil {
			return err
		}
		if err := tx.Exec(ctx, src); err != nil {
			return fmt.Errorf("install metrics %s: %w", name, err)
		}
	}
	return tx.Commit()
}
