package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
)

// The metric facts equal their recomputation from the base tables after
// every batch, whatever the order the data comes in: a generated operation's
// bills, payments, settlement lines, refunds and resolutions are cut into
// batches of random size (rows shuffled in some, so that lines arrive before
// or long after their payments), uploaded in random order; a batch whose
// references are not in yet is rejected whole and tried again later, some
// accepted batches are uploaded a second time (every row a duplicate), and
// some carry a bad row and are rejected. FEEFLOW_FACTS_SEEDS=many tries
// more operations than the default one.
func TestFactsEqualRecomputationAfterEveryBatch(t *testing.T) {
	seeds := []uint64{1}
	if os.Getenv("FEEFLOW_FACTS_SEEDS") == "many" {
		seeds = []uint64{1, 2, 3, 4, 5, 6}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { factsProperty(t, seed, "Asia/Taipei") })
	}
	// local days where the clocks jump forward (2026-03-08) and the day
	// has 23 hours
	t.Run("clock change", func(t *testing.T) { factsProperty(t, 3, "America/New_York") })
	// a batch with many keys is recomputed whole: with no lower bound,
	// every batch is
	t.Run("whole rebuilds", func(t *testing.T) {
		defer func(n int64) { analytics.WholeRebuildKeys = n }(analytics.WholeRebuildKeys)
		analytics.WholeRebuildKeys = 0
		factsProperty(t, 7, "Asia/Taipei")
	})
	// so is the reconciliation of a batch reaching far back
	t.Run("whole reconciliation", func(t *testing.T) {
		defer func(n int64) { analytics.WholeReconciliationRows = n }(analytics.WholeReconciliationRows)
		analytics.WholeReconciliationRows = 0
		factsProperty(t, 8, "Asia/Taipei")
	})
}

