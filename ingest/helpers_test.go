package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest/profiles"
)

// taipei is the zone the tests' exports are written in.
var taipei = time.FixedZone("Asia/Taipei", 8*3600)

// testIngester opens a fresh database in t.TempDir() with an ingester on it.
func testIngester(tb testing.TB) (*Ingester, *data.Store) {
	tb.Helper()
	store, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "feeflow.duckdb"), data.Options{Threads: 2, Location: taipei})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	return New(store, Config{Location: taipei, Now: func() time.Time { return now }}), store
}

// writeFile puts content in a file named name under a temp dir.
func writeFile(tb testing.TB, name string, content []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// csvLines joins lines into a CSV file body.
func csvLines(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// ingestText ingests body as a file of the given kind.
func ingestText(tb testing.TB, in *Ingester, kind, name string, body []byte, opts ...func(*Upload)) (*Result, error) {
	tb.Helper()
	u := Upload{Kind: kind, Path: writeFile(tb, name, body), FileName: name}
	for _, o := range opts {
		o(&u)
	}
	return in.Ingest(context.Background(), u)
}

// mustIngest ingests and fails the test on any error.
func mustIngest(tb testing.TB, in *Ingester, kind string, body []byte) *Result {
	tb.Helper()
	res, err := ingestText(tb, in, kind, kind+".csv", body)
	if err != nil {
		tb.Fatalf("ingest %s: %v (errors: %+v)", kind, err, resultErrors(res))
	}
	return res
}

func resultErrors(res *Result) []RowError {
	if res == nil {
		return nil
	}
	return res.Errors
}

func allowErrors(u *Upload) { u.AllowErrors = true }
func dryRun(u *Upload)      { u.DryRun = true }

// seed loads the reference data most tests build on: two fee items, two
// customers, three bills.
func seed(tb testing.TB, in *Ingester) {
	tb.Helper()
	mustIngest(tb, in, "fee_items", csvLines(
		"code,name,unit,rate,effective_from,effective_to",
		"MGMT,Management fee,m2,2.50,2025-01-01,",
		"PARK,Parking,month,1200.00,2025-01-01,",
	))
	mustIngest(tb, in, "customers", csvLines(
		"customer_id,name,unit,area,id_doc",
		"C001,Chen Mei,A-101,North,A123456789",
		"C002,Lin Wei,B-202,South,B987654321",
	))
	mustIngest(tb, in, "bills", csvLines(
		"bill_id,customer_id,fee_item,period,amount_due,discount,due_date",
		"B1,C001,MGMT,2026-09,250.00,0,2026-09-15",
		"B2,C002,PARK,2026-09,1200.00,100.00,2026-09-15",
		"B3,C001,PARK,2026-10,1200.00,,2026-10-15",
	))
}

// dump renders every row of every table of the store as text, so a test can
// tell that a rejected upload changed nothing.
func dump(tb testing.TB, store *data.Store) string {
	tb.Helper()
	var b strings.Builder
	for _, table := range append(KindNames(), "ingest_batches", "ingest_idempotency") {
		rows, err := store.DB().Query(`SELECT * FROM "` + table + `" ORDER BY ALL`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		b.WriteString("## " + table + "\n")
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			for _, v := range vals {
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(fmtAny(v), "\n", " ")) + "|")
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

func count(tb testing.TB, store *data.Store, table string) int {
	tb.Helper()
	var n int
	if err := store.DB().QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func fmtAny(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return strings.TrimSpace(strings.ReplaceAll(fmt.Sprint(x), "\n", " "))
	}
}

// mustProfile parses a profile in either JSON form.
func mustProfile(tb testing.TB, js string) Profile {
	tb.Helper()
	p, err := profiles.Parse([]byte(js))
	if err != nil {
		tb.Fatalf("profile %s: %v", js, err)
	}
	return p
}
