package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/server"
)

// servedWithWorker serves db in this process, with analysts' queries in a
// worker process started from this test binary (TestMain makes it act as
// feeflow); it returns the server's base URL.
func servedWithWorker(t *testing.T, db string, o serveOptions) string {
	t.Helper()
	t.Setenv("FEEFLOW_TEST_AS_FEEFLOW", "1") // inherited by the worker
	tokens, err := server.ParseTokens("admin:admin-token-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Taipei")
	e := &env{stdout: io.Discard, stderr: io.Discard, stdin: strings.NewReader(""), getenv: func(string) string { return "" }, now: time.Now,
		workerCommand: func() ([]string, error) { return []string{os.Args[0], "sql-worker"}, nil }}
	o.db, o.addr, o.tokens, o.maxUpload, o.loc = db, "127.0.0.1:0", tokens, 1<<20, loc
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serve(ctx, e, o, func(a string) { addrc <- a }) }()
	select {
	case a := <-addrc:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
		return "http://" + a
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	return ""
}

func apiCall(t *testing.T, method, url, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer admin-token-0123456789")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sqlCall(t *testing.T, base, query string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"query": query})
	return apiCall(t, http.MethodPost, base+"/api/v1/sql", "application/json", string(b))
}

// workerPIDs lists the query workers this process started.
func workerPIDs(t *testing.T) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc on this system")
	}
	var pids []int
	me := strconv.Itoa(os.Getpid())
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 || fields[1] != me {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if bytes.Contains(cmdline, []byte("sql-worker")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// A worker killed in the middle of an analyst's query: the query answers
// 503 worker_died, and the server still answers a real query, accepts an
// upload and reports itself healthy again. A query over the worker's
// memory fails alone, too.
func TestServeSurvivesItsQueryWorker(t *testing.T) {
	base := servedWithWorker(t, mustDemoDB(t), serveOptions{sqlMemory: "256MB", sqlCeiling: "2GiB"})
	if status, body := sqlCall(t, base, "SELECT count(*) AS n FROM payments"); status != 200 {
		t.Fatalf("a real query: %d %s", status, body)
	}
	for _, q := range []string{"SELECT * FROM collection_monthly LIMIT 1", "SELECT * FROM arrears_aging(DATE '2026-01-31')"} {
		if status, body := sqlCall(t, base, q); status != 200 {
			t.Errorf("%s in the worker's snapshot: %d %s", q, status, body)
		}
	}
	pids := workerPIDs(t)
	if len(pids) != 1 {
		t.Fatalf("query workers of this process: %v, want one", pids)
	}

	type answer struct {
		status int
		body   string
	}
	long := make(chan answer, 1)
	go func() {
		status, body := sqlCall(t, base, "SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3")
		long <- answer{status, body}
	}()
	// Wait until the worker is busy with the query (its CPU time grows),
	// then kill it.
	cpu := func() int64 {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pids[0]), "stat"))
		if err != nil {
			return -1
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		return utime
	}
	start := cpu()
	for c := cpu(); c >= 0 && c < start+5; c = cpu() {
		time.Sleep(10 * time.Millisecond) // polling for the event, not asserting on time
	}
	p, err := os.FindProcess(pids[0])
	if err != nil {
		t.Fatal(err)
	}
	p.Kill()
	a := <-long
	if a.status != 503 || !strings.Contains(a.body, `"worker_died"`) {
		t.Errorf("the killed query: %d %s, want 503 worker_died", a.status, a.body)
	}
	if status, body := sqlCall(t, base, "SELECT count(*) AS n FROM payments"); status != 200 {
		t.Errorf("a real query after the kill: %d %s", status, body)
	}
	// Under the race detector the worker has no ceiling to fail this query.
	if !raceDetector {
		if status, body := sqlCall(t, base, "SELECT repeat('x', 1000000) FROM range(10000)"); status == 200 {
			t.Errorf("a query of 10 GB: %d %.300s, want a failure", status, body)
		}
		if status, body := sqlCall(t, base, "SELECT count(*) AS n FROM payments"); status != 200 {
			t.Errorf("a real query after the huge one: %d %s", status, body)
		}
	}
	csv := "code,name,unit,rate,effective_from,effective_to\nWKR,Worker test fee,month,1.00,2026-01-01,\n"
	if status, body := apiCall(t, http.MethodPost, base+"/api/v1/ingest/fee_items", "text/csv", csv); status != 200 {
		t.Errorf("an upload after the kill: %d %s", status, body)
	}
	if status, body := apiCall(t, http.MethodGet, base+"/healthz", "", ""); status != 200 || !strings.Contains(body, `"worker": "ok"`) {
		t.Errorf("healthz after the recovery: %d %s", status, body)
	}
}

// serve reads the whole file before it opens it for writing, and refuses
// a damaged one without writing into it.
func TestServeRefusesADamagedDatabase(t *testing.T) {
	db := mustDemoDB(t)
	corruptTableBlock(t, db, "payments")
	before := fileDigest(t, db)
	loc, _ := time.LoadLocation("Asia/Taipei")
	tokens, _ := server.ParseTokens("admin:admin-token-0123456789")
	var errOut bytes.Buffer
	e := &env{stdout: io.Discard, stderr: &errOut, stdin: strings.NewReader(""), getenv: func(string) string { return "" }, now: time.Now}
	err := serve(context.Background(), e, serveOptions{db: db, addr: "127.0.0.1:0", tokens: tokens, loc: loc}, func(string) {
		t.Error("the server listened on a damaged database")
	})
	if err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), "payments") {
		t.Errorf("serve on a damaged file = %v, want a refusal naming the table", err)
	}
	if !strings.Contains(errOut.String(), "blocks: table payments") {
		t.Errorf("serve printed no report:\n%s", errOut.String())
	}
	if fileDigest(t, db) != before {
		t.Error("serve wrote into the damaged file")
	}
}
