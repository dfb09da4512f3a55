package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
	"github.com/feeflow/feeflow/site"
	"github.com/feeflow/feeflow/site/publish"
)

// serveOptions are the server's settings, shared by serve and demo.
type serveOptions struct {
	db, site, addr, profiles string
	tokens                   server.Tokens
	maxUpload                int64
	loc                      *time.Location
	publicSite               bool
	// The analysts' query worker's budgets (sql-worker's flags); "" keeps
	// sql-worker's defaults.
	sqlMemory, sqlTemp, sqlCeiling string
	// alerts are the alert rules and where alerts go (nil: none).
	alerts *alertSettings
	// siteFirst builds the site before listening when it is missing or
	// stale, so the printed address shows the dashboard at once, and else
	// rebuilds it in the background, so a newer feeflow's pages replace an
	// older one's (demo).
	siteFirst bool
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "--db PATH [--site DIR] [--addr HOST:PORT] [--public-site]")
	db := fs.String("db", "", "database file (created if missing)")
	siteDir := fs.String("site", "", "site folder (created if missing): builds under DIR/builds, the published one linked as DIR/current and served at /; rebuilt after each ingest")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	tokensFile := fs.String("tokens-file", "", "file of tokens, one name:ROLES:sha256:HEX (from `feeflow token`) or name:token a line; default: $FEEFLOW_TOKENS, comma-separated")
	publicSite := fs.Bool("public-site", false, "serve the dashboard to anyone; without it, only to people signed in with the viewer role")
	maxUpload := fs.String("max-upload", "256MiB", "largest upload accepted")
	profiles := fs.String("maps", "", "folder of mapping profiles NAME.json, chosen per upload with ?map=NAME")
	sqlMemory := fs.String("sql-memory-limit", "512MB", "DuckDB's buffer bound in the analysts' query worker")
	sqlTemp := fs.String("sql-max-temp", "1GB", "most bytes an analyst's query may spill, in the worker's own temp folder")
	sqlCeiling := fs.String("sql-max-memory", "2GiB", "address-space ceiling of the analysts' query worker process")
	alerts := alertFlags(e, fs)
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	limit, err := parseBytes(*maxUpload)
	if err != nil {
		return usagef("--max-upload: %v", err)
	}
	tokens, err := loadTokens(e, *tokensFile)
	if err != nil {
		return err
	}
	return serve(ctx, e, serveOptions{db: *db, site: *siteDir, addr: *addr, profiles: *profiles, tokens: tokens, maxUpload: limit, loc: loc, publicSite: *publicSite,
		sqlMemory: *sqlMemory, sqlTemp: *sqlTemp, sqlCeiling: *sqlCeiling, alerts: alerts}, nil)
}

func loadTokens(e *env, file string) (server.Tokens, error) {
	var (
		t   server.Tokens
		err error
	)
	if file != "" {
		f, ferr := os.Open(file)
		if ferr != nil {
			return t, ferr
		}
		defer f.Close()
		t, err = server.ReadTokensFile(f)
	} else {
		t, err = server.ParseTokens(e.getenv("FEEFLOW_TOKENS"))
	}
	return t, err
}

// serve runs the server until ctx ends, then lets uploads in flight finish
// (or roll back) before closing the database. ready, when set, gets the
// address actually listened on.
func serve(ctx context.Context, e *env, o serveOptions, ready func(addr string)) error {
	if err := checkBeforeServing(ctx, e, o.db, o.loc); err != nil {
		return err
	}
	store, err := openStore(ctx, o.db, o.loc)
	if err != nil {
		return err
	}
	defer store.Close()
	if o.tokens.Len() == 0 {
		users, err := store.Users(ctx)
		if err != nil {
			return err
		}
		tokens, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		if len(users)+len(tokens) == 0 {
			return usagef("nobody could use this server: add a person with `feeflow user add --db %s --name NAME --role admin` (password on stdin), "+
				"or a token with `feeflow token --db %s --name NAME --role finance`, or set FEEFLOW_TOKENS / --tokens-file", o.db, o.db)
		}
	}
	spool, err := spoolDir(o.db)
	if err != nil {
		return err
	}
	key, err := passwordKey(o.db)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	var publish, publishNames func(ctx context.Context, dir string) error
	if o.site != "" {
		// Names only for signed-in viewers: a public site gets a second build with them.
		publish = sitePublisher(e, store, site.Options{Currency: e.getenv("FEEFLOW_CURRENCY"), WithNames: !o.publicSite})
		if o.publicSite {
			publishNames = sitePublisher(e, store, site.Options{Currency: e.getenv("FEEFLOW_CURRENCY"), WithNames: true})
		}
	}
	worker, err := startQueryWorker(ctx, e, o, store)
	if err != nil {
		return err
	}
	var queries server.QueryRunner
	var published func(ctx context.Context) error
	if worker != nil {
		defer worker.Close()
		queries = worker
		published = func(ctx context.Context) error { return worker.Refresh(ctx, store, snapshotDir(o.db)) }
	}
	var alerter *server.Alerter
	if o.alerts != nil {
		if alerter, err = o.alerts.alerter(e, store); err != nil {
			return err
		}
	}
	srv, err := server.New(server.Config{
		Alerts:      alerter,
		SQL:         queries,
		Published:   published,
		Store:       store,
		Ingester:    ingest.New(store, ingest.Config{Location: o.loc, Now: e.now}),
		Tokens:      o.tokens,
		SiteDir:     o.site,
		Publish:     publish,
		ProfilesDir: o.profiles,
		MaxUpload:   o.maxUpload,
		TempDir:     spool,
		PasswordKey: key,
		PublicSite:  o.publicSite,
		Logger:      logger,

		PublishNames: publishNames,
	})
	if err != nil {
		return err
	}
	if o.site != "" && o.siteFirst {
		if srv.SiteStale() {
			fmt.Fprintf(e.stdout, "building the site in %s\n", o.site)
			sum, err := srv.Publish(ctx)
			if err != nil {
				srv.Shutdown(context.Background())
				return err
			}
			fmt.Fprintf(e.stdout, "site built: %d pages, %d files, %s in %.1f s\n", sum.Pages, sum.Files, byteCount(sum.Bytes), sum.Seconds)
		} else {
			fmt.Fprintf(e.stdout, "rebuilding the site in %s in the background; the last build is served meanwhile\n", o.site)
			go srv.Publish(ctx) // the server logs the outcome; Shutdown waits for it
		}
	}
	// Start builds the site in the background when it is missing or stale.
	srv.Start()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       15 * time.Minute, // a large upload on a slow line
		WriteTimeout:      20 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if o.site != "" {
		fmt.Fprintf(e.stdout, "feeflow serving %s\n  dashboard:   http://%s/\n  upload page: http://%s/upload\n  sign in:     http://%s/login\n", o.db, ln.Addr(), ln.Addr(), ln.Addr())
	} else {
		fmt.Fprintf(e.stdout, "feeflow serving %s at http://%s/ (upload page: http://%s/upload; no --site, so no dashboard)\n", o.db, ln.Addr(), ln.Addr())
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		srv.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing uploads in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = hs.Shutdown(shutCtx)
	// The site build in flight finishes (or is cancelled) before the store closes.
	if serr := srv.Shutdown(shutCtx); err == nil {
		err = serr
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// spoolDir readies the folder uploads are spooled into while they are
// ingested, and backups while they are sent: beside the database
// (DB.spool), so they share its disk, and emptied at start of what a killed
// server left behind.
func spoolDir(db string) (string, error) {
	dir := db + ".spool"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("spool folder: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("spool folder: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "feeflow-upload-") || strings.HasPrefix(e.Name(), "feeflow-backup-") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return "", fmt.Errorf("spool folder: %w", err)
			}
		}
	}
	return dir, nil
}

