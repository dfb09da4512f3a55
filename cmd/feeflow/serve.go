package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/feeflow/feeflow/ingest"
)

// serveOptions are the server's settings, shared by serve and demo.
type serveOptions struct {
	db, site, addr, profiles string
	tokens                   ingest.Tokens
	maxUpload                int64
	loc                      *time.Location
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "--db PATH [--site DIR] [--addr HOST:PORT]")
	db := fs.String("db", "", "database file (created if missing)")
	site := fs.String("site", "", "folder of the published site, served at /")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	tokensFile := fs.String("tokens-file", "", "file of tokens, one name:token (or name:sha256:HEX) a line; default: $FEEFLOW_TOKENS as name:token,...")
	maxUpload := fs.String("max-upload", "256MiB", "largest upload accepted")
	profiles := fs.String("maps", "", "folder of mapping profiles NAME.json, chosen per upload with ?map=NAME")
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
	return serve(ctx, e, serveOptions{db: *db, site: *site, addr: *addr, profiles: *profiles, tokens: tokens, maxUpload: limit, loc: loc}, nil)
}

func loadTokens(e *env, file string) (ingest.Tokens, error) {
	var (
		t   ingest.Tokens
		err error
	)
	if file != "" {
		f, ferr := os.Open(file)
		if ferr != nil {
			return t, ferr
		}
		defer f.Close()
		t, err = ingest.ReadTokensFile(f)
	} else {
		t, err = ingest.ParseTokens(e.getenv("FEEFLOW_TOKENS"))
	}
	if err != nil {
		return t, err
	}
	if t.Len() == 0 {
		return t, usagef("no tokens: set FEEFLOW_TOKENS=name:token,... or pass --tokens-file; uploads are never accepted without one")
	}
	return t, nil
}

// serve runs the server until ctx ends, then lets uploads in flight finish
// (or roll back) before closing the database. ready, when set, gets the
// address actually listened on.
func serve(ctx context.Context, e *env, o serveOptions, ready func(addr string)) error {
	store, err := openStore(ctx, o.db, o.loc)
	if err != nil {
		return err
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv := ingest.NewServer(ingest.ServerConfig{
		Store:       store,
		Ingester:    ingest.New(store, ingest.Config{Location: o.loc, Now: e.now}),
		Tokens:      o.tokens,
		SiteDir:     o.site,
		ProfilesDir: o.profiles,
		MaxUpload:   o.maxUpload,
		Logger:      logger,
	})
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
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
	fmt.Fprintf(e.stdout, "feeflow serving %s at http://%s/ (upload page: http://%s/upload)\n", o.db, ln.Addr(), ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing uploads in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
