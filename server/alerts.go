package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"sort"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/templates"
	"github.com/shopspring/decimal"
)

// Alerter evaluates the alert rules on the store, remembers each alert
// (data.AlertState) and delivers the new, changed and resolved ones: after
// each publish of the server, and in `feeflow digest`. An alert is marked
// sent only when every delivery configured succeeded; otherwise the next
// run sends it again.
type Alerter struct {
	Store *data.Store
	Rules []analytics.Rule
	// Lang is the organisation's language for the digest: en, zh-Hant or zh-Hans.
	Lang string
	// PublicURL is the server's address as readers reach it
	// (https://feeflow.example.org), for links in the digest; "" leaves
	// them out.
	PublicURL string
	SMTP      *SMTP    // nil: no e-mail
	Webhook   *Webhook // nil: no webhook
	Now       func() time.Time
}

// SMTP is where the digest is mailed.
type SMTP struct {
	Addr     string // host:port
	From     string
	To       []string
	User     string // with Password: PLAIN auth, only over TLS or to localhost
	Password string
	// Timeout bounds the whole conversation; default 1 minute.
	Timeout time.Duration
}

// Webhook is where the alerts are posted as JSON.
type Webhook struct {
	URL string
	// Timeout bounds the request; default 30 s.
	Timeout time.Duration
}

// DigestRun is what one run of the alerter found and sent.
type DigestRun struct {
	AsOf                   time.Time // the last day of the data; zero when there is none
	New, Changed, Resolved []data.AlertState
	Open                   int              // alerts holding in all
	Digest                 templates.Digest // the digest, as mailed
	JSON                   []byte           // the webhook's body
	Sent                   bool             // delivered (and marked sent)
}

// Pending reports whether the run has anything to send.
func (r *DigestRun) Pending() bool { return len(r.New)+len(r.Changed)+len(r.Resolved) > 0 }

// Delivers reports whether the alerter has anywhere to send alerts.
func (a *Alerter) Delivers() bool { return a.SMTP != nil || a.Webhook != nil }

// Run evaluates the rules, remembers the alerts and delivers what is new,
// changed or resolved. With dryRun it writes and sends nothing (the store
// may be read-only) and returns what would be sent.
func (a *Alerter) Run(ctx context.Context, dryRun bool) (*DigestRun, error) {
	now := a.now()
	prev, _, err := a.Store.AlertStates(ctx)
	if err != nil {
		return nil, err
	}
	m := analytics.New(a.Store)
	_, last, ok, err := m.DataRange(ctx)
	if err != nil {
		return nil, err
	}
	var current []analytics.Alert
	run := &DigestRun{}
	if ok {
		run.AsOf = last
		if current, err = m.Alerts(ctx, a.Rules, last); err != nil {
			return nil, err
		}
	}
	next := merge(prev, current, now, run)
	run.Digest = a.digest(run)
	if run.JSON, err = a.webhookBody(run); err != nil {
		return nil, err
	}
	if dryRun {
		return run, nil
	}
	ev := data.AlertEvaluation{EvaluatedAt: now, AsOf: run.AsOf}
	if err := a.Store.SaveAlerts(ctx, next, ev); err != nil {
		return nil, err
	}
	if !run.Pending() || !a.Delivers() {
		return run, nil
	}
	if err := a.deliver(ctx, run); err != nil {
		return run, err
	}
	if err := a.Store.SaveAlerts(ctx, markSent(next, run, now), ev); err != nil {
		return run, fmt.Errorf("alerts were sent but could not be marked sent (they will be sent again): %w", err)
	}
	run.Sent = true
	return run, nil
}

