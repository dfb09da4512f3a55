package main

import (
	"context"
	"fmt"

	"github.com/feeflow/feeflow/data"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check", "--db PATH")
	db := fs.String("db", "", "database file")
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
	store, err := openReadOnly(ctx, *db, loc, false, false)
	if data.IsLocked(err) {
		return fmt.Errorf("%s is held by a running `feeflow serve` (%s); the server checks the database when it starts, "+
			"or stop it and run the check again", *db, lockHolder(err))
	}
	if err != nil {
		// A file DuckDB cannot even open is the worst damage of all.
		fmt.Fprintf(e.stdout, "%s: DAMAGED: it cannot be opened: %v\n", *db, err)
		return errSilent
	}
	defer store.Close()
	r, err := store.Check(ctx)
	if err != nil {
		return err
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "%s: %s\n", p.Check, p.Message)
	}
	summary := fmt.Sprintf("read %d tables to the end (%d rows), bound %d views, tested %d invariants", r.Tables, r.Rows, r.Views, r.Invariants)
	if !r.OK() {
		fmt.Fprintf(e.stdout, "%s: DAMAGED: %d problems; %s\n", *db, len(r.Problems), summary)
		return errSilent
	}
	fmt.Fprintf(e.stdout, "%s: ok: %s\n", *db, summary)
	return nil
}
