package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

const (
	analystToken = "analyst-token-0123456789"
	legacyToken  = "legacy-token-0123456789"
	dbToken      = "stored-token-0123456789"
)

// accessServer is a server with a published site, a person of each role,
// and tokens of each form. Its clock moves only when the test moves it.
func accessServer(t *testing.T) (*httptest.Server, *Server, *atomic.Int64) {
	t.Helper()
	in, store := testIngester(t)
	seed(t, in)
	tokens, err := ReadTokensFile(strings.NewReader(
		"etl:analyst:sha256:" + TokenDigest(analystToken) + "\n" +
			"old-script:" + legacyToken + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, roles string }{{"vera", "viewer"}, {"mei", "finance"}, {"ann", "analyst"}, {"root", "admin"}} {
		addUser(t, store, u.name, u.name+"-password", u.roles)
	}
	if err := store.SetToken(context.Background(), data.Account{Name: "loader", Secret: TokenDigest(dbToken), Roles: "finance", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).Unix())
	var built chan buildResult
	s := newServer(t, Config{
		Store: store, Ingester: in, Tokens: tokens, TempDir: t.TempDir(),
		SiteDir: filepath.Join(t.TempDir(), "site"), Publish: (&fakeSite{}).publish,
		SessionTTL: time.Hour, Now: func() time.Time { return time.Unix(now.Load(), 0) },
	})
	_, built = observe(s.pub)
	s.Start()
	awaitBuild(t, built)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Shutdown(context.Background()) })
	return ts, s, &now
}

// reach says what a request could do: "ok", or the status it got.
func status(resp *http.Response) string {
	switch {
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return "login"
	case resp.StatusCode < 300:
		return "ok"
	}
	return resp.Status[:3]
}

