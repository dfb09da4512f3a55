package main

import (
	"context"
	"fmt"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check", "--db PATH [--facts]")
	db := fs.String("db", "", "database file")
	facts := fs.Bool("facts", false, "also recompute every metric fact from the base tables and compare")
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
	summary := fmt.Sprintf("read %d tables to the end (%d rows), bound %d views, tested %d invariants", r.Tables, r.Rows, r.Views, r.Invariants)
	if *facts && r.OK() {
		n, problems, err := checkFacts(ctx, e, store)
		if err != nil {
			return err
		}
		for _, p := range problems {
			r.Problems = append(r.Problems, data.Problem{Check: "facts", Message: p})
		}
		summary += fmt.Sprintf(", recomputed %d metric facts", n)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "%s: %s\n", p.Check, p.Message)
	}
	if !r.OK() {
		fmt.Fprintf(e.stdout, "%s: DAMAGED: %d problems; %s\n", *db, len(r.Problems), summary)
		return errSilent
	}
	fmt.Fprintf(e.stdout, "%s: ok: %s\n", *db, summary)
	return nil
}

// checkFacts recomputes every metric fact and compares it with the stored
// one, printing one line per fact; it returns the facts checked and a
// problem per fact that differs.
func checkFacts(ctx context.Context, e *env, store *data.Store) (int, []string, error) {
	if err := analytics.Verify(ctx, store); err != nil {
		return 0, []string{"the metric facts were kept by another feeflow version: open the file once with a command that writes (feeflow build) to rebuild them"}, nil
	}
	diffs, err := analytics.CheckFacts(ctx, store.DB())
	if err != nil {
		return 0, nil, err
	}
	var problems []string
	for _, d := range diffs {
		if d.Extra == 0 && d.Missing == 0 {
			fmt.Fprintf(e.stdout, "facts: %s: %d rows, equal to the recomputation\n", d.Table, d.Rows)
			continue
		}
		problems = append(problems, fmt.Sprintf("%s differs from its recomputation from the base tables: %d rows not in it, %d of its rows missing", d.Table, d.Extra, d.Missing))
	}
	return len(diffs), problems, nil
}
