package main

import (
	"context"
	"fmt"

	"github.com/feeflow/feeflow/data"
)

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "--db PATH --out FILE")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "the backup file to write (must not exist); restore by copying it back in place of the database")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" || *out == "" {
		return usagef("--db and --out are required")
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	store, err := openReadOnly(ctx, *db, loc, false, false)
	if data.IsLocked(err) {
		return fmt.Errorf("%s is held by a running `feeflow serve` (%s); stop it to back the file up, "+
			"or let the server take the backup (it holds the writer lock and checkpoints first)", *db, lockHolder(err))
	}
	if err != nil {
		return err
	}
	defer store.Close()
	info, err := store.Backup(ctx, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s (%s); the copy was read back: %d tables to the end (%d rows), %d invariants tested\n",
		*db, info.Path, byteCount(info.Bytes), info.Check.Tables, info.Check.Rows, info.Check.Invariants)
	for _, p := range info.Check.Problems {
		fmt.Fprintf(e.stderr, "warning: the data (and so its copy) breaks an invariant: %s: %s\n", p.Check, p.Message)
	}
	fmt.Fprintf(e.stdout, "restore: stop whatever uses %s, then copy %s over it\n", *db, info.Path)
	return nil
}
