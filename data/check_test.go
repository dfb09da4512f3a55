package data_test

import (
	"context"
	"strings"
	"testing"
)

func TestCheckFindsNothingWrongInASoundDatabase(t *testing.T) {
	s := mustOpenWithPayments(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO ingest_batches VALUES ('b1', 'payments', 'p.csv', 'x', 'test', now(), 2, 0, 0)`,
		`INSERT INTO ingest_batches VALUES ('b0', 'fee_items', 'f.csv', 'w', 'test', now(), 1, 0, 0)`,
		`INSERT INTO fee_items (code, name, unit, rate, effective_from, effective_to, batch_id, source_row) VALUES ('MGMT', 'Management', 'month', 10.00, DATE '2026-01-01', NULL, 'b0', 2)`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Tables < 13 || r.Rows < 3 || r.Invariants == 0 {
		t.Errorf("Check = %+v, want no problems, every table read", r)
	}
}

// Each broken promise is named, with the rows that break it.
func TestCheckNamesBrokenInvariants(t *testing.T) {
	cases := []struct {
		name  string
		setup []string
		want  string
	}{
		{"repeated key", []string{
			`INSERT INTO ingest_batches VALUES ('b1', 'payments', 'p.csv', 'x', 'test', now(), 3, 0, 0)`,
			`INSERT INTO payments SELECT * REPLACE ('b1' AS batch_id) FROM payments WHERE txn_id = 'T1'`,
		}, "payments key (txn_id) missing or repeated: T1 (2 rows)"},
		{"missing key", []string{
			`INSERT INTO ingest_batches VALUES ('b1', 'payments', 'p.csv', 'x', 'test', now(), 2, 0, 0)`,
			`INSERT INTO customers (customer_id, name, unit, area, id_doc, batch_id, source_row) VALUES (NULL, 'n', NULL, NULL, NULL, 'b2', 2)`,
			`INSERT INTO ingest_batches VALUES ('b2', 'customers', 'c.csv', 'y', 'test', now(), 1, 0, 0)`,
		}, "customers key (customer_id) missing or repeated: NULL (1 rows)"},
		{"dangling reference", []string{
			`INSERT INTO ingest_batches VALUES ('b1', 'payments', 'p.csv', 'x', 'test', now(), 2, 0, 0)`,
			`INSERT INTO refunds VALUES ('R9', 'T404', 1.00, NULL, now(), NULL, 'pending', NULL, 'b3', 2)`,
			`INSERT INTO ingest_batches VALUES ('b3', 'refunds', 'r.csv', 'z', 'test', now(), 1, 0, 0)`,
		}, "refunds.txn_id names no payments.txn_id: R9 -> T404"},
		{"batch count", []string{
			`INSERT INTO ingest_batches VALUES ('b1', 'payments', 'p.csv', 'x', 'test', now(), 5, 0, 0)`,
		}, "batch b1 (payments): records 5 accepted rows, holds 2"},
		{"rows without a batch", nil, "batch b1 (payments): 2 rows but no batch record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustOpenWithPayments(t)
			ctx := context.Background()
			for _, q := range c.setup {
				if _, err := s.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			r, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.Check+": "+p.Message)
			}
			if !strings.Contains(strings.Join(got, "\n"), c.want) {
				t.Errorf("Check problems = %q, want one saying %q", got, c.want)
			}
		})
	}
}
