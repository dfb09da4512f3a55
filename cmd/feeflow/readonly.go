package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// openReadOnly opens the database for a command that only reads (sql,
// schema, build, export, check, backup): DuckDB's read-only mode, no
// migration, no installing of views, so the file's bytes stay exactly as
// they were. The metric views must already be those of this feeflow
// version (a writer, `feeflow serve` or `feeflow ingest`, installs them);
// otherwise the command says so instead of changing the file. external
// gives the instance file access (export and backup write files through
// DuckDB); metrics says the command reads the metric views.
func openReadOnly(ctx context.Context, path string, loc *time.Location, external, metrics bool) (*data.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: %w", path, err)
	}
	limit := queryMemoryLimit
	if env := os.Getenv("FEEFLOW_MEMORY_LIMIT"); env != "" {
		limit = env
	}
	store, err := data.Open(ctx, path, data.Options{Location: loc, MemoryLimit: limit, ReadOnly: true, ExternalAccess: external})
	if err != nil {
		return nil, err
	}
	if metrics {
		if err := analytics.Verify(ctx, store); err != nil {
			store.Close()
			return nil, err
		}
	}
	return store, nil
}
