package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/server"
)

// alertSettings are the alert rules and where alerts go: flags of
// `feeflow digest` and `feeflow serve`, each with an environment fallback.
type alertSettings struct {
	rules, lang, publicURL           *string
	smtp, smtpFrom, smtpTo, smtpUser *string
	webhook                          *string
	webhookTimeout                   *time.Duration
	getenv                           func(string) string
}

// alertFlags adds the alert flags to fs.
func alertFlags(e *env, fs *flag.FlagSet) *alertSettings {
	env := e.getenv
	return &alertSettings{
		rules:          fs.String("alerts", env("FEEFLOW_ALERTS"), "alert rules file (JSON, see docs/alerts.md); default $FEEFLOW_ALERTS"),
		lang:           fs.String("lang", envOr(env("FEEFLOW_LANG"), "en"), "language of the digest: en, zh-Hant or zh-Hans; default $FEEFLOW_LANG, else en"),
		publicURL:      fs.String("public-url", env("FEEFLOW_PUBLIC_URL"), "the server's address as readers reach it, for links in the digest, e.g. https://feeflow.example.org; default $FEEFLOW_PUBLIC_URL"),
		smtp:           fs.String("smtp", env("FEEFLOW_SMTP"), "mail server HOST:PORT for the digest (STARTTLS when offered); default $FEEFLOW_SMTP"),
		smtpFrom:       fs.String("smtp-from", env("FEEFLOW_SMTP_FROM"), "sender address of the digest; default $FEEFLOW_SMTP_FROM"),
		smtpTo:         fs.String("smtp-to", env("FEEFLOW_SMTP_TO"), "recipients of the digest, comma-separated; default $FEEFLOW_SMTP_TO"),
		smtpUser:       fs.String("smtp-user", env("FEEFLOW_SMTP_USER"), "user for PLAIN auth (only over TLS or to localhost); its password is read from $FEEFLOW_SMTP_PASSWORD; default $FEEFLOW_SMTP_USER"),
		webhook:        fs.String("webhook", env("FEEFLOW_WEBHOOK"), "URL the new, changed and resolved alerts are posted to as JSON; default $FEEFLOW_WEBHOOK"),
		webhookTimeout: fs.Duration("webhook-timeout", 30*time.Second, "how long the webhook may take to answer"),
		getenv:         env,
	}
}

func envOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// alerter builds the alerter of the settings on store; nil when no rules
// file is given.
func (a *alertSettings) alerter(e *env, store *data.Store) (*server.Alerter, error) {
	if *a.rules == "" {
		if *a.smtp != "" || *a.webhook != "" {
			return nil, usagef("--smtp and --webhook send alerts: give the rules with --alerts FILE")
		}
		return nil, nil
	}
	f, err := os.Open(*a.rules)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rules, err := analytics.ReadRules(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", *a.rules, err)
	}
	switch *a.lang {
	case "en", "zh-Hant", "zh-Hans":
	default:
		return nil, usagef("--lang %q: want en, zh-Hant or zh-Hans", *a.lang)
	}
	al := &server.Alerter{Store: store, Rules: rules, Lang: *a.lang, Now: e.now}
	if u := *a.publicURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, usagef("--public-url %q: want an http or https address", u)
		}
		al.PublicURL = strings.TrimSuffix(u, "/")
	}
	if *a.smtp != "" {
		if _, _, err := net.SplitHostPort(*a.smtp); err != nil {
			return nil, usagef("--smtp %q: want HOST:PORT", *a.smtp)
		}
		var to []string
		for _, t := range strings.Split(*a.smtpTo, ",") {
			if t = strings.TrimSpace(t); t != "" {
				to = append(to, t)
			}
		}
		if *a.smtpFrom == "" || len(to) == 0 {
			return nil, usagef("--smtp needs --smtp-from and --smtp-to")
		}
		al.SMTP = &server.SMTP{Addr: *a.smtp, From: *a.smtpFrom, To: to, User: *a.smtpUser, Password: a.getenv("FEEFLOW_SMTP_PASSWORD")}
	}
	if *a.webhook != "" {
		p, err := url.Parse(*a.webhook)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, usagef("--webhook %q: want an http or https URL", *a.webhook)
		}
		al.Webhook = &server.Webhook{URL: *a.webhook, Timeout: *a.webhookTimeout}
	}
	return al, nil
}

func runDigest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "digest", "--db PATH [--dry-run] [--alerts FILE] [--lang L] [--public-url URL] [--smtp HOST:PORT --smtp-from A --smtp-to A,B] [--webhook URL]")
	db := fs.String("db", "", "database file")
	dryRun := fs.Bool("dry-run", false, "print the digest and the webhook's JSON that would be sent; send and mark nothing (opens the database read-only)")
	settings := alertFlags(e, fs)
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	if *settings.rules == "" {
		return usagef("--alerts FILE is required (the alert rules; see docs/alerts.md)")
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	var store *data.Store
	if *dryRun {
		store, err = openReadOnly(ctx, *db, loc, false, true)
	} else {
		store, err = openStore(ctx, *db, loc)
	}
	if data.IsLocked(err) {
		return fmt.Errorf("%w\n(a server started with --alerts evaluates and sends the alerts after each publish: POST /api/v1/publish runs one now)", err)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	al, err := settings.alerter(e, store)
	if err != nil {
		return err
	}
	if !*dryRun && !al.Delivers() {
		return usagef("nowhere to send the alerts: give --smtp (with --smtp-from and --smtp-to) or --webhook, or look with --dry-run")
	}
	run, err := al.Run(ctx, *dryRun)
	if err != nil {
		return err
	}
	switch {
	case *dryRun:
		fmt.Fprintf(e.stdout, "Subject: %s\n\n%s\n--- webhook JSON\n%s\n", run.Digest.Subject(), run.Digest.Text(), run.JSON)
		if !run.Pending() {
			fmt.Fprintln(e.stdout, "nothing new, changed or resolved: nothing would be sent")
		}
	case run.Sent:
		fmt.Fprintf(e.stdout, "sent: %d new, %d changed, %d resolved; %d alerts hold\n", len(run.New), len(run.Changed), len(run.Resolved), run.Open)
	default:
		fmt.Fprintf(e.stdout, "nothing new, changed or resolved: nothing sent; %d alerts hold\n", run.Open)
	}
	return nil
}
