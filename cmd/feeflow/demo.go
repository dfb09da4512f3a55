package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/gen"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
	"github.com/feeflow/feeflow/site"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "[--dir DIR] [--customers N] [--months M] [--seed S] [--addr HOST:PORT] [--no-serve] [--tz ZONE]")
	dir := fs.String("dir", "feeflow-demo", "folder for the generated exports and the database")
	addr := fs.String("addr", "127.0.0.1:8080", "address to serve on")
	noServe := fs.Bool("no-serve", false, "stop after loading the data and building the site")
	g := addGenFlags(fs)
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// the exports are written in the zone the database reads them in
	cfg, err := g.config(e.now(), *tz)
	if err != nil {
		return err
	}
	exports := filepath.Join(*dir, "exports")
	m, err := gen.Write(ctx, exports, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "generated %d export files for %d customers (%s to %s) in %s\n", len(m.Files), m.Customers, m.FirstPeriod, m.LastPeriod, exports)

	// The exports are local times of the generator's zone (--tz, or gen's
	// default); the server keeps reading later uploads in it.
	loc := cfg.Location
	if loc == nil {
		if loc, err = time.LoadLocation(m.TimeZone); err != nil {
			loc = time.FixedZone(m.TimeZone, 8*3600)
		}
	}
	dbPath := filepath.Join(*dir, "feeflow.duckdb")
	if err := loadDemo(ctx, e, dbPath, exports, m, loc); err != nil {
		return err
	}
	siteDir := filepath.Join(*dir, "site")
	if *noServe {
		return buildDemoSite(ctx, e, dbPath, siteDir, loc)
	}
	password, token, err := demoAccounts(ctx, e, dbPath, loc)
	if err != nil {
		return err
	}
	o := serveOptions{db: dbPath, site: siteDir, addr: *addr, maxUpload: 256 << 20, loc: loc, siteFirst: true}
	return serve(ctx, e, o, func(addr string) {
		fmt.Fprintf(e.stdout, "  sign in as %s with the password %s (an admin, made for this session)\n", demoUser, password)
		fmt.Fprintf(e.stdout, "  token for scripts (admin): %s\n", token)
		fmt.Fprintf(e.stdout, "  the same site opens from disk: %s\n", filepath.Join(siteDir, "current", "index.html"))
		fmt.Fprintln(e.stdout, "stop with Ctrl-C")
	})
}

// demoUser is the admin the demo makes for each session.
const demoUser = "demo"

// demoAccounts gives the demo's admin, user and token, a new password and
// token for this session (the previous session's stop working).
func demoAccounts(ctx context.Context, e *env, dbPath string, loc *time.Location) (password, token string, err error) {
	if password, err = newSecret(8); err != nil {
		return "", "", err
	}
	if token, err = newSecret(24); err != nil {
		return "", "", err
	}
	key, err := passwordKey(dbPath)
	if err != nil {
		return "", "", err
	}
	hash, err := key.Hash(password)
	if err != nil {
		return "", "", err
	}
	store, err := openStore(ctx, dbPath, loc)
	if err != nil {
		return "", "", err
	}
	defer store.Close()
	if _, err := store.RemoveUser(ctx, demoUser); err != nil {
		return "", "", err
	}
	admin := server.Roles(server.Admin).String()
	if err := store.AddUser(ctx, data.Account{Name: demoUser, Secret: hash, Roles: admin, CreatedAt: e.now()}); err != nil {
		return "", "", err
	}
	if err := store.SetToken(ctx, data.Account{Name: demoUser, Secret: server.TokenDigest(token), Roles: admin, CreatedAt: e.now()}); err != nil {
		return "", "", err
	}
	return password, token, nil
}

// buildDemoSite publishes the site into siteDir once (a new build made
// current atomically, as the server does), without serving it.
func buildDemoSite(ctx context.Context, e *env, dbPath, siteDir string, loc *time.Location) error {
	store, err := openStore(ctx, dbPath, loc)
	if err != nil {
		return err
	}
	defer store.Close()
	sum, err := publishSite(ctx, siteDir, sitePublisher(e, store, site.Options{Currency: e.getenv("FEEFLOW_CURRENCY")}))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "site built: %d pages, %d files, %s in %.1f s\nopen %s\n", sum.Pages, sum.Files, byteCount(sum.Bytes), sum.Seconds, filepath.Join(siteDir, "current", "index.html"))
	return nil
}

// loadDemo ingests the generated files in upload order through the same
// path as any upload; run again, it finds them all already ingested.
func loadDemo(ctx context.Context, e *env, dbPath, exports string, m *gen.Manifest, loc *time.Location) error {
	store, err := openStore(ctx, dbPath, loc)
	if err != nil {
		return err
	}
	defer store.Close()
	in := ingest.New(store, ingest.Config{Location: loc, Now: e.now})
	for _, f := range m.Files {
		up := ingest.Upload{Kind: f.Kind, Path: filepath.Join(exports, f.File), FileName: f.File, UploadedBy: "demo"}
		res, err := in.Ingest(ctx, up)
		if res != nil {
			printResult(e, up, res, err, false)
		}
		if err != nil {
			if errors.Is(err, ingest.ErrRejected) {
				return fmt.Errorf("generated file %s was rejected; this is a bug in feeflow", f.File)
			}
			return fmt.Errorf("%s: %w", f.File, err)
		}
	}
	fmt.Fprintf(e.stdout, "database ready: %s\n", dbPath)
	return nil
}
