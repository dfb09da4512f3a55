package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// demoDB is a small generated database, loaded once through the demo command
// and copied for each test that needs one.
var demoDB struct {
	once  sync.Once
	bytes []byte
	err   string
}

func mustDemoDB(t *testing.T) string {
	t.Helper()
	demoDB.once.Do(func() {
		dir, err := os.MkdirTemp("", "feeflow-cmd-")
		if err != nil {
			demoDB.err = err.Error()
			return
		}
		defer os.RemoveAll(dir)
		code, out, errOut := runCmd(t, "", nil, "demo", "--dir", dir, "--customers", "40", "--months", "2", "--seed", "3", "--no-serve", "--tz", "Asia/Taipei")
		if code != 0 {
			demoDB.err = out + errOut
			return
		}
		if demoDB.bytes, err = os.ReadFile(filepath.Join(dir, "feeflow.duckdb")); err != nil {
			demoDB.err = err.Error()
		}
	})
	if demoDB.err != "" {
		t.Fatal(demoDB.err)
	}
	path := filepath.Join(t.TempDir(), "f.duckdb")
	if err := os.WriteFile(path, demoDB.bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCmdStdin is runCmd with a standard input.
func runCmdStdin(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	e := &env{stdout: &out, stderr: &errOut, stdin: strings.NewReader(stdin),
		getenv: func(k string) string { return vars[k] },
		now:    func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

// sandboxed opens a scratch store that may read files, to check what the
// commands wrote the way an analyst's DuckDB would.
func sandboxed(t *testing.T) *data.Store {
	t.Helper()
	s, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "reader.duckdb"), data.Options{ExternalAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func scalar(t *testing.T, s *data.Store, q string) string {
	t.Helper()
	var v string
	if err := s.DB().QueryRow(q).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestSQLCommandFormats(t *testing.T) {
	db := mustDemoDB(t)
	q := "SELECT period, sum(billed) AS billed FROM collection_monthly GROUP BY period ORDER BY period"

	code, out, errOut := runCmd(t, "", nil, "sql", "--db", db, q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "period ") || !strings.HasPrefix(lines[1], "-------") || !strings.HasSuffix(lines[len(lines)-1], "rows)") {
		t.Errorf("table output:\n%s", out)
	}

	code, out, errOut = runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][1] != "billed" || !strings.Contains(recs[1][1], ".") {
		t.Errorf("csv output %q: %v", out, err)
	}
	csvBilled := recs[1][1]

	code, out, errOut = runCmd(t, "", nil, "sql", "--db", db, "--format", "json", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var a struct {
		Columns []struct{ Name, Type string }
		Rows    [][]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("json output %q: %v", out, err)
	}
	if string(a.Rows[0][1]) != csvBilled || a.Columns[1].Type != "DECIMAL(38,2)" {
		t.Errorf("json billed = %s (%s), want the exact number %s", a.Rows[0][1], a.Columns[1].Type, csvBilled)
	}

	code, out, _ = runCmd(t, "", nil, "sql", "--db", db, "--format", "lines", "SELECT 1 AS a, 'x' AS b")
	if code != 0 || !strings.Contains(out, "a : 1\nb : x\n") {
		t.Errorf("lines output: %q", out)
	}
}

func TestSQLCommandReadsStatementsFromStdin(t *testing.T) {
	db := mustDemoDB(t)
	code, out, errOut := runCmdStdin(t, "SELECT 1 AS one;\n-- a comment; still a comment\nSELECT 'a;b' AS two;\nSELECT 3 AS three", nil, "sql", "--db", db, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != "one\n1\n\ntwo\na;b\n\nthree\n3\n" {
		t.Errorf("stdin output = %q", out)
	}
}

func TestSQLCommandRefusesWritesBeforeRunningAnything(t *testing.T) {
	db := mustDemoDB(t)
	count := func() string {
		_, out, _ := runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", "SELECT count(*) FROM payments")
		return out
	}
	before := count()
	dir := t.TempDir()
	for _, q := range []string{
		"DELETE FROM payments",
		"SELECT 1; DROP TABLE payments",
		"EXPLAIN ANALYZE DELETE FROM payments",
		"COPY payments TO '" + filepath.Join(dir, "x.csv") + "'",
		"SELECT * FROM read_text('/etc/passwd')",
		"ATTACH '" + filepath.Join(dir, "y.duckdb") + "'",
		"INSTALL httpfs",
		"SET threads = 1",
	} {
		code, out, errOut := runCmdStdin(t, q, nil, "sql", "--db", db)
		if code != 1 || out != "" || !strings.Contains(errOut, "statement") {
			t.Errorf("%q: exit %d, out %q, err %q; want exit 1 and a reason", q, code, out, errOut)
		}
	}
	if after := count(); after != before {
		t.Errorf("payments %q -> %q", before, after)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestSQLCommandLimitAndTimeout(t *testing.T) {
	db := mustDemoDB(t)
	code, out, errOut := runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", "--limit", "3", "SELECT * FROM range(10)")
	if code != 0 || out != "range\n0\n1\n2\n" || !strings.Contains(errOut, "only the first 3 rows") {
		t.Errorf("limit: exit %d out %q err %q", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "", nil, "sql", "--db", db, "--timeout", "300ms", "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b")
	if code != 1 || !strings.Contains(errOut, "stopped") {
		t.Errorf("timeout: exit %d err %q", code, errOut)
	}
}

func TestSQLCommandWritesFiles(t *testing.T) {
	db := mustDemoDB(t)
	dir := t.TempDir()
	q := "SELECT txn_id, paid_at, amount, method, collector FROM payments WHERE status = 'completed'"
	for _, name := range []string{"p.parquet", "p.csv", "p.json"} {
		code, _, errOut := runCmd(t, "", nil, "sql", "--db", db, "--out", filepath.Join(dir, name), q)
		if code != 0 {
			t.Fatalf("--out %s: exit %d %s", name, code, errOut)
		}
	}
	_, want, _ := runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", "SELECT sum(amount)::VARCHAR || '/' || count(*) FROM payments WHERE status = 'completed'")
	want = strings.Split(strings.TrimSpace(want), "\n")[1]
	r := sandboxed(t)
	pq := filepath.Join(dir, "p.parquet")
	if got := scalar(t, r, "SELECT sum(amount)::VARCHAR || '/' || count(*) FROM read_parquet('"+pq+"')"); got != want {
		t.Errorf("parquet total = %s, want %s", got, want)
	}
	if got := scalar(t, r, "SELECT typeof(amount) || ' ' || typeof(paid_at) FROM read_parquet('"+pq+"') LIMIT 1"); got != "DECIMAL(18,2) TIMESTAMP WITH TIME ZONE" {
		t.Errorf("parquet types = %s", got)
	}
	if got := scalar(t, r, "SELECT sum(amount::DECIMAL(18,2))::VARCHAR || '/' || count(*) FROM read_csv('"+filepath.Join(dir, "p.csv")+"', all_varchar = true)"); got != want {
		t.Errorf("csv total = %s, want %s", got, want)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "p.json"))
	if !json.Valid(b) {
		t.Errorf("p.json is not JSON")
	}
}

// TestSQLThroughAServerWhenTheFileIsHeld runs this test binary again as a
// server holding the database, as `feeflow serve` would.
func TestSQLThroughAServerWhenTheFileIsHeld(t *testing.T) {
	if path := os.Getenv("FEEFLOW_TEST_SERVE"); path != "" {
		tokens, _ := loadTokens(&env{getenv: os.Getenv}, "")
		e := &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv, now: time.Now}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		loc, _ := time.LoadLocation("Asia/Taipei")
		err := serve(ctx, e, serveOptions{db: path, addr: "127.0.0.1:0", tokens: tokens, maxUpload: 1 << 20, loc: loc}, func(addr string) {
			os.Stdout.WriteString("ADDR " + addr + "\n")
		})
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		return
	}
	db := mustDemoDB(t)
	const token = "analyst-token-0123456789"
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLThroughAServerWhenTheFileIsHeld$")
	cmd.Env = append(os.Environ(), "FEEFLOW_TEST_SERVE="+db, "FEEFLOW_TOKENS=analyst:"+token)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatal("the server did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()

	q := "SELECT method, sum(amount) AS amount FROM payments GROUP BY method ORDER BY method"
	code, _, errOut := runCmd(t, "", nil, "sql", "--db", db, q)
	if code != 1 || !strings.Contains(errOut, "held by a running `feeflow serve`") || !strings.Contains(errOut, "--server") {
		t.Errorf("sql on a held file: exit %d %q, want the hand-off explained", code, errOut)
	}
	code, viaServer, errOut := runCmd(t, "", map[string]string{"FEEFLOW_TOKEN": token}, "sql", "--server", "http://"+addr, "--format", "csv", q)
	if code != 0 || !strings.HasPrefix(viaServer, "method,amount\n") {
		t.Fatalf("sql --server: exit %d %q %q", code, viaServer, errOut)
	}
	code, _, errOut = runCmd(t, "", nil, "sql", "--server", "http://"+addr, "--token", token, "DROP TABLE payments")
	if code != 1 || !strings.Contains(errOut, "400") || !strings.Contains(errOut, "DROP") {
		t.Errorf("DROP through the server: exit %d %q", code, errOut)
	}
	// Several statements: all are checked by the server before any runs.
	code, out, errOut := runCmdStdin(t, "SELECT 1 AS a; SELECT 2 AS b;", nil, "sql", "--server", "http://"+addr, "--token", token, "--format", "csv")
	if code != 0 || out != "a\n1\n\nb\n2\n" {
		t.Errorf("two reads through the server: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCmdStdin(t, "SELECT 1 AS a; DROP TABLE payments;", nil, "sql", "--server", "http://"+addr, "--token", token)
	if code != 1 || out != "" || !strings.Contains(errOut, "DROP") {
		t.Errorf("a read then a DROP through the server: exit %d %q %q, want nothing run", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "", nil, "sql", "--server", "http://"+addr, "--token", token, "--timeout", "200ms",
		"SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b")
	if code != 1 || !strings.Contains(errOut, "504") {
		t.Errorf("slow query through the server: exit %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", nil, "sql", "--server", "http://"+addr, "--token", "wrong-token-0123456789", "SELECT 1")
	if code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("bad token: exit %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", nil, "schema", "--db", db)
	if code != 1 || !strings.Contains(errOut, "held") {
		t.Errorf("schema on a held file: exit %d %q", code, errOut)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// The same answer from the file itself once the server is gone.
	code, direct, _ := runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", q)
	if code != 0 || direct != viaServer {
		t.Errorf("direct %q != via server %q", direct, viaServer)
	}
}

func TestSchemaCommand(t *testing.T) {
	db := mustDemoDB(t)
	code, out, errOut := runCmd(t, "", nil, "schema", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	for _, want := range []string{"payments — ", "  amount  ", "collection_monthly — ", "collection_rate", "arrears_aging(as_of, latest := false)  [table]", "Example queries"} {
		if !strings.Contains(out, want) {
			t.Errorf("schema output lacks %q", want)
		}
	}
	code, out, _ = runCmd(t, "", nil, "schema", "--db", db, "--format", "json")
	var d struct{ Tables, Views, Macros, Examples []any }
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || len(d.Tables) == 0 || len(d.Views) == 0 || len(d.Examples) == 0 {
		t.Errorf("schema json: exit %d %.200s", code, out)
	}
}

func TestExportRoundTrip(t *testing.T) {
	db := mustDemoDB(t)
	dir := filepath.Join(t.TempDir(), "export")
	code, out, errOut := runCmd(t, "", nil, "export", "--db", db, "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d %s %s", code, out, errOut)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil || !strings.Contains(string(readme), "read_parquet(") || !strings.Contains(string(readme), "hive_partitioning = true") || !strings.Contains(string(readme), "Personal data") {
		t.Errorf("README.md: %v\n%s", err, readme)
	}
	r := sandboxed(t)
	totals := []struct{ table, sum string }{
		{"payments", "sum(amount)::VARCHAR || '/' || count(*) || '/' || min(paid_at)::VARCHAR"},
		{"bills", "sum(amount_due - discount)::VARCHAR || '/' || count(*) || '/' || min(period)"},
		{"settlements", "sum(amount)::VARCHAR || '/' || sum(fee)::VARCHAR || '/' || count(*)"},
		{"refunds", "sum(amount)::VARCHAR || '/' || count(*)"},
		{"invoices", "count(*)::VARCHAR"},
		{"ingest_batches", "sum(rows_accepted)::VARCHAR"},
	}
	for _, c := range totals {
		_, want, _ := runCmd(t, "", nil, "sql", "--db", db, "--format", "csv", "SELECT "+c.sum+" FROM "+c.table)
		want = strings.Split(strings.TrimSpace(want), "\n")[1]
		got := scalar(t, r, "SELECT "+c.sum+" FROM read_parquet('"+dir+"/kind="+c.table+"/*/*.parquet', hive_partitioning = true)")
		if got != want {
			t.Errorf("%s: exported %s, database %s", c.table, got, want)
		}
	}
	// Each payment sits in the folder of its local month.
	if n := scalar(t, r, "SELECT count(*)::VARCHAR FROM read_parquet('"+dir+"/kind=payments/*/*.parquet', hive_partitioning = true) WHERE period <> strftime(timezone('Asia/Taipei', paid_at), '%Y-%m')"); n != "0" {
		t.Errorf("%s payments in the wrong month folder", n)
	}
	if got := scalar(t, r, "SELECT count(*)::VARCHAR FROM read_parquet('"+dir+"/kind=customers/data.parquet')"); got == "0" {
		t.Errorf("customers not exported")
	}
	// Exporting again replaces the earlier export; a folder of other files is refused.
	if code, _, errOut := runCmd(t, "", nil, "export", "--db", db, "--out", dir); code != 0 {
		t.Errorf("second export: exit %d %s", code, errOut)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "precious.txt"), []byte("x"), 0o644)
	if code, _, _ := runCmd(t, "", nil, "export", "--db", db, "--out", other); code != 1 {
		t.Errorf("export into a folder of other files: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(other, "precious.txt")); err != nil {
		t.Errorf("precious.txt: %v", err)
	}
}
