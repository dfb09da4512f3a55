package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/shopspring/decimal"
)

// mailbox is a small SMTP server on a loopback address that keeps every
// message it accepts; it never offers STARTTLS, and offers AUTH PLAIN
// when auth is set, keeping what it was sent.
type mailbox struct {
	addr string
	auth bool
	// tls offers STARTTLS, and on it ends the connection (it has no
	// certificate): the test sees the client ask for it.
	tls      bool
	starttls int
	mu       sync.Mutex
	msgs     []mailed
	creds    []string
}

type mailed struct {
	from string
	to   []string
	data string
}

func newMailbox(t *testing.T) *mailbox { return newMailboxOn(t, "127.0.0.1", false, false) }

func newMailboxOn(t *testing.T, host string, auth, tls bool) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	mb := &mailbox{addr: ln.Addr().String(), auth: auth, tls: tls}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go mb.session(c)
		}
	}()
	return mb
}

func (mb *mailbox) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 mailbox ESMTP")
	var m mailed
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			switch {
			case mb.tls:
				say("250-mailbox")
				say("250 STARTTLS")
			case mb.auth:
				say("250-mailbox")
				say("250 AUTH PLAIN")
			default:
				say("250 mailbox")
			}
		case mb.tls && cmd == "STARTTLS":
			mb.mu.Lock()
			mb.starttls++
			mb.mu.Unlock()
			say("220 go ahead")
			return
		case mb.auth && strings.HasPrefix(cmd, "AUTH PLAIN"):
			mb.mu.Lock()
			mb.creds = append(mb.creds, strings.TrimSpace(line[len("AUTH PLAIN"):]))
			mb.mu.Unlock()
			say("235 ok")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = mailed{from: strings.TrimSpace(line[len("MAIL FROM:"):])}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.to = append(m.to, strings.TrimSpace(line[len("RCPT TO:"):]))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = b.String()
			mb.mu.Lock()
			mb.msgs = append(mb.msgs, m)
			mb.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("500 unknown")
		}
	}
}

func (mb *mailbox) messages() []mailed {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]mailed{}, mb.msgs...)
}

// hook is a webhook receiver: it keeps every body and answers status.
type hook struct {
	mu     sync.Mutex
	status int
	bodies []webhookBody
}

type webhookBody struct {
	AsOf     string         `json:"as_of"`
	Open     int            `json:"open"`
	New      []webhookAlert `json:"new"`
	Changed  []webhookAlert `json:"changed"`
	Resolved []webhookAlert `json:"resolved"`
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b webhookBody
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	err := dec.Decode(&b)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil || r.Header.Get("Content-Type") != "application/json" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.bodies = append(h.bodies, b)
	w.WriteHeader(h.status)
}

func (h *hook) set(status int) {
	h.mu.Lock()
	h.status = status
	h.mu.Unlock()
}

func (h *hook) received() []webhookBody {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]webhookBody{}, h.bodies...)
}

// alertData is a small day of collection: Chen (North) paid B1's 250.00 in
// cash to Wang, who deposited 200.00; Lin's (South) B2 of 1100.00 is unpaid.
func alertData(t *testing.T) (*ingest.Ingester, *data.Store) {
	in, store := testIngester(t)
	seed(t, in)
	mustIngest(t, in, "payments", csvLines(payHeader, "P1,2026-09-20 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed"))
	mustIngest(t, in, "settlements", csvLines("settlement_id,channel,txn_ref,amount,settled_at,fee,collector",
		"S1,cash_deposit,,200.00,2026-09-20 18:00,0,Wang"))
	if err := analytics.Install(context.Background(), store); err != nil {
		t.Fatal(err)
	}
	return in, store
}

func alertRules() []analytics.Rule {
	return []analytics.Rule{
		{Name: "cash", Kind: analytics.RuleCashShort, Threshold: decimal.RequireFromString("10")},
		{Name: "arrears", Kind: analytics.RuleAreaArrears, Threshold: decimal.RequireFromString("1000")},
	}
}

func keys(l []webhookAlert) string {
	var s []string
	for _, a := range l {
		s = append(s, a.Key+"="+string(a.Value))
	}
	return strings.Join(s, ",")
}

