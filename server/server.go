// Package server is feeflow's HTTP server: every route in one place, sign-in
// and roles, upload admission, the upload desk, the SQL API, health, and the
// published site with its rebuilds.
package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site/publish"
	"github.com/feeflow/feeflow/templates"
)

// Config wires the server; cmd/feeflow fills it from flags.
type Config struct {
	Store    *data.Store
	Ingester *ingest.Ingester
	// Tokens of the tokens file or FEEFLOW_TOKENS; tokens stored in the
	// database (accounts.tokens) and users (accounts.users) are read from Store.
	Tokens Tokens
	// SiteDir is the site folder (site/publish): its builds under
	// SiteDir/builds/<id>/, the published one linked as SiteDir/current and
	// served at /; "" serves none. The server holds its lock until Shutdown.
	SiteDir string
	// PublicSite serves the dashboard to anyone; otherwise only to people
	// signed in with the viewer role.
	PublicSite bool
	// Publish writes a complete build of the site into dir (which it
	// creates); the server calls it after committed ingests (debounced) and
	// on POST /api/v1/publish. nil publishes nothing.
	Publish func(ctx context.Context, dir string) error
	// PublishNames, with PublicSite, writes the build with customers' names
	// (site.Options.WithNames) that people signed in as viewers are served,
	// while anonymous readers get Publish's build, without names. Both are
	// built on every publish, each into its own site folder with its own
	// atomic swap: this one is SiteDir/signed-in. Without PublicSite every
	// reader is signed in, and Publish itself may build with names.
	PublishNames func(ctx context.Context, dir string) error
	// ProfilesDir holds mapping profiles NAME.json chosen with ?map=NAME.
	ProfilesDir string
	// MaxUpload bounds one request body in bytes.
	MaxUpload int64
	// MaxQueued uploads may wait for the writer; more are answered 503.
	MaxQueued int
	// MaxQueuedPerUser of them may be one user's (or token's); default a
	// quarter of MaxQueued, at least 1.
	MaxQueuedPerUser int
	// TempDir receives uploads while they are ingested (cmd/feeflow puts it
	// beside the database and sweeps it at start).
	TempDir string
	Logger  *slog.Logger
	// SQLTimeout stops an analyst's query (POST /api/v1/sql); default 30 s.
	SQLTimeout time.Duration
	// SQL runs analysts' queries (POST /api/v1/sql); nil runs them in-process
	// on Store. cmd/feeflow gives an analytics.Worker.
	SQL QueryRunner
	// Published is called after each successful build of the site, before
	// the build's waiters hear of it (without a site: after committed
	// ingests, debounced like a build): cmd/feeflow refreshes the analysts'
	// snapshot there, so that they query the data the dashboard shows.
	Published func(ctx context.Context) error
	// SQLMaxRows is the SQL API's row limit unless ?limit= asks for another; default 10000.
	SQLMaxRows int
	// PasswordKey is mixed into the users' password hashes (see
	// PasswordKey); without it nobody can sign in, tokens still work.
	PasswordKey PasswordKey
	// SessionTTL is how long a sign-in lasts; default 12 h.
	SessionTTL time.Duration
	// Now is the clock of sessions; nil means time.Now.
	Now func() time.Time
	// Alerts evaluates the alert rules after each publish and delivers
	// them; the alerts page shows its rules. nil: no alert rules.
	Alerts *Alerter
}

// Server is feeflow's HTTP server.
type Server struct {
	cfg      Config
	slots    chan struct{}
	pub      *publisher
	sessions sessions
	logins   chan struct{} // password checks running
	health   *health

	mu      sync.Mutex
	perUser map[string]int // upload slots held, by uploader
}

