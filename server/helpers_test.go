package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
)

// taipei is the zone the tests' exports are written in.
var taipei = time.FixedZone("Asia/Taipei", 8*3600)

const payHeader = "txn_id,paid_at,customer_id,bill_id,fee_item,amount,method,collector,receipt_no,status"

// testIngester opens a fresh database in t.TempDir() with an ingester on it.
func testIngester(tb testing.TB) (*ingest.Ingester, *data.Store) {
	tb.Helper()
	store, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "feeflow.duckdb"), data.Options{Threads: 2, Location: taipei})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	return ingest.New(store, ingest.Config{Location: taipei, Now: func() time.Time { return now }}), store
}

// csvLines joins lines into a CSV file body.
func csvLines(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// mustIngest ingests body as a file of kind and fails the test on any error.
func mustIngest(tb testing.TB, in *ingest.Ingester, kind string, body []byte) *ingest.Result {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), kind+".csv")
	if err := writeBytes(path, body); err != nil {
		tb.Fatal(err)
	}
	res, err := in.Ingest(context.Background(), ingest.Upload{Kind: kind, Path: path, FileName: kind + ".csv"})
	if err != nil {
		tb.Fatalf("ingest %s: %v", kind, err)
	}
	return res
}

// seed loads the reference data most tests build on: two fee items, two
// customers, three bills.
func seed(tb testing.TB, in *ingest.Ingester) {
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

func writeBytes(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }

// testKey is the tests' password key.
var testKey = PasswordKey("test-password-key-0123456789abcdef")

// newServer builds a server (with the tests' password key) and fails the
// test if it cannot.
func newServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if cfg.PasswordKey == nil {
		cfg.PasswordKey = testKey
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The site folder's names, as site/publish lays it out.
const (
	buildsDir   = "builds"
	currentLink = "current"
	staleMarker = ".stale"
	linkPrefix  = ".current-"
)

// dump renders every row of every table of the store as text, so a test can
// tell that a request changed nothing.
func dump(tb testing.TB, store *data.Store) string {
	tb.Helper()
	var b strings.Builder
	for _, table := range append(ingest.KindNames(), "ingest_batches", "ingest_idempotency") {
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
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(fmt.Sprint(v), "\n", " ")) + "|")
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

// addUser stores a user with a password and roles.
func addUser(tb testing.TB, store *data.Store, name, password, roles string) {
	tb.Helper()
	hash, err := testKey.Hash(password)
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.AddUser(context.Background(), data.Account{Name: name, Secret: hash, Roles: roles, CreatedAt: time.Now()}); err != nil {
		tb.Fatal(err)
	}
}

// browser is a person's browser: it keeps cookies and never follows redirects.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string // the session's CSRF token, read from the upload page
}

func newBrowser(tb testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: tb, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path, contentType string, body []byte) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return b.do(req)
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// signIn fills the sign-in form as a person would; it reports the status
// of the answer to the form.
func (b *browser) signIn(name, password string) int {
	b.t.Helper()
	_, page := b.get("/login")
	m := hiddenCSRF.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("the sign-in page has no CSRF field:\n%s", page)
	}
	form := url.Values{"name": {name}, "password": {password}, "csrf": {m[1]}, "next": {"/upload"}}
	resp, _ := b.post("/login", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if resp.StatusCode == http.StatusSeeOther {
		b.readCSRF()
	}
	return resp.StatusCode
}

// readCSRF takes the session's CSRF token from the sign-out form of the
// upload page (signed-in people of every role see it there, or are refused).
func (b *browser) readCSRF() {
	b.t.Helper()
	_, page := b.get("/upload")
	if m := hiddenCSRF.FindStringSubmatch(page); m != nil {
		b.csrf = m[1]
	}
}

// mustSignIn signs in and fails the test unless that worked.
func (b *browser) mustSignIn(name, password string) *browser {
	b.t.Helper()
	if status := b.signIn(name, password); status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d, want 303", name, status)
	}
	return b
}
