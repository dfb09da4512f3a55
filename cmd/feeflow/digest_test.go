package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feeflow/feeflow/server"
)

// The demo's data always holds discrepancies older than a day and a
// reconciliation short of a perfect match; these rules catch them.
const digestRules = `{"rules": [
	{"name": "old", "kind": "discrepancy_age", "threshold": 1},
	{"name": "rate", "kind": "match_rate", "threshold": "1"}
]}`

// `feeflow digest --dry-run` prints the digest and the webhook's JSON and
// leaves the file as it was; a real run posts the alerts once, and a
// second run has nothing to send.
func TestDigestCommand(t *testing.T) {
	db := mustDemoDB(t)
	rules := writeFile(t, "rules.json", digestRules)
	var mu sync.Mutex
	var posts []map[string]json.RawMessage
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		posts = append(posts, m)
		mu.Unlock()
	}))
	defer ts.Close()

	before := fileDigest(t, db)
	code, out, errOut := runCmd(t, "", nil, "digest", "--db", db, "--alerts", rules, "--dry-run", "--lang", "zh-Hant", "--tz", "Asia/Taipei")
	if code != 0 {
		t.Fatalf("digest --dry-run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Subject: feeflow 警示：新增 ", "feeflow 警示摘要", "對帳差異逾期未結 · old: ", "--- webhook JSON", `"new": [`, `"kind": "discrepancy_age"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run's output lacks %q:\n%.2000s", want, out)
		}
	}
	if after := fileDigest(t, db); after != before {
		t.Error("digest --dry-run changed the database file")
	}

	vars := map[string]string{"FEEFLOW_WEBHOOK": ts.URL}
	code, out, errOut = runCmd(t, "", vars, "digest", "--db", db, "--alerts", rules, "--tz", "Asia/Taipei")
	if code != 0 || !strings.HasPrefix(out, "sent: ") || len(posts) != 1 {
		t.Fatalf("digest: exit %d, %d posts\n%s%s", code, len(posts), out, errOut)
	}
	var sent []struct{ Key string }
	if err := json.Unmarshal(posts[0]["new"], &sent); err != nil || len(sent) == 0 || !strings.HasPrefix(sent[0].Key, "old|") {
		t.Errorf("posted new alerts %s (%v)", posts[0]["new"], err)
	}
	code, out, _ = runCmd(t, "", vars, "digest", "--db", db, "--alerts", rules, "--tz", "Asia/Taipei")
	if code != 0 || !strings.HasPrefix(out, "nothing new, changed or resolved: nothing sent") || len(posts) != 1 {
		t.Errorf("second digest: exit %d, %d posts, %s", code, len(posts), out)
	}
}

func TestDigestUsage(t *testing.T) {
	db := mustDemoDB(t)
	rules := writeFile(t, "rules.json", digestRules)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no rules", []string{"digest", "--db", db, "--dry-run"}, "--alerts FILE is required"},
		{"nowhere to send", []string{"digest", "--db", db, "--alerts", rules}, "nowhere to send"},
		{"unknown language", []string{"digest", "--db", db, "--alerts", rules, "--dry-run", "--lang", "fr"}, `--lang "fr"`},
		{"mail without recipients", []string{"digest", "--db", db, "--alerts", rules, "--smtp", "127.0.0.1:25"}, "--smtp-from and --smtp-to"},
		{"bad rules", []string{"digest", "--db", db, "--alerts", writeFile(t, "bad.json", `{"rules": [{"name": "x", "kind": "weather"}]}`), "--dry-run"}, `kind "weather"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "", nil, append(tt.args, "--tz", "Asia/Taipei")...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("feeflow %s: exit %d, %q; want a failure saying %q", strings.Join(tt.args, " "), code, errOut, tt.want)
			}
		})
	}
}

// `feeflow serve --alerts FILE --webhook URL` evaluates the rules after a
// publish and posts the alerts.
func TestServeSendsAlertsAfterPublish(t *testing.T) {
	db := mustDemoDB(t)
	rules := writeFile(t, "rules.json", digestRules)
	var mu sync.Mutex
	posts := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		posts++
		mu.Unlock()
	}))
	defer ts.Close()
	// Analysts' queries run in-process (no worker, no snapshots): only the
	// site and the alerts are under test.
	e := &env{stdout: io.Discard, stderr: io.Discard, stdin: strings.NewReader(""), getenv: func(string) string { return "" }, now: time.Now}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	settings := alertFlags(e, fs)
	if err := fs.Parse([]string{"--alerts", rules, "--webhook", ts.URL}); err != nil {
		t.Fatal(err)
	}
	tokens, err := server.ParseTokens("admin:admin-token-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- serve(ctx, e, serveOptions{db: db, site: filepath.Join(t.TempDir(), "site"), addr: "127.0.0.1:0", tokens: tokens,
			maxUpload: 1 << 20, loc: time.UTC, alerts: settings}, func(a string) { addrc <- a })
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	if code, body := apiCall(t, "POST", base+"/api/v1/publish?wait=true", "", ""); code != http.StatusOK {
		t.Fatalf("publish: %d %s", code, body)
	}
	mu.Lock()
	n := posts
	mu.Unlock()
	if n != 1 {
		t.Errorf("after a publish the webhook got %d posts, want 1", n)
	}
	code, page := apiCall(t, "GET", base+"/alerts", "", "")
	if code != http.StatusOK || !strings.Contains(page, "Discrepancy open too long") {
		t.Errorf("GET /alerts: %d %.300s", code, page)
	}
}
