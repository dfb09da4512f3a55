package main

import (
	"context"
	"fmt"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// runSQLWorker is the process analytics.Worker starts: it opens a snapshot
// of the database read-only, with its own memory and temp budget and a
// ceiling on its address space, and answers queries on stdin/stdout until
// stdin ends. Not for people: it has no usage line.
func runSQLWorker(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sql-worker", "--db SNAPSHOT")
	db := fs.String("db", "", "the snapshot to query, opened read-only")
	memoryLimit := fs.String("memory-limit", "512MB", "DuckDB's buffer manager bound")
	maxTemp := fs.String("max-temp", "1GB", "most bytes DuckDB may spill to its temp folder")
	tempDir := fs.String("temp-dir", "", "where DuckDB spills (default: beside the snapshot)")
	ceiling := fs.String("max-memory", "2GiB", "address-space ceiling of the whole process (beyond it allocations fail)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	n, err := parseBytes(*ceiling)
	if err != nil {
		return usagef("--max-memory: %v", err)
	}
	if e.limitMemory != nil {
		if err := e.limitMemory(n); err != nil {
			fmt.Fprintf(e.stderr, "sql-worker: no memory ceiling: %v\n", err)
		}
	}
	store, err := data.Open(ctx, *db, data.Options{Location: loc, ReadOnly: true, MemoryLimit: *memoryLimit,
		MaxTempSize: *maxTemp, TempDirectory: *tempDir})
	if err != nil {
		return err
	}
	defer store.Close()
	return analytics.ServeWorker(ctx, store, e.stdin, e.stdout)
}
