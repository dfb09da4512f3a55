package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// batch is one upload of the crash suite and what the client learnt of it.
type batch struct {
	name    string
	body    []byte
	rows    int
	valid   bool   // every row is good: the upload must be all-or-nothing
	outcome string // "acked", "rejected", "duplicate", or "" (no answer: the server died)
	batchID string
}

// makeBatch writes n payments whose txn_ids all start with the batch name;
// an invalid batch has one bad amount in its last row.
func makeBatch(name string, n int, valid bool) *batch {
	var b bytes.Buffer
	b.WriteString("txn_id,paid_at,fee_item,amount,method,collector\n")
	for i := 0; i < n; i++ {
		amount := fmt.Sprintf("%d.%02d", 10+i%900, i%100)
		if !valid && i == n-1 {
			amount = "12.345"
		}
		fmt.Fprintf(&b, "%s-%06d,2026-09-%02d 10:%02d:00,MGMT,%s,cash,Wang\n", name, i, 1+i%28, i%60, amount)
	}
	return &batch{name: name, body: b.Bytes(), rows: n, valid: valid}
}

// send uploads a batch with its name as Idempotency-Key; no answer leaves
// the outcome empty.
func send(ctx context.Context, addr string, b *batch) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v1/ingest/payments?filename="+b.name+".csv", bytes.NewReader(b.body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Idempotency-Key", b.name)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return
	}
	var a struct {
		BatchID     string  `json:"batch_id"`
		DuplicateOf *string `json:"duplicate_of"`
	}
	json.Unmarshal(raw, &a)
	switch {
	case resp.StatusCode == 200 && a.DuplicateOf != nil:
		b.outcome, b.batchID = "duplicate", *a.DuplicateOf
	case resp.StatusCode == 200:
		b.outcome, b.batchID = "acked", a.BatchID
	case resp.StatusCode == 422:
		b.outcome = "rejected"
	}
}