// New builds a server; with a site folder, it takes the folder's lock, so a
// second server publishing into the same folder is refused.
func New(cfg Config) (*Server, error) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 256 << 20
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 8
	}
	if cfg.MaxQueuedPerUser <= 0 {
		cfg.MaxQueuedPerUser = max(1, cfg.MaxQueued/4)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.SQLTimeout <= 0 {
		cfg.SQLTimeout = 30 * time.Second
	}
	if cfg.SQLMaxRows <= 0 || cfg.SQLMaxRows > maxSQLRows {
		cfg.SQLMaxRows = defaultSQLRows
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = defaultSessionTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SQL == nil {
		cfg.SQL = inProcess{cfg.Store}
	}
	h := &health{now: cfg.Now, last: map[string]*failure{}}
	var folder *publish.Folder
	if cfg.SiteDir != "" {
		var err error
		if folder, err = publish.Open(cfg.SiteDir); err != nil {
			return nil, err
		}
	}
	pub := newPublisher(cfg, folder, h)
	if folder != nil && cfg.PublicSite && cfg.PublishNames != nil {
		named, err := publish.Open(filepath.Join(cfg.SiteDir, namedSiteDir))
		if err != nil {
			folder.Close()
			return nil, err
		}
		pub.named, pub.writeNamed = named, cfg.PublishNames
	}
	return &Server{
		cfg: cfg, slots: make(chan struct{}, cfg.MaxQueued), pub: pub,
		logins: make(chan struct{}, maxLogins), perUser: map[string]int{}, health: h,
	}, nil
}

// Handler lists every route of the server in one place, with the role each
// one needs (checked in the handler, from the headers, before the body).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/ingest/{kind}", s.handleIngest) // finance
	mux.HandleFunc("POST /api/v1/sql", s.handleSQL)              // analyst
	mux.HandleFunc("POST /api/v1/publish", s.handlePublish)      // admin
	mux.HandleFunc("GET /api/v1/backup", s.handleBackup)         // admin
	mux.HandleFunc("GET /api/v1/backup/key", s.handleBackupKey)  // admin
	mux.HandleFunc("GET /upload", s.handleUploadPage)            // finance
	mux.HandleFunc("POST /upload", s.handleUploadForm)           // finance
	mux.HandleFunc("GET /login", s.handleLoginPage)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("POST /logout", s.handleLogout)
	mux.HandleFunc("GET /alerts", s.handleAlertsPage) // viewer
	mux.HandleFunc("GET /upload.css", s.handleUploadCSS)
	mux.HandleFunc("GET /upload.js", s.handleUploadJS)
	mux.HandleFunc("GET /sql", s.handleWorkbench)                      // analyst
	mux.HandleFunc("GET /api/v1/queries", s.handleSavedQueries)        // analyst
	mux.HandleFunc("POST /api/v1/queries", s.handleSaveQuery)          // analyst
	mux.HandleFunc("DELETE /api/v1/queries/{id}", s.handleDeleteQuery) // analyst: own; admin: any
	mux.HandleFunc("GET /workbench.css", s.handleWorkbenchCSS)
	mux.HandleFunc("GET /workbench.js", s.handleWorkbenchJS)
	mux.HandleFunc("GET /vendor/{file}", s.handleVendor) // ECharts, its LICENSE and NOTICE
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /", s.handleSite) // viewer, unless PublicSite

	mux.HandleFunc("POST /upload/detect", s.handleDetect)                    // finance
	mux.HandleFunc("GET /upload/sample/{file}", s.handleSample)              // finance
	mux.HandleFunc("GET /upload/history", s.handleHistory)                   // finance
	mux.HandleFunc("GET /upload/history/{id}/errors.csv", s.handleErrorsCSV) // finance
	mux.HandleFunc("GET /api/v1/publish/status", s.handlePublishStatus)      // viewer or finance
	return securityHeaders(mux)
}

// securityHeaders are sent with every answer: the pages load only their own
// scripts and styles and cannot be framed.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// Failures of the HTTP layer.
var (
	errUnauthorized = errorf(CodeUnauthorized, "sign in, or send a valid token: Authorization: Bearer TOKEN")
	errBusy         = errorf(CodeBusy, "the server is busy with other uploads; retry shortly")
	errUserBusy     = errorf(CodeBusy, "you already have as many uploads in progress as one person may; retry when one has finished")
	errUnsupported  = errorf(CodeUnsupported, "unsupported content type: send CSV, JSON, NDJSON, XLSX or XLS, as the body or as a multipart field \"file\"")
	errNoFile       = errorf(CodeBadRequest, "no file: send the export as the request body or as a multipart field \"file\"")
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	closeOnFailure(w, status)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// answerError answers {"error", "code"} with the status of the code, and
// logs faults of the server.
func (s *Server) answerError(w http.ResponseWriter, what string, err error) {
	code := codeOf(err)
	status := statusOf(code)
	if status >= 500 && code != CodeTimeout {
		s.cfg.Logger.Error(what+" failed", "code", code, "err", err)
	}
	if code == CodeBusy {
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, status, map[string]string{"error": message(err), "code": code})
}

// handleSite serves the current build to viewers (to anyone with
// PublicSite); before the first build, / leads to the upload page.
func (s *Server) handleSite(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.PublicSite {
		if _, err := s.authorize(r, Viewer, false); err != nil {
			s.refusePage(w, r, err)
			return
		}
	}
	b := s.pub.current()
	if s.cfg.PublicSite && s.pub.named != nil {
		// the same address answers two builds: caches must tell them apart
		w.Header().Add("Vary", "Cookie")
		if nb := s.pub.named.Current(); nb != nil && b != nil {
			if _, err := s.authorize(r, Viewer, false); err == nil {
				b = nb
			}
		}
	}
	if b == nil {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/upload", http.StatusSeeOther)
			return
		}
		http.NotFound(w, r)
		return
	}
	s.pub.serve(w, r, b)
}

// refusePage answers a page request without the needed credentials: to
// sign in when there are none, else a page saying what is missing.
func (s *Server) refusePage(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Connection", "close")
	if codeOf(err) == CodeUnauthorized {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	p := templates.RefusedPage{Problem: message(err)}
	if who, ok := s.authenticate(r); ok && who.sess != nil {
		p.User, p.CSRF = who.name, who.sess.csrf
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(statusOf(codeOf(err)))
	if err := templates.Refused(p).Render(r.Context(), w); err != nil {
		s.cfg.Logger.Error("render refusal page", "err", err)
	}
}

// closeOnFailure ends the connection after a failure: a body the handler
// refused to read (a stranger's, one too large) is then never drained, where
// Go's server would otherwise wait to read up to 256 KiB of it first.
func closeOnFailure(w http.ResponseWriter, status int) {
	if status >= 400 {
		w.Header().Set("Connection", "close")
	}
}

func isTrue(s string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	return err == nil && b
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
