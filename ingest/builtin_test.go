package ingest

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest/profiles"
)

// TestBuiltinProfilesReadTheirSamples uploads each sample statement under
// profiles/testdata/<profile>/ as a clerk would, with no profile named, and
// compares the stored settlement lines with the ones counted by hand in
// expected.csv, row for row and to the cent.
func TestBuiltinProfilesReadTheirSamples(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("profiles", "testdata", "*", "expected.csv"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			// A format's other container (wechat-personal-xlsx) uses its profile.
			profile := strings.TrimSuffix(strings.TrimSuffix(name, "-xlsx"), "-xls")
			p, ok := profiles.Builtin(profile)
			if !ok {
				t.Fatalf("sample %s has no built-in profile of that name", name)
			}
			samples, _ := filepath.Glob(filepath.Join(dir, "sample.*"))
			if len(samples) != 1 {
				t.Fatalf("want one sample file in %s, have %v", dir, samples)
			}
			loc := time.UTC
			if p.Dates.Zone != "" {
				if loc, err = time.LoadLocation(p.Dates.Zone); err != nil {
					t.Fatal(err)
				}
			}
			store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "feeflow.duckdb"), data.Options{Threads: 2, Location: loc})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			in := New(store, Config{Location: loc})
			res, err := in.Ingest(context.Background(), Upload{Kind: "settlements", Path: samples[0], FileName: filepath.Base(samples[0])})
			if err != nil {
				t.Fatalf("Ingest(%s) = %v; errors %+v", samples[0], err, resultErrors(res))
			}
			if res.Profile != profile {
				t.Errorf("profile = %q, want %q", res.Profile, profile)
			}
			want := readExpected(t, exp)
			got := storedLines(t, store.DB(), loc)
			if len(got) != len(want) {
				t.Errorf("%d lines stored, want %d\n got: %v\nwant: %v\nskipped %+v dropped %+v", len(got), len(want), got, want, res.Skipped, res.Dropped)
			}
			for i := 0; i < min(len(got), len(want)); i++ {
				g, w := got[i], want[i]
				if w[0] == "" {
					g[0] = "" // derived: compared by the re-upload tests, not here
				}
				if w[6] == "" {
					w[6] = "0.00" // no fee column: stored as 0
				}
				if strings.Join(g, ",") != strings.Join(w, ",") {
					t.Errorf("line %d = %v, want %v", i+1, g, w)
				}
			}
		})
	}
}

// readExpected reads expected.csv without its header.
func readExpected(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// storedLines lists the settlement lines in file order, as expected.csv
// writes them, with times in loc.
func storedLines(t *testing.T, db *sql.DB, loc *time.Location) [][]string {
	t.Helper()
	rows, err := db.Query(`SELECT coalesce(settlement_id, ''), channel, coalesce(txn_ref, ''), coalesce(refund_ref, ''),
		amount::VARCHAR, epoch_ms(settled_at), fee::VARCHAR, coalesce(collector, '') FROM settlements ORDER BY source_row`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		l := make([]string, 8)
		var ms int64
		if err := rows.Scan(&l[0], &l[1], &l[2], &l[3], &l[4], &ms, &l[6], &l[7]); err != nil {
			t.Fatal(err)
		}
		l[5] = time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05")
		out = append(out, l)
	}
	return out
}
