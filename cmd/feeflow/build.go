package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/site"
)

func runBuild(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "build", "--db PATH --out DIR [--as-of YYYY-MM-DD] [--lang LANG]")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "folder to write the site into (its previous content is replaced)")
	asOf := fs.String("as-of", "", "\"data as of\" day, YYYY-MM-DD (default: the last day of the data)")
	lang := fs.String("lang", "", "build only these languages, comma-separated: "+strings.Join(site.Languages, ", ")+" (default: all)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usagef("--db is required")
	}
	if *out == "" {
		return usagef("--out is required")
	}
	opts := site.Options{Out: *out, Now: e.now()}
	if *asOf != "" {
		d, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return usagef("--as-of %q: want YYYY-MM-DD", *asOf)
		}
		opts.AsOf = d
	}
	if *lang != "" {
		for _, l := range strings.Split(*lang, ",") {
			l = strings.TrimSpace(l)
			known := false
			for _, k := range site.Languages {
				known = known || k == l
			}
			if !known {
				return usagef("--lang %q: want one of %s", l, strings.Join(site.Languages, ", "))
			}
			opts.Langs = append(opts.Langs, l)
		}
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	store, err := openReadOnly(ctx, *db, loc, false, true)
	if err != nil {
		if data.IsLocked(err) {
			return fmt.Errorf("%w\nthe server holds the database: ask it to rebuild the site with POST /api/v1/publish", err)
		}
		return err
	}
	defer store.Close()
	start := time.Now()
	if opts.Dictionary, err = analytics.Dictionary(ctx, store); err != nil {
		return err
	}
	sum, err := site.Build(ctx, analytics.New(store), opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "built %s: %d pages, %d files, %s in %s\n", *out, sum.Pages, sum.Files, byteCount(sum.Bytes), time.Since(start).Round(time.Millisecond))
	return nil
}
