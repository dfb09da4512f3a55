package reliability_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

func envInt(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return def
}

// TestLoadAccountsForEveryRow runs FEEFLOW_LOAD_UPLOADERS concurrent
// uploaders (default 4; the full suite uses 16) of FEEFLOW_LOAD_UPLOADS
// uploads each (default 10; full: 200) against the real server on loopback,
// with a time limit. A saturated server answers 503 with Retry-After and the
// clients come back; at the end every row of every acknowledged upload is in
// the database once. It reports latency percentiles and throughput.
func TestLoadAccountsForEveryRow(t *testing.T) {
	uploaders := envInt(t, "FEEFLOW_LOAD_UPLOADERS", 4)
	uploads := envInt(t, "FEEFLOW_LOAD_UPLOADS", 10)
	rowsPer := envInt(t, "FEEFLOW_LOAD_ROWS", 500)
	dir := t.TempDir()
	db := filepath.Join(dir, "load.duckdb")
	srv := startServer(t, db, "", "")
	defer srv.stop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fees := []byte("code,name,unit,rate,effective_from\nMGMT,Management,m2,2.50,2025-01-01\n")
	req, _ := http.NewRequest(http.MethodPost, "http://"+srv.addr+"/api/v1/ingest/fee_items", bytes.NewReader(fees))
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("fee items: %v %v", resp, err)
	}

	var (
		mu        sync.Mutex
		latencies []time.Duration
		ackedRows int64
		busy      atomic.Int64
	)
	// An analyst queries the whole time: reads must not stall ingest.
	var queries, queryErrs atomic.Int64
	var queryTime atomic.Int64
	stopQueries := make(chan struct{})
	var qwg sync.WaitGroup
	qwg.Add(1)
	go func() {
		defer qwg.Done()
		for {
			select {
			case <-stopQueries:
				return
			default:
			}
			body := strings.NewReader(`{"query": "SELECT method, count(*), sum(amount) FROM payments GROUP BY method ORDER BY method"}`)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+srv.addr+"/api/v1/sql", body)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				queryErrs.Add(1)
				if err == nil {
					resp.Body.Close()
				}
				time.Sleep(50 * time.Millisecond)
				continue
			}
			resp.Body.Close()
			queries.Add(1)
			queryTime.Add(int64(time.Since(t0)))
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	for u := 0; u < uploaders; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			for i := 0; i < uploads; i++ {
				b := makeBatch(fmt.Sprintf("U%02d%04d", u, i), rowsPer, true)
				acked := false
				for ctx.Err() == nil && !acked {
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+srv.addr+"/api/v1/ingest/payments", bytes.NewReader(b.body))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "text/csv")
					req.Header.Set("Idempotency-Key", b.name)
					t0 := time.Now()
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Errorf("upload %s: %v", b.name, err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode == http.StatusServiceUnavailable {
						busy.Add(1)
						if resp.Header.Get("Retry-After") == "" {
							t.Errorf("503 without Retry-After")
						}
						time.Sleep(200 * time.Millisecond)
						continue
					}
					if resp.StatusCode != 200 {
						t.Errorf("upload %s: %s", b.name, resp.Status)
						return
					}
					mu.Lock()
					latencies = append(latencies, time.Since(t0))
					ackedRows += int64(rowsPer)
					mu.Unlock()
					acked = true
				}
				if !acked {
					t.Errorf("upload %s: not accepted before the time limit", b.name)
					return
				}
			}
		}(u)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopQueries)
	qwg.Wait()
	srv.stop(t)
	if queries.Load() == 0 {
		t.Errorf("no analyst query succeeded while uploads ran (%d failed)", queryErrs.Load())
	}

	store, err := data.Open(context.Background(), db, data.Options{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var rows int64
	store.DB().QueryRow(`SELECT count(*) FROM payments`).Scan(&rows)
	if rows != ackedRows {
		t.Errorf("database holds %d payments, the acknowledged uploads %d", rows, ackedRows)
	}
	if len(latencies) == 0 {
		t.Fatal("no upload succeeded")
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	p := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }
	meanQuery := time.Duration(0)
	if n := queries.Load(); n > 0 {
		meanQuery = time.Duration(queryTime.Load() / n)
	}
	t.Logf("%d uploaders x %d uploads of %d rows: %d acknowledged in %s; latency p50 %s p99 %s; %.0f rows/s; %d answers 503 (busy); meanwhile %d analyst queries (mean %s, %d refused or failed)",
		uploaders, uploads, rowsPer, len(latencies), elapsed.Round(time.Millisecond), p(0.50).Round(time.Millisecond),
		p(0.99).Round(time.Millisecond), float64(ackedRows)/elapsed.Seconds(), busy.Load(), queries.Load(), meanQuery.Round(time.Millisecond), queryErrs.Load())
}
