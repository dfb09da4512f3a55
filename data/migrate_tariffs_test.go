package data_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/feeflow/feeflow/data"
)

// TestTariffVersionsMigrateExistingDatabase puts a database back to the
// tables of the release before schema 0005 (one name per fee item, area and
// action), with rows in them, and opens it again: the migration keeps every
// row and gives each its plain name in every language.
func TestTariffVersionsMigrateExistingDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	s, err := data.Open(ctx, path, data.Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`DROP TABLE fee_items`, `DROP TABLE customers`, `DROP TABLE actions`,
		`CREATE TABLE fee_items (code VARCHAR, name VARCHAR NOT NULL, unit VARCHAR, rate DECIMAL(18,2) NOT NULL,
			effective_from DATE NOT NULL, effective_to DATE, batch_id VARCHAR NOT NULL, source_row INTEGER NOT NULL)`,
		`CREATE TABLE customers (customer_id VARCHAR, name VARCHAR, unit VARCHAR, area VARCHAR, id_doc VARCHAR,
			batch_id VARCHAR NOT NULL, source_row INTEGER NOT NULL)`,
		`CREATE TABLE actions (action_id VARCHAR, title VARCHAR NOT NULL, problem VARCHAR NOT NULL, owner VARCHAR NOT NULL,
			started_on DATE NOT NULL, metric VARCHAR NOT NULL, target DECIMAL(18,4) NOT NULL, batch_id VARCHAR NOT NULL, source_row INTEGER NOT NULL)`,
		`INSERT INTO fee_items VALUES ('MGMT', '管理費', 'm2', 2.50, DATE '2025-01-01', NULL, 'b1', 2)`,
		`INSERT INTO customers VALUES ('C1', 'Chen', 'A-1', '北區', '6789', 'b2', 2)`,
		`INSERT INTO actions VALUES ('A1', 'Second check', 'operator_error', 'Zhao', DATE '2026-09-01', 'errors_per_1000', 100, 'b3', 2)`,
		`DELETE FROM schema_migrations WHERE version = 5`,
	} {
		if _, err := s.DB().ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = data.Open(ctx, path, data.Options{Threads: 2})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	checks := []struct{ query, want string }{
		{`SELECT code || '|' || name || '|' || name_en || '|' || name_zh || '|' || unit_en || '|' || unit_zh || '|' || rate || '|' || batch_id FROM fee_items`, "MGMT|管理費|管理費|管理費|m2|m2|2.50|b1"},
		{`SELECT customer_id || '|' || area || '|' || area_en || '|' || area_zh || '|' || id_doc FROM customers`, "C1|北區|北區|北區|6789"},
		{`SELECT action_id || '|' || title_en || '|' || title_zh || '|' || target FROM actions`, "A1|Second check|Second check|100.0000"},
		{`SELECT string_agg(column_name, ',' ORDER BY column_index) FROM duckdb_columns() WHERE table_name = 'fee_items'`,
			"code,name,name_en,name_zh,unit,unit_en,unit_zh,rate,effective_from,effective_to,batch_id,source_row"},
	}
	for _, c := range checks {
		var got string
		if err := s.DB().QueryRowContext(ctx, c.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
}
