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
	store, err := openToCheck(ctx, path, loc, ingestMemoryLimit, "nothing was written; ")
	if store == nil || err != nil {
		return err
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

// openToCheck opens the database read-only for a check before a writer
// opens it. It returns nil and no error when there is nothing to check yet
// (no file, or a database not yet migrated), and an error naming the file as
// damaged when DuckDB cannot open it; done says what was (not) done.
func openToCheck(ctx context.Context, path string, loc *time.Location, memoryLimit, done string) (*data.Store, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil, nil
	}
	store, err := data.Open(ctx, path, data.Options{Location: loc, ReadOnly: true, MemoryLimit: memoryLimit})
	var schemaErr *data.SchemaError
	switch {
	case errors.As(err, &schemaErr):
		return nil, nil
	case data.IsLocked(err):
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%s is damaged: it cannot be opened (%v); %srestore it from a backup (see `feeflow backup`)", path, err, done)
	}
	return store, nil
}