func (a *Alerter) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// merge folds the alerts holding now into the remembered ones and sorts
// out what to send: an alert never sent is new; one sent with another
// fingerprint has changed; one sent that no longer holds is resolved
// (reported once); one that never was sent and no longer holds is
// forgotten.
func merge(prev []data.AlertState, current []analytics.Alert, now time.Time, run *DigestRun) []data.AlertState {
	old := map[string]data.AlertState{}
	for _, s := range prev {
		old[s.Key] = s
	}
	holding := map[string]bool{}
	var next []data.AlertState
	for _, c := range current {
		key := c.Key()
		if holding[key] {
			continue // two rules of one name cannot be; one subject twice neither
		}
		holding[key] = true
		s := data.AlertState{
			Key: key, Rule: c.Rule, Kind: c.Kind, Subject: c.Subject, Note: c.Note,
			Value: c.Value.String(), Threshold: c.Threshold.String(), Fingerprint: c.Fingerprint(),
			Since: c.Since, FirstSeen: now,
		}
		if o, ok := old[key]; ok {
			s.FirstSeen, s.SentFingerprint, s.SentAt = o.FirstSeen, o.SentFingerprint, o.SentAt
		}
		switch {
		case s.SentFingerprint == "":
			run.New = append(run.New, s)
		case s.SentFingerprint != s.Fingerprint:
			run.Changed = append(run.Changed, s)
		}
		next = append(next, s)
	}
	run.Open = len(next)
	for _, o := range prev {
		if holding[o.Key] || o.SentFingerprint == "" {
			continue
		}
		if o.Open() {
			o.ResolvedAt = now
		}
		run.Resolved = append(run.Resolved, o)
		next = append(next, o)
	}
	return next
}

// markSent records the delivery of run: the alerts sent carry their
// fingerprint as sent; the resolved ones reported are forgotten.
func markSent(next []data.AlertState, run *DigestRun, now time.Time) []data.AlertState {
	sent := map[string]bool{}
	for _, s := range append(append([]data.AlertState{}, run.New...), run.Changed...) {
		sent[s.Key] = true
	}
	resolved := map[string]bool{}
	for _, s := range run.Resolved {
		resolved[s.Key] = true
	}
	var out []data.AlertState
	for _, s := range next {
		switch {
		case resolved[s.Key]:
			continue
		case sent[s.Key]:
			s.SentFingerprint, s.SentAt = s.Fingerprint, now
		}
		out = append(out, s)
	}
	return out
}

// alertItem is an alert for reading; link is the dashboard section behind
// it, under base ("" for a path on this server).
func alertItem(s data.AlertState, lang, base string) templates.AlertItem {
	value, _ := decimal.NewFromString(s.Value)
	threshold, _ := decimal.NewFromString(s.Threshold)
	it := templates.AlertItem{
		Rule: s.Rule, Kind: s.Kind, Subject: s.Subject, Note: s.Note,
		Value: figure(s.Kind, s.Note, value), Threshold: figure(s.Kind, s.Note, threshold),
		Link: strings.TrimSuffix(base, "/") + "/" + siteLang(lang) + "/" + alertSections[s.Kind],
	}
	if !s.Since.IsZero() {
		it.Since = s.Since.Format(time.DateOnly)
	}
	return it
}

// alertSections is the dashboard page and section behind each kind of alert.
var alertSections = map[string]string{
	analytics.RuleDiscrepancyAge: "reconciliation.html#open",
	analytics.RuleMatchRate:      "reconciliation.html#daily",
	analytics.RuleCashShort:      "reconciliation.html#open",
	analytics.RuleAreaArrears:    "arrears.html#aging",
	analytics.RuleActionSlipped:  "improvement.html#actions",
}

// siteLang is the dashboard's language closest to a desk language: the
// site is built in English and Traditional Chinese.
func siteLang(lang string) string {
	if lang == "en" || lang == "" {
		return "en"
	}
	return "zh-Hant"
}

// rateMetrics are the improvement metrics that are fractions.
var rateMetrics = map[string]bool{"collection_rate": true, "on_time_rate": true, "match_rate": true, "reissue_rate": true}

// figure writes an alert's figure for reading: a rate as a percent to one
// place, money to the cent, days and other metrics as they are.
func figure(kind, note string, v decimal.Decimal) string {
	metric, _, _ := strings.Cut(note, " · ")
	switch {
	case kind == analytics.RuleMatchRate, kind == analytics.RuleActionSlipped && rateMetrics[metric]:
		return v.Shift(2).StringFixed(1) + "%"
	case kind == analytics.RuleCashShort, kind == analytics.RuleAreaArrears:
		return v.StringFixed(2)
	}
	return v.String()
}

