package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/feeflow/feeflow/data"
)

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "--db PATH --out DIR")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "folder to write the Parquet files into (new, empty, or an earlier export)")
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
	// An instance with file access: DuckDB itself writes the Parquet files.
	// No analyst's SQL runs in it; the database is opened read-only.
	store, err := openReadOnly(ctx, *db, loc, true, false)
	if data.IsLocked(err) {
		return fmt.Errorf("%s is held by a running `feeflow serve` (%s); stop it to export, or copy the file and export the copy "+
			"(small results also come through it: feeflow sql --server URL --out FILE.parquet \"SELECT ...\")", *db, lockHolder(err))
	}
	if err != nil {
		return err
	}
	defer store.Close()
	tables, err := store.ExportParquet(ctx, *out)
	if err != nil {
		return err
	}
	readme := exportReadme(*out, tables)
	if err := os.WriteFile(filepath.Join(*out, "README.md"), []byte(readme), 0o644); err != nil {
		return err
	}
	var total int64
	for _, t := range tables {
		total += t.Rows
	}
	fmt.Fprintf(e.stdout, "exported %d tables (%d rows) as Parquet to %s; see %s\n", len(tables), total, *out, filepath.Join(*out, "README.md"))
	return nil
}

// exportReadme names the layout of an export and how to read it back.
func exportReadme(dir string, tables []data.ExportedTable) string {
	var b strings.Builder
	b.WriteString("# feeflow export\n\n")
	b.WriteString("Every table of the feeflow database as Parquet, Hive-partitioned, readable as it is by DuckDB,\n")
	b.WriteString("Spark, Trino or ClickHouse:\n\n")
	b.WriteString("```\nkind=<table>/period=YYYY-MM/data_0.parquet   records with a month (see below)\nkind=<table>/data.parquet                    tables without one\n```\n\n")
	b.WriteString("`kind` and `period` are partition columns: they are in the folder names, not in the files, and a\n")
	b.WriteString("reader with Hive partitioning turns them back into columns. `period` is the billing period for\n")
	b.WriteString("`bills`, the month of `started_on` for `actions`, and for the other records the month, in the\n")
	b.WriteString("organisation's time zone, of their main instant (`payments.paid_at`, `settlements.settled_at`,\n")
	b.WriteString("`refunds.requested_at`, `invoices.issued_at`, `exceptions.occurred_at`, `feedback.received_at`,\n")
	b.WriteString("`resolutions.resolved_at`, `ingest_batches.uploaded_at`). Money is DECIMAL(18,2) (Parquet\n")
	b.WriteString("decimal), instants are UTC timestamps. A table with no rows has an empty folder.\n\n")
	b.WriteString("Read a table back with DuckDB:\n\n```sql\n")
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	fmt.Fprintf(&b, "SELECT * FROM read_parquet('%s/kind=payments/*/*.parquet', hive_partitioning = true);\n", filepath.ToSlash(abs))
	fmt.Fprintf(&b, "SELECT * FROM read_parquet('%s/kind=customers/data.parquet');\n```\n\n", filepath.ToSlash(abs))
	b.WriteString("**Personal data.** `customers.name` holds customers' names: this export is for the analysts of the\n")
	b.WriteString("organisation that collected them, and must not leave it. Identity numbers (`customers.id_doc`)\n")
	b.WriteString("are masked to their last 4 characters.\n\n")
	b.WriteString("| table | rows | layout |\n|---|---|---|\n")
	for _, t := range tables {
		layout := "kind=" + t.Table + "/data.parquet"
		if t.Partitioned {
			layout = "kind=" + t.Table + "/period=YYYY-MM/*.parquet"
		}
		fmt.Fprintf(&b, "| %s | %d | `%s` |\n", t.Table, t.Rows, layout)
	}
	return b.String()
}
