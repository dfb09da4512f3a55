package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
)

// checkBeforeIngest is the quick check `feeflow ingest` runs before it
// opens the database for writing: it reads, read-only, every block of the
// tables a batch of kind writes into (the kind's table, ingest_batches and
// ingest_idempotency), and refuses to write into a file where one cannot
// be read. DuckDB verifies a block's checksum only when it reads it, so
// without this a damaged file keeps accepting commits. It costs one scan
// of those tables (the duplicate check reads their keys anyway); the full
// `feeflow check`, every table and invariant, is for `serve` at start and
// for people. A new or not yet migrated database has nothing to check.
func checkBeforeIngest(ctx context.Context, path string, loc *time.Location, kind string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil
	}
	store, err := data.Open(ctx, path, data.Options{Location: loc, ReadOnly: true, MemoryLimit: ingestMemoryLimit})
	var schemaErr *data.SchemaError
	switch {
	case errors.As(err, &schemaErr):
		return nil
	case data.IsLocked(err):
		return err
	case err != nil:
		return fmt.Errorf("%s is damaged: it cannot be opened (%v); nothing was written; restore it from a backup", path, err)
	}
	defer store.Close()
	r, err := store.CheckTables(ctx, kind, "ingest_batches", "ingest_idempotency")
	if err != nil {
		return err
	}
	if !r.OK() {
		var msgs []string
		for _, p := range r.Problems {
			msgs = append(msgs, p.Check+": "+p.Message)
		}
		return fmt.Errorf("%s is damaged, so nothing was written: %s; run `feeflow check --db %s` and restore it from a backup",
			path, strings.Join(msgs, "; "), path)
	}
	return nil
}