func (a *Alerter) items(l []data.AlertState) []templates.AlertItem {
	var out []templates.AlertItem
	for _, s := range l {
		it := alertItem(s, a.Lang, a.PublicURL)
		if a.PublicURL == "" {
			it.Link = ""
		}
		out = append(out, it)
	}
	return out
}

func (a *Alerter) digest(run *DigestRun) templates.Digest {
	g := templates.Digest{Lang: a.Lang, New: a.items(run.New), Changed: a.items(run.Changed), Resolved: a.items(run.Resolved), Open: run.Open}
	if !run.AsOf.IsZero() {
		g.AsOf = run.AsOf.Format(time.DateOnly)
	}
	if a.PublicURL != "" {
		g.AlertsURL = strings.TrimSuffix(a.PublicURL, "/") + "/alerts?lang=" + a.Lang
	}
	return g
}

// webhookAlert is an alert in the webhook's JSON; value and threshold are
// exact decimal numbers.
type webhookAlert struct {
	Key         string      `json:"key"`
	Rule        string      `json:"rule"`
	Kind        string      `json:"kind"`
	Subject     string      `json:"subject"`
	Note        string      `json:"note,omitempty"`
	Value       json.Number `json:"value"`
	Threshold   json.Number `json:"threshold"`
	Since       string      `json:"since,omitempty"`
	Fingerprint string      `json:"fingerprint"`
	Link        string      `json:"link,omitempty"`
}

func (a *Alerter) webhookBody(run *DigestRun) ([]byte, error) {
	conv := func(l []data.AlertState) []webhookAlert {
		out := []webhookAlert{}
		for _, s := range l {
			it := alertItem(s, a.Lang, a.PublicURL)
			w := webhookAlert{Key: s.Key, Rule: s.Rule, Kind: s.Kind, Subject: s.Subject, Note: s.Note,
				Value: json.Number(s.Value), Threshold: json.Number(s.Threshold), Since: it.Since, Fingerprint: s.Fingerprint}
			if a.PublicURL != "" {
				w.Link = it.Link
			}
			out = append(out, w)
		}
		return out
	}
	body := struct {
		AsOf     string         `json:"as_of,omitempty"`
		Open     int            `json:"open"`
		New      []webhookAlert `json:"new"`
		Changed  []webhookAlert `json:"changed"`
		Resolved []webhookAlert `json:"resolved"`
	}{AsOf: run.Digest.AsOf, Open: run.Open, New: conv(run.New), Changed: conv(run.Changed), Resolved: conv(run.Resolved)}
	return json.MarshalIndent(body, "", "  ")
}

// deliver sends run by every means configured; the first failure is returned.
func (a *Alerter) deliver(ctx context.Context, run *DigestRun) error {
	if a.Webhook != nil {
		if err := a.Webhook.post(ctx, run.JSON); err != nil {
			return err
		}
	}
	if a.SMTP != nil {
		msg, err := mailMessage(a.SMTP, run.Digest, a.now())
		if err != nil {
			return err
		}
		if err := a.SMTP.send(ctx, msg); err != nil {
			return err
		}
	}
	return nil
}

func (w *Webhook) post(ctx context.Context, body []byte) error {
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", w.URL, resp.Status)
	}
	return nil
}