func TestRolesDecideWhatEachMayDo(t *testing.T) {
	ts, _, _ := accessServer(t)
	payment := csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")
	type try struct{ site, uploadPage, ingest, sql, publish string }
	run := func(b *browser, header http.Header, csrf string) try {
		do := func(method, path, ctype string, body []byte) *http.Response {
			req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(string(body)))
			for k, v := range header {
				req.Header[k] = v
			}
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if csrf != "" {
				req.Header.Set(csrfHeader, csrf)
			}
			resp, _ := b.do(req)
			return resp
		}
		return try{
			site:       status(do("GET", "/", "", nil)),
			uploadPage: status(do("GET", "/upload", "", nil)),
			ingest:     status(do("POST", "/api/v1/ingest/payments?dry_run=true", "text/csv", payment)),
			sql:        status(do("POST", "/api/v1/sql", "text/plain", []byte("SELECT 1"))),
			publish:    status(do("POST", "/api/v1/publish", "", nil)),
		}
	}
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	for _, tc := range []struct {
		name string
		who  func() (*browser, http.Header, string)
		want try
	}{
		{"nobody", func() (*browser, http.Header, string) { return newBrowser(t, ts.URL), nil, "" },
			try{"login", "login", "401", "401", "401"}},
		{"bad token", func() (*browser, http.Header, string) {
			return newBrowser(t, ts.URL), bearer("not-a-token-0123456789"), ""
		}, try{"login", "login", "401", "401", "401"}},
		{"viewer", func() (*browser, http.Header, string) {
			b := newBrowser(t, ts.URL).mustSignIn("vera", "vera-password")
			return b, nil, b.csrf
		}, try{"ok", "403", "403", "403", "403"}},
		{"finance", func() (*browser, http.Header, string) {
			b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password")
			return b, nil, b.csrf
		}, try{"403", "ok", "ok", "403", "403"}},
		{"analyst", func() (*browser, http.Header, string) {
			b := newBrowser(t, ts.URL).mustSignIn("ann", "ann-password")
			return b, nil, b.csrf
		}, try{"403", "403", "403", "ok", "403"}},
		{"admin", func() (*browser, http.Header, string) {
			b := newBrowser(t, ts.URL).mustSignIn("root", "root-password")
			return b, nil, b.csrf
		}, try{"ok", "ok", "ok", "ok", "ok"}},
		{"session without CSRF token", func() (*browser, http.Header, string) {
			return newBrowser(t, ts.URL).mustSignIn("root", "root-password"), nil, ""
		}, try{"ok", "ok", "403", "403", "403"}},
		{"analyst token", func() (*browser, http.Header, string) { return newBrowser(t, ts.URL), bearer(analystToken), "" },
			try{"403", "403", "403", "ok", "403"}},
		{"token from before roles", func() (*browser, http.Header, string) { return newBrowser(t, ts.URL), bearer(legacyToken), "" },
			try{"ok", "ok", "ok", "ok", "ok"}},
		{"token stored in the database", func() (*browser, http.Header, string) { return newBrowser(t, ts.URL), bearer(dbToken), "" },
			try{"403", "ok", "ok", "403", "403"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(tc.who()); got != tc.want {
				t.Errorf("site, upload page, ingest, sql, publish = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSignIn(t *testing.T) {
	ts, _, now := accessServer(t)
	b := newBrowser(t, ts.URL)
	if status := b.signIn("mei", "wrong-password"); status != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", status)
	}
	if status := b.signIn("nobody", "mei-password"); status != http.StatusUnauthorized {
		t.Errorf("unknown user: %d, want 401", status)
	}
	// A sign-in form posted from another site carries no matching token.
	form := url.Values{"name": {"mei"}, "password": {"mei-password"}, "csrf": {"forged"}}
	if resp, _ := newBrowser(t, ts.URL).post("/login", "application/x-www-form-urlencoded", []byte(form.Encode())); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without the form's CSRF cookie: %s, want 403", resp.Status)
	}

	b.mustSignIn("mei", "mei-password")
	var cookie *http.Cookie
	u, _ := url.Parse(ts.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie")
	}
	// The attributes the browser got.
	resp, _ := newBrowser(t, ts.URL).get("/login")
	setCookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("cookie %q lacks %s", setCookie, want)
		}
	}

	// Sessions expire.
	if resp, _ := b.get("/upload"); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in: GET /upload = %s", resp.Status)
	}
	now.Add(int64(time.Hour / time.Second))
	if resp, _ := b.get("/upload"); status(resp) != "login" {
		t.Errorf("after the session's hour: GET /upload = %s, want the sign-in page", resp.Status)
	}

	// Signing out ends the session on the server, not only in the browser.
	b.mustSignIn("mei", "mei-password")
	var value string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			value = c.Value
		}
	}
	if resp, _ := b.post("/logout", "application/x-www-form-urlencoded", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token: %s, want 403", resp.Status)
	}
	if resp, _ := b.post("/logout?csrf="+b.csrf, "application/x-www-form-urlencoded", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-out: %s", resp.Status)
	}
	replay := newBrowser(t, ts.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value}})
	if resp, _ := replay.get("/upload"); status(resp) != "login" {
		t.Errorf("the cookie of a signed-out session still opens /upload: %s", resp.Status)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/upload":               "/upload",
		"/en/index.html?x=1":    "/en/index.html?x=1",
		"//evil.example/":       "/",
		"https://evil.example/": "/",
		`/\evil.example`:        "/",
		"upload":                "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// A stranger's request is answered from its headers: the body is never
// read, so a slow or endless body holds nothing.
func TestStrangersAreRefusedBeforeTheBody(t *testing.T) {
	ts, s, _ := accessServer(t)
	for _, path := range []string{"/api/v1/ingest/payments", "/upload", "/api/v1/sql", "/api/v1/publish"} {
		t.Run(path, func(t *testing.T) {
			body, w := io.Pipe()
			defer w.Close()
			req, _ := http.NewRequest(http.MethodPost, ts.URL+path, body)
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set("Authorization", "Bearer not-a-token-0123456789")
			go w.Write([]byte("txn_id,paid_at\n")) // and then nothing more, ever
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized && status(resp) != "login" {
				t.Errorf("POST %s with a bad token and an endless body = %s, want 401", path, resp.Status)
			}
		})
	}
	if len(s.slots) != 0 {
		t.Errorf("%d upload slots held after strangers' requests", len(s.slots))
	}
}

func TestUploadSlotsPerUser(t *testing.T) {
	ts, s, _ := accessServer(t)
	// mei holds as many uploads as one person may.
	var releases []func()
	for range s.cfg.MaxQueuedPerUser {
		release, err := s.admit("mei")
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	b := newBrowser(t, ts.URL).mustSignIn("mei", "mei-password")
	ct, body := multipartBody(t, map[string]string{"kind": "payments", "dry_run": "true"}, "p.csv", csvLines(payHeader))
	if resp, _ := b.post("/upload?csrf="+b.csrf, ct, body); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("mei's upload beyond her share = %s (Retry-After %q), want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	// Someone else still gets in.
	resp, a := post(t, ts.URL+"/api/v1/ingest/payments?dry_run=true", "text/csv", dbToken, csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("another uploader while mei's share is taken = %s %+v, want 200", resp.Status, a)
	}
	for _, r := range releases {
		r()
	}
	if len(s.slots) != 0 || len(s.perUser) != 0 {
		t.Errorf("slots left held: %d, per user %v", len(s.slots), s.perUser)
	}
}

func TestParseRoles(t *testing.T) {
	for in, want := range map[string]Roles{
		"viewer":          Roles(Viewer),
		"finance+analyst": Roles(Finance | Analyst),
		"Admin":           Roles(Admin),
		"viewer,finance":  Roles(Viewer | Finance),
	} {
		if got, err := ParseRoles(in); err != nil || got != want {
			t.Errorf("ParseRoles(%q) = %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "boss", "finance+boss"} {
		if _, err := ParseRoles(bad); err == nil {
			t.Errorf("ParseRoles(%q) accepted", bad)
		}
	}
	if !Roles(Admin).Has(Finance) || Roles(Viewer).Has(Finance) || Roles(Finance|Analyst).String() != "finance+analyst" {
		t.Error("Has or String is wrong")
	}
	if _, err := ParseTokens("x:finance+boss:sha256:" + TokenDigest("t")); err == nil {
		t.Error("a token line naming an unknown role was accepted")
	}
}

// The hashes in the database are of no use without the key file: the same
// password under another key does not sign in.
func TestPasswordHashesNeedTheKey(t *testing.T) {
	hash, err := testKey.Hash("mei-password")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "mei-password") {
		t.Fatal("the hash holds the password")
	}
	in, store := testIngester(t)
	if err := store.AddUser(context.Background(), data.Account{Name: "mei", Secret: hash, Roles: "finance", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int{string(testKey): http.StatusSeeOther, "another-key-0123456789abcdef": http.StatusUnauthorized} {
		s := newServer(t, Config{Store: store, Ingester: in, PasswordKey: PasswordKey(key)})
		ts := httptest.NewServer(s.Handler())
		if got := newBrowser(t, ts.URL).signIn("mei", "mei-password"); got != want {
			t.Errorf("sign-in with the key %.7s…: %d, want %d", key, got, want)
		}
		ts.Close()
	}
	if _, err := PasswordKey("short").Hash("mei-password"); err == nil {
		t.Error("a short key was accepted")
	}
}

// A second visit to the sign-in page (another tab, a favicon fetch sent
// there) keeps the token of the form already shown.
func TestSignInFormTokenSurvivesAnotherVisit(t *testing.T) {
	ts, _, _ := accessServer(t)
	b := newBrowser(t, ts.URL)
	_, first := b.get("/login")
	b.get("/favicon.ico") // redirected to /login by the browser
	b.get("/login")
	m := hiddenCSRF.FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no CSRF field")
	}
	form := url.Values{"name": {"mei"}, "password": {"mei-password"}, "csrf": {m[1]}}
	if resp, _ := b.post("/login", "application/x-www-form-urlencoded", []byte(form.Encode())); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the first form after another visit: %s, want 303", resp.Status)
	}
}