// The alerts reach the mailbox and the webhook once; a second run sends
// nothing; a change is sent again; a failed delivery marks nothing sent, so
// the next run sends it; a resolved alert is reported once.
func TestAlertsAreSentOnceAndAgainWhenTheyChange(t *testing.T) {
	in, store := alertData(t)
	mb := newMailbox(t)
	h := &hook{status: http.StatusOK}
	ts := httptest.NewServer(h)
	defer ts.Close()
	al := &Alerter{Store: store, Rules: alertRules(), Lang: "en", PublicURL: "https://feeflow.example.org/",
		SMTP:    &SMTP{Addr: mb.addr, From: "feeflow@example.org", To: []string{"boss@example.org", "finance@example.org"}},
		Webhook: &Webhook{URL: ts.URL}, Now: func() time.Time { return time.Date(2026, 9, 21, 1, 0, 0, 0, time.UTC) }}
	ctx := context.Background()
	step := func(name string, wantSent bool, wantNew, wantChanged, wantResolved string) {
		t.Helper()
		mails, posts := len(mb.messages()), len(h.received())
		run, err := al.Run(ctx, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if run.Sent != wantSent {
			t.Fatalf("%s: sent %v, want %v", name, run.Sent, wantSent)
		}
		gotMails, gotPosts := len(mb.messages())-mails, len(h.received())-posts
		want := 0
		if wantSent {
			want = 1
		}
		if gotMails != want || gotPosts != want {
			t.Fatalf("%s: %d mails and %d posts, want %d of each", name, gotMails, gotPosts, want)
		}
		if !wantSent {
			return
		}
		b := h.received()[posts]
		if got := keys(b.New) + " | " + keys(b.Changed) + " | " + keys(b.Resolved); got != wantNew+" | "+wantChanged+" | "+wantResolved {
			t.Errorf("%s: webhook new | changed | resolved = %s, want %s | %s | %s", name, got, wantNew, wantChanged, wantResolved)
		}
	}

	step("first run", true, "cash|cash:Wang:2026-09-20=50,arrears|South=1100", "", "")
	m := mb.messages()[0]
	if m.from != "<feeflow@example.org>" || strings.Join(m.to, " ") != "<boss@example.org> <finance@example.org>" {
		t.Errorf("envelope from %s to %v", m.from, m.to)
	}
	text, html := mailParts(t, m.data)
	for _, want := range []string{"New (2)", "Cash deposit short · cash: cash:Wang:2026-09-20 (Wang)", "50.00 (threshold 10.00), since 2026-09-20",
		"https://feeflow.example.org/en/reconciliation.html#open", "https://feeflow.example.org/alerts?lang=en"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`<html lang="en">`, `href="https://feeflow.example.org/en/arrears.html#aging"`, "Area arrears above limit"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML part lacks %q:\n%s", want, html)
		}
	}
	if b := h.received()[0]; b.AsOf != "2026-09-20" || b.Open != 2 || b.New[0].Threshold != "10" || b.New[0].Link != "https://feeflow.example.org/en/reconciliation.html#open" {
		t.Errorf("webhook body %+v", b)
	}

	step("nothing changed", false, "", "", "")

	// Lin pays 50.00 of B2 in cash to Li, who deposits it: South owes 1050.00.
	mustIngest(t, in, "payments", csvLines(payHeader, "P2,2026-09-20 11:00,C002,B2,PARK,50.00,cash,Li,R2,completed"))
	mustIngest(t, in, "settlements", csvLines("settlement_id,channel,txn_ref,amount,settled_at,fee,collector", "S2,cash_deposit,,50.00,2026-09-20 18:10,0,Li"))
	step("arrears changed", true, "", "arrears|South=1050", "")

	// Wang deposits 40.00 more: short by 10.00, not more; the webhook is down.
	mustIngest(t, in, "settlements", csvLines("settlement_id,channel,txn_ref,amount,settled_at,fee,collector", "S3,cash_deposit,,40.00,2026-09-20 18:20,0,Wang"))
	h.set(http.StatusServiceUnavailable)
	posts := len(h.received())
	if run, err := al.Run(ctx, false); err == nil || run.Sent {
		t.Fatalf("webhook down: sent %v, err %v; want an error", run != nil && run.Sent, err)
	}
	if len(h.received()) != posts+1 {
		t.Fatalf("webhook down: %d posts, want 1", len(h.received())-posts)
	}
	h.set(http.StatusOK)
	step("after the failure", true, "", "", "cash|cash:Wang:2026-09-20=50")
	step("resolved once", false, "", "", "")

	states, _, err := store.AlertStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 || states[0].Key != "arrears|South" || states[0].SentFingerprint != states[0].Fingerprint {
		t.Errorf("remembered %+v, want only arrears|South, sent", states)
	}
}