// checkBeforeServing reads the whole database read-only before the server
// opens it for writing (which changes the file even when nothing is
// uploaded), and refuses to serve a damaged file: a block that cannot be
// read, a catalog or view that does not load. Invariants the data breaks
// are printed and served anyway (they are the data's, and `feeflow check`
// names them). A new or not yet migrated database has nothing to check.
func checkBeforeServing(ctx context.Context, e *env, path string, loc *time.Location) error {
	store, err := openToCheck(ctx, path, loc, queryMemoryLimit, "")
	if store == nil || err != nil {
		return err
	}
	defer store.Close()
	r, err := store.Check(ctx)
	if err != nil {
		return err
	}
	var damage []string
	for _, p := range r.Problems {
		fmt.Fprintf(e.stderr, "check: %s: %s\n", p.Check, p.Message)
		if p.Check == "blocks" || p.Check == "catalog" || p.Check == "views" {
			damage = append(damage, p.Check+": "+p.Message)
		}
	}
	if len(damage) > 0 {
		return fmt.Errorf("%s is damaged, so the server does not start (nothing was written): %s; restore it from a backup",
			path, strings.Join(damage, "; "))
	}
	return nil
}

// snapshotDir holds the analysts' snapshot of the database, beside it.
func snapshotDir(db string) string { return db + ".snapshots" }

// startQueryWorker readies the analysts' query worker: a process of this
// binary with its own memory and temp budget, over a snapshot of the
// database taken now (and again after each publish). Without a worker
// command (tests serving in-process) it returns nil: queries run in-process.
func startQueryWorker(ctx context.Context, e *env, o serveOptions, store *data.Store) (*analytics.Worker, error) {
	if e.workerCommand == nil {
		return nil, nil
	}
	command, err := e.workerCommand()
	if err != nil {
		return nil, err
	}
	dir := snapshotDir(o.db)
	// What a killed server left behind is swept: snapshots are remade.
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("snapshot folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot folder: %w", err)
	}
	command = append(command, "--tz", o.loc.String())
	for _, f := range [][2]string{{"--memory-limit", o.sqlMemory}, {"--max-temp", o.sqlTemp}, {"--max-memory", o.sqlCeiling}} {
		if f[1] != "" {
			command = append(command, f[0], f[1])
		}
	}
	w := analytics.NewWorker(analytics.WorkerConfig{Command: command, Stderr: e.stderr})
	if err := w.Refresh(ctx, store, dir); err != nil {
		return nil, err
	}
	return w, nil
}

// sitePublisher builds the whole site from the store's metrics into a new
// build folder; the server and `feeflow build` publish through it.
func sitePublisher(e *env, store *data.Store, opts site.Options) func(ctx context.Context, dir string) error {
	return func(ctx context.Context, dir string) error {
		dict, err := analytics.Dictionary(ctx, store)
		if err != nil {
			return err
		}
		o := opts
		o.Out, o.Dictionary = dir, dict
		o.Previous = publish.Previous(dir) // files that did not change are linked from the published build
		if o.Now.IsZero() {
			o.Now = e.now()
		}
		_, err = site.Build(ctx, analytics.New(store), o)
		return err
	}
}

// publishSite publishes one build into the site folder dir with the same
// atomic swap the server uses (site/publish): DIR/builds/<id>, then
// DIR/current links to it.
func publishSite(ctx context.Context, dir string, write func(ctx context.Context, dir string) error) (publish.Summary, error) {
	f, err := publish.Open(dir)
	if err != nil {
		return publish.Summary{}, err
	}
	defer f.Close()
	return f.Publish(ctx, write)
}

// byteCount writes n bytes for people: 1.2 MB.
func byteCount(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}