// kills is the number of SIGKILLs of the crash suite: FEEFLOW_CRASH_KILLS, or
// 6 for the short variant that runs in CI.
func kills(t *testing.T) int {
	if s := os.Getenv("FEEFLOW_CRASH_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return 6
}

// TestCrashKeepsAcknowledgedBatchesExactlyOnce uploads a stream of valid,
// invalid and repeated batches while killing the server with SIGKILL at
// random moments (some in the middle of a large upload) and restarting it,
// retrying unanswered batches with their Idempotency-Key. At the end every
// acknowledged batch is in the database exactly once, every rejected one is
// absent, every other one is absent or whole, and no key appears twice.
func TestCrashKeepsAcknowledgedBatchesExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crash.duckdb")
	site := filepath.Join(dir, "site")
	srv := startServer(t, db, site, "")
	addr := srv.addr
	ctx := context.Background()
	fees := &batch{name: "fees", body: []byte("code,name,unit,rate,effective_from\nMGMT,Management,m2,2.50,2025-01-01\n")}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/ingest/fee_items", bytes.NewReader(fees.body))
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("fee items: %v %v", resp, err)
	}

	rng := rand.New(rand.NewPCG(1, 2))    // the client's choices
	killer := rand.New(rand.NewPCG(3, 4)) // when to kill: its own source, read by this goroutine only
	var (
		mu      sync.Mutex
		batches []*batch
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the client: one upload after another until told to stop
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var b *batch
			switch r := rng.IntN(100); {
			case r < 10: // a large upload, long enough to be killed in the middle
				b = makeBatch(fmt.Sprintf("L%04d", i), 40000, true)
			case r < 25:
				b = makeBatch(fmt.Sprintf("X%04d", i), 50, false)
			case r < 35 && len(batches) > 0: // the same file again
				mu.Lock()
				prev := batches[rng.IntN(len(batches))]
				mu.Unlock()
				b = &batch{name: prev.name, body: prev.body, rows: prev.rows, valid: prev.valid}
			default:
				b = makeBatch(fmt.Sprintf("V%04d", i), 1+rng.IntN(300), true)
			}
			mu.Lock()
			batches = append(batches, b)
			a := addr
			mu.Unlock()
			send(ctx, a, b)
			if b.outcome == "" {
				time.Sleep(100 * time.Millisecond) // the server is down; the retry comes after the restart
			}
		}
	}()

	n := kills(t)
	siteChecks := 0
	for k := 0; k < n; k++ {
		time.Sleep(time.Duration(150+killer.IntN(900)) * time.Millisecond)
		srv.kill()
		// The server rebuilds the site after uploads; a kill in the middle
		// of a build must leave the old build or the new one, whole.
		if checkSiteWhole(t, site) {
			siteChecks++
		}
		// The metric facts commit with their batch: after the kill they
		// still equal their recomputation from the base tables.
		checkFacts(t, db, fmt.Sprintf("kill %d", k+1))
		srv = startServer(t, db, site, addr)
	}
	close(stop)
	wg.Wait()
	// Retry every unanswered batch with its key, as a client would.
	unanswered := 0
	for _, b := range batches {
		if b.outcome == "" {
			unanswered++
			send(ctx, addr, b)
			if b.outcome == "" {
				t.Errorf("batch %s: no answer even from a running server", b.name)
			}
		}
	}
	srv.stop(t)
	// Spool files of killed uploads are swept when the server starts again;
	// the last, stopped gracefully, removed its own.
	if left, err := os.ReadDir(db + ".spool"); err != nil || len(left) != 0 {
		t.Errorf("spool folder after the kills: %d files left (%v)", len(left), err)
	}

	store, err := data.Open(ctx, db, data.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var dupKeys int
	store.DB().QueryRow(`SELECT count(*) FROM (SELECT txn_id FROM payments GROUP BY txn_id HAVING count(*) > 1)`).Scan(&dupKeys)
	if dupKeys != 0 {
		t.Errorf("%d txn_ids appear more than once", dupKeys)
	}
	present := map[string]int{}
	rows, err := store.DB().Query(`SELECT split_part(txn_id, '-', 1), count(*) FROM payments GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var c int
		rows.Scan(&name, &c)
		present[name] = c
	}
	rows.Close()
	acked, rejected, partial, lost := 0, 0, 0, 0
	seen := map[string]bool{}
	for _, b := range batches {
		if seen[b.name] {
			continue
		}
		seen[b.name] = true
		got := present[b.name]
		switch {
		case !b.valid:
			if got != 0 {
				t.Errorf("rejected batch %s left %d rows", b.name, got)
			}
			rejected++
		case got != 0 && got != b.rows:
			partial++
			t.Errorf("batch %s is partial: %d of %d rows", b.name, got, b.rows)
		case got == 0:
			lost++
			t.Errorf("batch %s was acknowledged (%s) but is absent", b.name, b.outcome)
		default:
			acked++
		}
	}
	var batchRows int
	store.DB().QueryRow(`SELECT coalesce(sum(rows_accepted), 0) FROM ingest_batches WHERE kind = 'payments'`).Scan(&batchRows)
	var payments int
	store.DB().QueryRow(`SELECT count(*) FROM payments`).Scan(&payments)
	if batchRows != payments {
		t.Errorf("batch records account for %d rows, the table holds %d", batchRows, payments)
	}
	store.Close()
	checkFacts(t, db, "the last upload")
	t.Logf("kills %d, uploads %d (%d unanswered, retried), distinct batches %d: %d present whole, %d rejected and absent, %d partial, %d lost, %d duplicate keys; %d payment rows; site whole after %d kills",
		n, len(batches), unanswered, len(seen), acked, rejected, partial, lost, dupKeys, payments, siteChecks)
}

// checkFacts fails the test unless every metric fact of the database equals
// its recomputation from the base tables.
func checkFacts(t *testing.T, db, when string) {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, db, data.Options{Location: time.UTC})
	if err != nil {
		t.Fatalf("%s: open: %v", when, err)
	}
	defer store.Close()
	if err := analytics.Verify(ctx, store); err != nil {
		return // the server was killed before it first installed the metrics
	}
	diffs, err := analytics.CheckFacts(ctx, store.DB())
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	for _, d := range diffs {
		if d.Extra != 0 || d.Missing != 0 {
			t.Errorf("after %s: %s has %d rows not in its recomputation and lacks %d of them", when, d.Table, d.Extra, d.Missing)
		}
	}
}

// checkSiteWhole reports whether a published site exists and, if so, fails
// the test unless the build it points to is complete.
func checkSiteWhole(t *testing.T, site string) bool {
	t.Helper()
	current := filepath.Join(site, "current")
	if _, err := os.Lstat(current); err != nil {
		return false // nothing published yet
	}
	for _, f := range []string{"index.html", "en/index.html", "zh-Hant/index.html", "en/reconciliation.html", "assets/echarts.min.js", "assets/charts.js"} {
		if st, err := os.Stat(filepath.Join(current, f)); err != nil || st.Size() == 0 {
			t.Errorf("published site is torn after a kill: %s: %v", f, err)
		}
	}
	return true
}