func factsProperty(t *testing.T, seed uint64, zone string) {
	ctx := context.Background()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	man, err := gen.Write(ctx, filepath.Join(dir, "exports"), gen.Config{
		Customers: 60, Months: 3, Seed: int64(seed), End: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), Location: loc,
	})
	if err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, filepath.Join(dir, "f.duckdb"), data.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	in := ingest.New(store, ingest.Config{Location: loc})
	rng := rand.New(rand.NewPCG(seed, 7))

	type batch struct{ kind, path string }
	var pending []batch
	n := 0
	for _, f := range man.Files {
		path := filepath.Join(dir, "exports", f.File)
		switch f.Kind {
		case "bills", "payments", "settlements", "refunds", "resolutions", "invoices":
		default:
			if f.Kind == "fee_items" || f.Kind == "customers" {
				if _, err := in.Ingest(ctx, ingest.Upload{Kind: f.Kind, Path: path, FileName: f.File}); err != nil {
					t.Fatalf("ingest %s: %v", f.File, err)
				}
			}
			continue
		}
		if f.Encoding != "utf-8" {
			pending = append(pending, batch{f.Kind, path})
			continue
		}
		header, rows := readCSV(t, path)
		// an invoice's reissue may follow it in the file, never precede it
		// (shuffled, two chunks could each hold the other's original)
		if rng.IntN(2) == 0 && f.Kind != "invoices" {
			rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		}
		for len(rows) > 0 {
			k := min(len(rows), len(rows)/4+1+rng.IntN(max(1, len(rows)/2)))
			n++
			p := filepath.Join(dir, fmt.Sprintf("chunk%03d.csv", n))
			writeCSV(t, p, header, rows[:k])
			pending = append(pending, batch{f.Kind, p})
			rows = rows[k:]
		}
	}
	if len(pending) < 10 {
		t.Fatalf("only %d batches: the data set is too small to test anything", len(pending))
	}

	check := func(what string) {
		t.Helper()
		diffs, err := analytics.CheckFacts(ctx, store.DB())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			if d.Extra != 0 || d.Missing != 0 {
				t.Fatalf("after %s: %s has %d rows not in its recomputation and lacks %d of them", what, d.Table, d.Extra, d.Missing)
			}
		}
	}
	var accepted []batch
	var rejected, duplicates, bad int
	for tries := 0; len(pending) > 0; tries++ {
		if tries > 2000 {
			var why []string
			for _, p := range pending {
				res, err := in.Ingest(ctx, ingest.Upload{Kind: p.kind, Path: p.path, FileName: filepath.Base(p.path)})
				if err != nil && len(res.Errors) > 0 {
					e := res.Errors[0]
					err = fmt.Errorf("%w: row %d, %s %q: %s", err, e.Row, e.Column, e.Value, e.Message)
				}
				why = append(why, fmt.Sprintf("%s: %v", filepath.Base(p.path), err))
			}
			t.Fatalf("%d batches never went in: %s", len(pending), strings.Join(why, "; "))
		}
		// half the time the next batch in the usual upload order (bills,
		// payments, settlement lines, refunds, resolutions, each in file
		// order), as a day's files come; else any batch
		i := rng.IntN(len(pending))
		if rng.IntN(2) == 0 {
			for j, p := range pending {
				if kindRank[p.kind] < kindRank[pending[i].kind] || (kindRank[p.kind] == kindRank[pending[i].kind] && j < i) {
					i = j
				}
			}
		}
		b := pending[i]
		switch r := rng.IntN(10); {
		case r == 0 && len(accepted) > 0:
			// a file uploaded twice: every row a duplicate, nothing changes
			a := accepted[rng.IntN(len(accepted))]
			res, err := in.Ingest(ctx, ingest.Upload{Kind: a.kind, Path: a.path, FileName: filepath.Base(a.path)})
			if err != nil {
				t.Fatalf("re-upload %s: %v", a.path, err)
			}
			if res.RowsAccepted != 0 {
				t.Fatalf("re-upload %s accepted %d rows", a.path, res.RowsAccepted)
			}
			duplicates++
			check("re-upload of " + filepath.Base(a.path))
			continue
		case r == 1 && b.kind == "payments":
			// a bad row: the whole batch is rejected
			header, rows := readCSV(t, b.path)
			badRow := append([]string(nil), rows[0]...)
			badRow[indexOf(header, "amount")] = "12.345"
			p := b.path + ".bad.csv"
			writeCSV(t, p, header, append(rows, badRow))
			if _, err := in.Ingest(ctx, ingest.Upload{Kind: b.kind, Path: p, FileName: filepath.Base(p)}); !errors.Is(err, ingest.ErrRejected) {
				t.Fatalf("batch with a bad row: %v, want rejected", err)
			}
			bad++
			check("a rejected batch")
			continue
		}
		_, err := in.Ingest(ctx, ingest.Upload{Kind: b.kind, Path: b.path, FileName: filepath.Base(b.path)})
		switch {
		case errors.Is(err, ingest.ErrRejected):
			rejected++ // a reference not in yet: try again later
		case err != nil:
			t.Fatalf("ingest %s: %v", b.path, err)
		default:
			accepted = append(accepted, b)
			pending = append(pending[:i], pending[i+1:]...)
		}
		check(fmt.Sprintf("batch %s (%s)", filepath.Base(b.path), b.kind))
	}
	t.Logf("seed %d: %d batches in, %d rejected for missing references, %d with a bad row, %d re-uploads", seed, len(accepted), rejected, bad, duplicates)

	// the facts rebuilt whole hold the same rows as those kept batch by batch
	var kept int64
	if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM fact_reconciliation`).Scan(&kept); err != nil || kept == 0 {
		t.Fatalf("fact_reconciliation: %d rows, %v", kept, err)
	}
	var refundRows int64
	if err := store.DB().QueryRowContext(ctx, `SELECT count(*) FROM fact_reconciliation WHERE source = 'refund'`).Scan(&refundRows); err != nil {
		t.Fatal(err)
	}
	if refundRows == 0 {
		t.Error("the data set has no refund rows in the reconciliation: refunds are not exercised")
	}
}

var kindRank = map[string]int{"bills": 0, "payments": 1, "settlements": 2, "refunds": 3, "invoices": 3, "resolutions": 4}

func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs[0], recs[1:]
}

func writeCSV(t *testing.T, path string, header []string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	panic("no column " + x)
}