// mailParts checks the message is multipart/alternative, plain text then
// HTML, and returns both decoded.
func mailParts(t *testing.T, data string) (text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil || s != "feeflow alerts: 2 new, 0 changed, 0 resolved" {
		t.Errorf("Subject = %q (%v)", s, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, p.Header.Get("Content-Type"))
		switch p.Header.Get("Content-Type") {
		case "text/plain; charset=utf-8":
			text = strings.ReplaceAll(string(b), "\r\n", "\n")
		case "text/html; charset=utf-8":
			html = string(b)
		}
	}
	if strings.Join(types, ", ") != "text/plain; charset=utf-8, text/html; charset=utf-8" {
		t.Errorf("parts %v, want plain text then HTML", types)
	}
	return text, html
}

// A dry run reports what would be sent and writes nothing.
func TestAlertsDryRunWritesNothing(t *testing.T) {
	_, store := alertData(t)
	al := &Alerter{Store: store, Rules: alertRules(), Lang: "zh-Hant", Webhook: &Webhook{URL: "http://127.0.0.1:1/never"}}
	run, err := al.Run(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.New) != 2 || run.Sent || !strings.Contains(run.Digest.Text(), "現金繳存短缺") {
		t.Errorf("dry run: %d new, sent %v, text %q", len(run.New), run.Sent, run.Digest.Text())
	}
	states, ev, err := store.AlertStates(context.Background())
	if err != nil || len(states) != 0 || !ev.EvaluatedAt.IsZero() {
		t.Errorf("after a dry run: %d alerts remembered, evaluated at %v (%v); want none", len(states), ev.EvaluatedAt, err)
	}
}

// The alerts page, to viewers in three languages; admins also see the
// rules; strangers are sent to sign in.
func TestAlertsPage(t *testing.T) {
	_, store := alertData(t)
	al := &Alerter{Store: store, Rules: alertRules(), Lang: "en"}
	if _, err := al.Run(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	addUser(t, store, "wu", "wu-password-123", "viewer")
	addUser(t, store, "root", "root-password-123", "admin")
	srv := newServer(t, Config{Store: store, TempDir: t.TempDir(), Alerts: al})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	resp, _ := newBrowser(t, ts.URL).get("/alerts")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("a stranger: %d to %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	viewer := newBrowser(t, ts.URL).mustSignIn("wu", "wu-password-123")
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{`<html lang="en">`, "Cash deposit short", "cash:Wang:2026-09-20 (Wang)", "50.00", "10.00", "2026-09-20", `href="/en/reconciliation.html#open"`, "Area arrears above limit", "South", "1100.00", `href="/en/arrears.html#aging"`, "2 alerts hold."}},
		{"zh-Hant", []string{`<html lang="zh-Hant">`, "警示", "現金繳存短缺", "區域欠費超過上限", `href="/zh-Hant/reconciliation.html#open"`, "共 2 則警示。"}},
		{"zh-Hans", []string{`<html lang="zh-Hans">`, "告警", "现金缴存短缺", "区域欠费超过上限", `href="/zh-Hant/arrears.html#aging"`, "共 2 条告警。"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			resp, page := viewer.get("/alerts?lang=" + tt.lang)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("the page lacks %q:\n%s", w, page)
				}
			}
			for _, bad := range []string{"<script", "style=", `id="rules"`} {
				if strings.Contains(page, bad) {
					t.Errorf("a viewer's page has %q", bad)
				}
			}
		})
	}
	// The alerts come in the order of the rules: cash, then arrears.
	if _, page := viewer.get("/alerts?lang=en"); strings.Index(page, "cash:Wang") > strings.Index(page, "South") {
		t.Error("the alerts are not in the order of the rules")
	}
	_, page := newBrowser(t, ts.URL).mustSignIn("root", "root-password-123").get("/alerts?lang=en")
	for _, w := range []string{`id="rules"`, "Rules in force", "<code>cash</code>", "<code>arrears</code>", "1000.00"} {
		if !strings.Contains(page, w) {
			t.Errorf("the admin's page lacks %q", w)
		}
	}
	// Without rules the page says how to give them.
	bare := newServer(t, Config{Store: store, TempDir: t.TempDir()})
	ts2 := httptest.NewServer(bare.Handler())
	defer ts2.Close()
	if _, page := newBrowser(t, ts2.URL).mustSignIn("wu", "wu-password-123").get("/alerts"); !strings.Contains(page, "--alerts FILE") {
		t.Errorf("without rules the page does not say so:\n%s", page)
	}
}

