package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/site"
)

func runBuild(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "build", "--db PATH --out DIR [--as-of YYYY-MM-DD] [--lang LANG] [--with-names]")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "site folder: each build goes to DIR/builds/<id>, and DIR/current then links to the new one (the site opens at DIR/current/index.html)")
	asOf := fs.String("as-of", "", "\"data as of\" day, YYYY-MM-DD (default: the last day of the data)")
	lang := fs.String("lang", "", "build only these languages, comma-separated: "+strings.Join(site.Languages, ", ")+" (default: all)")
	currency := fs.String("currency", e.getenv("FEEFLOW_CURRENCY"), "the organisation's currency (ISO code, e.g. TWD, CNY, HKD), named with amounts on the pages (default: "+site.DefaultCurrency+"; env FEEFLOW_CURRENCY)")
	withNames := fs.Bool("with-names", false, "show customers' names and units in the lists (who owes, each debtor's page); without it they list customer IDs only. A site built with names is for people allowed to see them: never publish it openly")
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
	opts := site.Options{Now: e.now(), Currency: *currency, WithNames: *withNames}
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
	sum, err := publishSite(ctx, *out, sitePublisher(e, store, opts))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "built %s (build %s): %d pages, %d files (%d written, %d unchanged), %s in %.1f s\nopen %s\n", *out, sum.Build, sum.Pages, sum.Files, sum.Written, sum.Unchanged,
		byteCount(sum.Bytes), sum.Seconds, filepath.Join(*out, "current", "index.html"))
	return nil
}
