package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/feeflow/feeflow/data"
)

// An admin downloads a consistent, checked copy of the database and the
// password key that goes with it; nothing is left in the spool folder; no
// one else gets either.
func TestBackupThroughTheServer(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	spool := t.TempDir()
	tokens, err := ParseTokens("admin:" + testToken + ",reader:analyst:" + "sha256:" + TokenDigest("analyst-token-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Store: store, Ingester: in, Tokens: tokens, TempDir: spool})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	get := func(path, token string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, path := range []string{"/api/v1/backup", "/api/v1/backup/key"} {
		if status, _ := get(path, ""); status != 401 {
			t.Errorf("%s without a token: %d, want 401", path, status)
		}
		if status, _ := get(path, "analyst-token-0123456789"); status != 403 {
			t.Errorf("%s as an analyst: %d, want 403", path, status)
		}
	}
	status, body := get("/api/v1/backup", testToken)
	if status != 200 {
		t.Fatalf("backup: %d %.300s", status, body)
	}
	out := filepath.Join(t.TempDir(), "copy.duckdb")
	if err := os.WriteFile(out, body, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cp, err := data.Open(ctx, out, data.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer cp.Close()
	const q = `SELECT string_agg(bill_id || '=' || amount_due::VARCHAR, ',' ORDER BY bill_id) FROM bills`
	var got, want string
	if err := cp.DB().QueryRowContext(ctx, q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if err := store.DB().QueryRowContext(ctx, q).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got != want || want == "" {
		t.Errorf("bills in the backup %q, want %q", got, want)
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Errorf("the spool folder keeps %d files after the backup", len(left))
	}
	status, key := get("/api/v1/backup/key", testToken)
	if status != 200 || string(key) != string(testKey)+"\n" {
		t.Errorf("backup key: %d %q", status, key)
	}
}