// A publish evaluates the alert rules and delivers them; a failed build
// does not.
func TestPublishSendsTheAlerts(t *testing.T) {
	in, store := alertData(t)
	h := &hook{status: http.StatusOK}
	ts := httptest.NewServer(h)
	defer ts.Close()
	al := &Alerter{Store: store, Rules: alertRules(), Lang: "en", Webhook: &Webhook{URL: ts.URL}}
	fail := true
	s := newServer(t, Config{Store: store, Ingester: in, SiteDir: t.TempDir(), Alerts: al, Publish: func(ctx context.Context, dir string) error {
		if fail {
			return io.ErrUnexpectedEOF
		}
		return (&fakeSite{}).publish(ctx, dir)
	}})
	defer s.Shutdown(context.Background())
	if _, err := s.Publish(context.Background()); err == nil {
		t.Fatal("the failing build published")
	}
	if n := len(h.received()); n != 0 {
		t.Fatalf("a failed build sent %d webhook posts, want 0", n)
	}
	fail = false
	if _, err := s.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := h.received(); len(got) != 1 || keys(got[0].New) != "cash|cash:Wang:2026-09-20=50,arrears|South=1100" {
		t.Fatalf("after a publish the webhook got %+v, want the two new alerts", got)
	}
}

// PLAIN auth goes only to a mail server on localhost when the line is not
// encrypted: to any other address the password is never sent.
func TestSMTPAuthOnlyOverTLSOrLocalhost(t *testing.T) {
	_, store := alertData(t)
	for _, tt := range []struct {
		host     string
		wantSent bool
	}{{"127.0.0.1", true}, {"127.0.0.2", false}} {
		t.Run(tt.host, func(t *testing.T) {
			mb := newMailboxOn(t, tt.host, true, false)
			// A fresh alerter state per case: the store forgets what was sent.
			if err := store.SaveAlerts(context.Background(), nil, data.AlertEvaluation{EvaluatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			al := &Alerter{Store: store, Rules: alertRules(), Lang: "en",
				SMTP: &SMTP{Addr: mb.addr, From: "feeflow@example.org", To: []string{"boss@example.org"}, User: "feeflow", Password: "s3cret"}}
			run, err := al.Run(context.Background(), false)
			mb.mu.Lock()
			creds, msgs := len(mb.creds), len(mb.msgs)
			mb.mu.Unlock()
			if tt.wantSent {
				if err != nil || !run.Sent || creds != 1 || msgs != 1 {
					t.Errorf("to %s: err %v, %d credentials, %d messages; want sent with auth", tt.host, err, creds, msgs)
				}
				return
			}
			if err == nil || creds != 0 || msgs != 0 {
				t.Errorf("to %s without TLS: err %v, %d credentials, %d messages; want a failure and nothing sent", tt.host, err, creds, msgs)
			}
		})
	}
}

// A webhook that does not answer within its timeout fails the delivery;
// nothing is marked sent.
func TestWebhookTimeout(t *testing.T) {
	_, store := alertData(t)
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)
	al := &Alerter{Store: store, Rules: alertRules(), Lang: "en", Webhook: &Webhook{URL: ts.URL, Timeout: 50 * time.Millisecond}}
	if run, err := al.Run(context.Background(), false); err == nil || run.Sent {
		t.Fatalf("a silent webhook: err %v; want a failure", err)
	}
	states, _, err := store.AlertStates(context.Background())
	if err != nil || len(states) != 2 || states[0].SentFingerprint != "" || states[1].SentFingerprint != "" {
		t.Errorf("after the timeout: %+v (%v); want two alerts, neither sent", states, err)
	}
}

// A mail server that offers STARTTLS gets the message only over TLS: when
// the handshake fails, nothing is sent in clear.
func TestSMTPUsesSTARTTLSWhenOffered(t *testing.T) {
	_, store := alertData(t)
	mb := newMailboxOn(t, "127.0.0.1", false, true)
	al := &Alerter{Store: store, Rules: alertRules(), Lang: "en", SMTP: &SMTP{Addr: mb.addr, From: "feeflow@example.org", To: []string{"boss@example.org"}}}
	run, err := al.Run(context.Background(), false)
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if err == nil || run.Sent || mb.starttls != 1 || len(mb.msgs) != 0 {
		t.Errorf("err %v, STARTTLS asked %d times, %d messages; want STARTTLS asked once, the failure reported and nothing sent", err, mb.starttls, len(mb.msgs))
	}
}
