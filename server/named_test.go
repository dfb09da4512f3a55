package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/site"
)

// TestPublicSiteNamesOnlyForSignedInViewers: a public site publishes two
// builds on each publish, each through its own site folder; anonymous
// readers get the one without names, people signed in as viewers the one
// with names, at the same address, and caches are told the answer varies
// with the cookie.
func TestPublicSiteNamesOnlyForSignedInViewers(t *testing.T) {
	in, store := testIngester(t)
	seed(t, in)
	ctx := context.Background()
	if err := analytics.Install(ctx, store); err != nil {
		t.Fatal(err)
	}
	addUser(t, store, "vera", "viewer-password-1", "viewer")
	build := func(names bool) func(ctx context.Context, dir string) error {
		return func(ctx context.Context, dir string) error {
			_, err := site.Build(ctx, analytics.New(store), site.Options{Out: dir, Langs: []string{"en"}, WithNames: names,
				AsOf: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), Now: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)})
			return err
		}
	}
	root := filepath.Join(t.TempDir(), "site")
	s := newServer(t, Config{Store: store, Ingester: in, TempDir: t.TempDir(), SiteDir: root, PublicSite: true,
		Publish: build(false), PublishNames: build(true)})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	if _, err := s.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, "signed-in")} {
		if _, err := os.Stat(filepath.Join(dir, currentLink, "en", "who-owes.html")); err != nil {
			t.Errorf("%s holds no published build: %v", dir, err)
		}
	}

	names := []string{"Chen Mei", "Lin Wei", "A-101", "B-202"}
	anon := newBrowser(t, ts.URL)
	viewer := newBrowser(t, ts.URL).mustSignIn("vera", "viewer-password-1")
	for _, page := range []string{"/en/who-owes.html", "/en/data/debtors.csv", "/en/data/debtor_bills.csv"} {
		resp, body := anon.get(page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("anonymous %s: %s", page, resp.Status)
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Cookie") {
			t.Errorf("%s: Vary %q, want Cookie", page, resp.Header.Get("Vary"))
		}
		for _, n := range names {
			if strings.Contains(body, n) {
				t.Errorf("anonymous %s shows %q", page, n)
			}
		}
		resp, named := viewer.get(page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("viewer %s: %s", page, resp.Status)
		}
		if !strings.Contains(page, "debtor_bills") { // the open bills' CSV lists customer IDs only
			for _, n := range names {
				if !strings.Contains(named, n) {
					t.Errorf("signed-in viewer's %s lacks %q", page, n)
				}
			}
		}
		for _, id := range []string{"A123456789", "6789", "B987654321", "4321"} {
			if strings.Contains(named, id) || strings.Contains(body, id) {
				t.Errorf("%s shows identity number %q", page, id)
			}
		}
	}
}
