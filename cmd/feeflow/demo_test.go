package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/server"
)

func TestDemoNoServeBuildsSite(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, dir, nil, "demo", "--dir", "d", "--customers", "60", "--months", "2", "--no-serve")
	if code != 0 {
		t.Fatalf("demo --no-serve: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{"index.html", "en/index.html", "zh-Hant/index.html"} {
		if _, err := os.Stat(filepath.Join(dir, "d", "site", "current", f)); err != nil {
			t.Errorf("demo --no-serve published no %s: %v", f, err)
		}
	}
	if !strings.Contains(out, "site built:") || !strings.Contains(out, filepath.Join("d", "site", "current", "index.html")) {
		t.Errorf("demo --no-serve output does not say where the site is:\n%s", out)
	}
}

// serve publishes the site at start when there is none, and on request.
func TestServePublishesSite(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCmd(t, dir, nil, "demo", "--dir", "d", "--customers", "60", "--months", "2", "--no-serve"); code != 0 {
		t.Fatalf("demo --no-serve: exit %d\n%s%s", code, out, errOut)
	}
	tokens, err := server.ParseTokens("test:serve-token-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: io.Discard, stdin: strings.NewReader(""), getenv: func(string) string { return "" },
		now: func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	siteDir := filepath.Join(dir, "served-site") // a new folder: the server builds at start
	go func() {
		done <- serve(ctx, e, serveOptions{db: filepath.Join(dir, "d", "feeflow.duckdb"), site: siteDir, addr: "127.0.0.1:0",
			tokens: tokens, maxUpload: 1 << 20, loc: time.UTC}, func(addr string) { addrc <- addr })
	}()
	var base string
	select {
	case base = <-addrc:
		base = "http://" + base
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/en/index.html", nil)
		req.Header.Set("Authorization", "Bearer serve-token-0123456789") // the dashboard is for viewers
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the site was not published at start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/publish?wait=true", nil)
	req.Header.Set("Authorization", "Bearer serve-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"published"`) {
		t.Errorf("POST /api/v1/publish?wait=true = %s %s", resp.Status, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after cancel = %v", err)
	}
	if !strings.Contains(out.String(), "dashboard:") {
		t.Errorf("serve did not print the dashboard's address:\n%s", out.String())
	}
	if target, err := os.Readlink(filepath.Join(siteDir, "current")); err != nil || !strings.HasPrefix(target, "builds/") {
		t.Errorf("site folder's current = %q, %v", target, err)
	}
}
