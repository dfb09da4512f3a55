package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

func runSchema(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "schema", "--db PATH [--format text|json]")
	db := fs.String("db", "", "database file")
	format := fs.String("format", "text", "output: text or json")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: want text or json", *format)
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	store, err := openReadOnly(ctx, *db, loc, false, true)
	if data.IsLocked(err) {
		return fmt.Errorf("%s is held by a running `feeflow serve` (%s); the same dictionary is in DuckDB's catalog, readable through it:\n"+
			"feeflow sql --server http://HOST:PORT --token TOKEN \"SELECT table_name, column_name, data_type, comment FROM duckdb_columns() WHERE NOT internal\"",
			*db, lockHolder(err))
	}
	if err != nil {
		return err
	}
	defer store.Close()
	d, err := analytics.Dictionary(ctx, store)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	printDictionary(e.stdout, d)
	return nil
}

// printDictionary writes the dictionary as text an analyst reads top to bottom.
func printDictionary(w io.Writer, d *analytics.DataDictionary) {
	section := func(title string, rels []analytics.Relation) {
		fmt.Fprintf(w, "%s\n%s\n\n", title, strings.Repeat("=", width(title)))
		for _, r := range rels {
			fmt.Fprintf(w, "%s", r.Name)
			if r.Comment != "" {
				fmt.Fprintf(w, " — %s", r.Comment)
			}
			fmt.Fprintln(w)
			nameW, typeW := 0, 0
			for _, c := range r.Columns {
				nameW, typeW = max(nameW, width(c.Name)), max(typeW, width(c.Type))
			}
			for _, c := range r.Columns {
				fmt.Fprintf(w, "  %s%s  %s%s  %s\n", c.Name, strings.Repeat(" ", nameW-width(c.Name)),
					c.Type, strings.Repeat(" ", typeW-width(c.Type)), c.Comment)
			}
			fmt.Fprintln(w)
		}
	}
	section("Tables (the records as ingested)", d.Tables)
	section("Views (the metrics)", d.Views)
	title := "Macros"
	fmt.Fprintf(w, "%s\n%s\n\n", title, strings.Repeat("=", len(title)))
	for _, m := range d.Macros {
		kind := "scalar"
		if m.Table {
			kind = "table"
		}
		fmt.Fprintf(w, "%s(%s)  [%s]", m.Name, strings.Join(m.Parameters, ", "), kind)
		if m.Comment != "" {
			fmt.Fprintf(w, "  %s", m.Comment)
		}
		fmt.Fprintln(w)
	}
	title = "Example queries (feeflow sql --db PATH \"...\")"
	fmt.Fprintf(w, "\n%s\n%s\n\n", title, strings.Repeat("=", len(title)))
	for _, ex := range d.Examples {
		fmt.Fprintf(w, "-- %s\n%s;\n\n", ex.Title, ex.SQL)
	}
}
