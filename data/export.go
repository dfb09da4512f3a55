package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// periodOf says how each table's rows are partitioned by month in an export:
// bills by their billing period, the other records by the local month of
// their main instant or day. Tables not listed are written whole.
var periodOf = map[string]string{
	"bills":          "period",
	"payments":       "paid_at",
	"settlements":    "settled_at",
	"refunds":        "requested_at",
	"invoices":       "issued_at",
	"exceptions":     "occurred_at",
	"feedback":       "received_at",
	"resolutions":    "resolved_at",
	"ingest_batches": "uploaded_at",
	"actions":        "started_on",
}

// ExportedTable is one table written by ExportParquet.
type ExportedTable struct {
	Table       string
	Rows        int64
	Partitioned bool // DIR/kind=TABLE/period=YYYY-MM/*.parquet, else DIR/kind=TABLE/data.parquet
}

// ExportParquet writes every table as Hive-partitioned Parquet under dir:
// dir/kind=TABLE/period=YYYY-MM/*.parquet for the tables with a month,
// dir/kind=TABLE/data.parquet for the others. DuckDB writes the files
// (COPY ... FORMAT parquet), so the store must have been opened with
// ExternalAccess; decimals stay DECIMAL(18,2). Earlier kind=* folders in dir
// are replaced; anything else in dir is refused, so that an export never
// deletes what it did not write.
func (s *Store) ExportParquet(ctx context.Context, dir string) ([]ExportedTable, error) {
	if err := prepareExportDir(dir); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var tables []string
	rows, err := s.db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("export: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	var out []ExportedTable
	for _, table := range tables {
		et := ExportedTable{Table: table}
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(table)).Scan(&et.Rows); err != nil {
			return nil, fmt.Errorf("export %s: %w", table, err)
		}
		kindDir := filepath.Join(abs, "kind="+table)
		if err := os.MkdirAll(kindDir, 0o755); err != nil {
			return nil, err
		}
		col, partitioned := periodOf[table]
		et.Partitioned = partitioned
		var copySQL string
		switch {
		case partitioned && et.Rows == 0:
			out = append(out, et) // an empty folder: no month to name
			continue
		case partitioned:
			month := "strftime(timezone((SELECT time_zone FROM feeflow_settings LIMIT 1), " + quoteIdent(col) + "), '%Y-%m')"
			if col == "period" {
				month = quoteIdent(col)
			} else if col == "started_on" {
				month = "strftime(" + quoteIdent(col) + ", '%Y-%m')"
			}
			// The partition column is written into the folder names only;
			// hive_partitioning brings it back as a column when read.
			sel := "SELECT *, " + month + " AS period FROM " + quoteIdent(table)
			if col == "period" {
				sel = "SELECT * FROM " + quoteIdent(table)
			}
			copySQL = "COPY (" + sel + ") TO " + quoteString(kindDir) +
				" (FORMAT parquet, PARTITION_BY (period), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'data_{i}')"
		default:
			copySQL = "COPY (SELECT * FROM " + quoteIdent(table) + ") TO " + quoteString(filepath.Join(kindDir, "data.parquet")) + " (FORMAT parquet)"
		}
		if _, err := s.db.ExecContext(ctx, copySQL); err != nil {
			return nil, fmt.Errorf("export %s: %w", table, err)
		}
		out = append(out, et)
	}
	return out, nil
}

// prepareExportDir creates dir or empties the kind=* folders of an earlier
// export in it; it refuses a folder holding anything else.
func prepareExportDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !(e.IsDir() && strings.HasPrefix(e.Name(), "kind=")) && e.Name() != "README.md" {
			return fmt.Errorf("export: %s holds %s, which is not from a feeflow export; choose an empty or new folder", dir, e.Name())
		}
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