// mailMessage is the digest as an e-mail: multipart/alternative, the plain
// text first and the HTML last (the one mail readers prefer), both UTF-8
// in quoted-printable.
func mailMessage(m *SMTP, g templates.Digest, now time.Time) ([]byte, error) {
	var html bytes.Buffer
	if err := templates.DigestHTML(g).Render(context.Background(), &html); err != nil {
		return nil, fmt.Errorf("render digest: %w", err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ typ, text string }{{"text/plain", g.Text()}, {"text/html", html.String()}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		io.WriteString(qp, strings.ReplaceAll(part.text, "\n", "\r\n"))
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	id := make([]byte, 12)
	rand.Read(id)
	host := "feeflow"
	if _, h, ok := strings.Cut(m.From, "@"); ok {
		host = strings.Trim(h, "> ")
	}
	var msg bytes.Buffer
	for _, h := range [][2]string{
		{"From", m.From},
		{"To", strings.Join(m.To, ", ")},
		{"Subject", mime.QEncoding.Encode("utf-8", g.Subject())},
		{"Date", now.Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + host + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", "multipart/alternative; boundary=" + mw.Boundary()},
	} {
		fmt.Fprintf(&msg, "%s: %s\r\n", h[0], h[1])
	}
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

// send mails msg: STARTTLS when the server offers it, PLAIN auth when a
// user is set (net/smtp refuses it unless over TLS or to localhost).
func (m *SMTP) send(ctx context.Context, msg []byte) error {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	defer c.Close()
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("smtp %s: %s: %w", m.Addr, what, err)
		}
		return nil
	}
	if err := step("hello", c.Hello("localhost")); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := step("starttls", c.StartTLS(&tls.Config{ServerName: host})); err != nil {
			return err
		}
	}
	if m.User != "" {
		if err := step("auth", c.Auth(smtp.PlainAuth("", m.User, m.Password, host))); err != nil {
			return err
		}
	}
	if err := step("mail from", c.Mail(m.From)); err != nil {
		return err
	}
	for _, to := range m.To {
		if err := step("rcpt to "+to, c.Rcpt(to)); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err := step("data", err); err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return step("data", err)
	}
	if err := step("data", w.Close()); err != nil {
		return err
	}
	return step("quit", c.Quit())
}

// afterPublish evaluates the alert rules once a build is published, and
// delivers what changed; a failure is logged, and the next publish (or
// `feeflow digest`) tries again.
func (a *Alerter) afterPublish(ctx context.Context, logf, errorf func(msg string, args ...any)) {
	if a == nil {
		return
	}
	run, err := a.Run(ctx, false)
	switch {
	case err != nil:
		errorf("alerts: evaluating or delivering failed; what was not delivered is sent again next time", "err", err)
	case run.Sent:
		logf("alerts delivered", "new", len(run.New), "changed", len(run.Changed), "resolved", len(run.Resolved))
	}
}

// handleAlertsPage shows the current alerts to viewers; admins also see
// the rules in force.
func (s *Server) handleAlertsPage(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Viewer, false)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	d := s.desk(w, r, who, "/alerts")
	p := templates.AlertsPage{Desk: d, Configured: s.cfg.Alerts != nil && len(s.cfg.Alerts.Rules) > 0}
	states, ev, err := s.cfg.Store.AlertStates(r.Context())
	if err != nil {
		s.cfg.Logger.Error("read alerts", "err", err)
		http.Error(w, "the alerts cannot be read; see the server log", http.StatusInternalServerError)
		return
	}
	if !ev.EvaluatedAt.IsZero() {
		p.EvaluatedAt = ev.EvaluatedAt.In(s.cfg.Store.Location()).Format("2006-01-02 15:04")
		p.AsOf = "—"
		if !ev.AsOf.IsZero() {
			p.AsOf = ev.AsOf.Format(time.DateOnly)
		}
	}
	// In the order of the rules file, each rule's alerts by subject.
	order := map[string]int{}
	if s.cfg.Alerts != nil {
		for i, rule := range s.cfg.Alerts.Rules {
			order[rule.Name] = i + 1
		}
	}
	sort.SliceStable(states, func(i, j int) bool {
		oi, oj := order[states[i].Rule], order[states[j].Rule]
		if oi != oj {
			return oi != 0 && (oj == 0 || oi < oj)
		}
		return states[i].Key < states[j].Key
	})
	for _, st := range states {
		if !st.Open() {
			continue
		}
		it := alertItem(st, d.Lang, "")
		if it.Since == "" {
			it.Since = st.FirstSeen.In(s.cfg.Store.Location()).Format(time.DateOnly)
		}
		p.Alerts = append(p.Alerts, it)
	}
	if who.roles.Has(Admin) && s.cfg.Alerts != nil {
		p.ShowRules = true
		for _, rule := range s.cfg.Alerts.Rules {
			th := ""
			if rule.Kind != analytics.RuleActionSlipped {
				th = figure(rule.Kind, "", rule.Threshold)
			}
			p.Rules = append(p.Rules, templates.RuleItem{Name: rule.Name, Kind: rule.Kind, Threshold: th, Scope: rule.Scope})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := templates.Alerts(p).Render(r.Context(), w); err != nil {
		s.cfg.Logger.Error("render alerts page", "err", err)
	}
}
