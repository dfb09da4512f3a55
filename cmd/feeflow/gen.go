package main

import (
	"context"
	"fmt"
	"time"

	"github.com/feeflow/feeflow/gen"
)

// genFlags are the generator's flags, shared by gen and demo.
type genFlags struct {
	customers, months *int
	seed              *int64
	end               *string
}

func addGenFlags(fs interface {
	Int(string, int, string) *int
	Int64(string, int64, string) *int64
	String(string, string, string) *string
}) genFlags {
	return genFlags{
		customers: fs.Int("customers", gen.DefaultCustomers, "number of customers"),
		months:    fs.Int("months", gen.DefaultMonths, "number of billing months"),
		seed:      fs.Int64("seed", gen.DefaultSeed, "seed: the same seed gives the same files"),
		end:       fs.String("end", "", "first month not generated, YYYY-MM (default: the current month)"),
	}
}

// config turns the flags into a generator configuration; the default end is
// the current month, so the data runs up to last month. zone (--tz) is the
// zone the exports' local times are written in; "" keeps gen's default.
func (g genFlags) config(now time.Time, zone string) (gen.Config, error) {
	cfg := gen.Config{Customers: *g.customers, Months: *g.months, Seed: *g.seed}
	if *g.end == "" {
		cfg.End = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	} else {
		t, err := time.Parse("2006-01", *g.end)
		if err != nil {
			return cfg, usagef("--end %q: want YYYY-MM", *g.end)
		}
		cfg.End = t
	}
	if cfg.Customers <= 0 || cfg.Months <= 0 {
		return cfg, usagef("--customers and --months must be positive")
	}
	if zone != "" {
		loc, err := loadZone(zone)
		if err != nil {
			return cfg, err
		}
		cfg.Location = loc
	}
	return cfg, nil
}

func runGen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "gen", "--out DIR [--customers N] [--months M] [--seed S] [--end YYYY-MM] [--tz ZONE]")
	out := fs.String("out", "", "folder to write the export files and manifest.json into")
	g := addGenFlags(fs)
	tz := fs.String("tz", "", "time zone the exports' timestamps are written in, without an offset, e.g. America/New_York (default: "+gen.DefaultZone+", so that a seed gives the same files on every machine)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	cfg, err := g.config(e.now(), *tz)
	if err != nil {
		return err
	}
	m, err := gen.Write(ctx, *out, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d export files for %d customers, periods %s to %s, into %s (timestamps in %s; see manifest.json)\n",
		len(m.Files), m.Customers, m.FirstPeriod, m.LastPeriod, *out, m.TimeZone)
	for _, f := range m.Files {
		fmt.Fprintf(e.stdout, "  %-13s %-28s %s\n", f.Kind, f.File, f.Encoding)
	}
	return nil
}
