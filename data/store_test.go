package data_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

// MustOpen opens a fresh database in t.TempDir().
func MustOpen(tb testing.TB) *data.Store {
	tb.Helper()
	s, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "test.duckdb"), data.Options{Threads: 2})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.duckdb")
	for i := 0; i < 2; i++ {
		s, err := data.Open(ctx, path, data.Options{})
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 1 {
			t.Fatalf("schema_migrations has %d rows, want >= 1", n)
		}
		var tables int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name IN
			('ingest_batches','fee_items','customers','bills','payments','settlements','refunds','invoices',
			 'exceptions','actions','feedback','resolutions')`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 12 {
			t.Fatalf("found %d tables, want 12", tables)
		}
		s.Close()
	}
}

func TestDecimalRoundTrip(t *testing.T) {
	cases := []struct {
		in      string
		wantErr bool
	}{
		{"0.05", false},
		{"12.34", false},
		{"1250.5", false},
		{"9999999999999999.99", false},
		{"10000000000000000.00", true},
		{"0.105", true},
	}
	s := MustOpen(t)
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			d := decimal.RequireFromString(c.in)
			tx, err := s.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS m(v DECIMAL(18,2)); DELETE FROM m`); err != nil {
				t.Fatal(err)
			}
			app, err := tx.Appender(ctx, "temp.m")
			if err != nil {
				t.Fatal(err)
			}
			err = app.Append(d)
			if c.wantErr {
				if err == nil {
					t.Fatalf("Append(%s) succeeded, want an error", c.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("Append(%s) = %v", c.in, err)
			}
			if err := app.Close(); err != nil {
				t.Fatal(err)
			}
			var got data.Decimal
			if err := tx.QueryRow(ctx, `SELECT v FROM m`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if !got.Valid || !got.Decimal.Equal(d) {
				t.Fatalf("round trip of %s = %v, want %s", c.in, got.Decimal, c.in)
			}
		})
	}
}

func TestRollbackDiscardsAppendedRows(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	app, err := tx.Appender(ctx, "resolutions")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append("R1", time.Now(), "other", nil, nil, "b1", 2); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM resolutions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("rows after rollback = %d, want 0", n)
	}
}

// TestLockedBySecondProcess runs this test binary again to hold the file, the
// way a running `feeflow serve` would.
func TestLockedBySecondProcess(t *testing.T) {
	if path := os.Getenv("FEEFLOW_TEST_HOLD"); path != "" {
		s, err := data.Open(context.Background(), path, data.Options{})
		if err != nil {
			os.Exit(3)
		}
		defer s.Close()
		os.Stdout.WriteString("held\n")
		time.Sleep(20 * time.Second)
		return
	}
	path := filepath.Join(t.TempDir(), "held.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedBySecondProcess$")
	cmd.Env = append(os.Environ(), "FEEFLOW_TEST_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("holder did not start: %q %v", buf, err)
	}
	_, err = data.Open(context.Background(), path, data.Options{})
	if !data.IsLocked(err) {
		t.Fatalf("Open of a held file = %v, want a LockedError", err)
	}
	for _, want := range []string{path, "feeflow serve", "--server"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("lock error %q does not mention %q", err, want)
		}
	}
}
