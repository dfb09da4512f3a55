// Package gen writes a realistic, seeded, deterministic set of fee-collection
// export files — one file (or several, for settlements) per record kind of
// DESIGN.md — together with manifest.json, the ground truth of everything the
// generator injected: late, partial and unpaid bills, voided payments,
// refunds at every stage, lost and damaged invoices, exceptions, improvement
// actions with an intended effect, and reconciliation discrepancies with
// their exact expected outcome.
//
// The same Config always produces byte-identical files: all randomness comes
// from math/rand/v2 PCG streams seeded from Config.Seed, no Go map is ever
// iterated to produce output, and the clock is never read. Timestamps are
// generated as local wall-clock times and written without an offset; the
// manifest names the zone they are meant to be read in.
package gen

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// Defaults applied by Write to zero fields of Config.
const (
	// DefaultCustomers is the number of customers when Config.Customers is 0.
	DefaultCustomers = 2000
	// DefaultMonths is the number of billing months when Config.Months is 0.
	DefaultMonths = 18
	// DefaultSeed is the seed used when Config.Seed is 0.
	DefaultSeed = 1
	// DefaultZone is the zone the exports' local timestamps are written in
	// when Config.Location is nil.
	DefaultZone = "Asia/Taipei"
)

// Config says what to generate.
type Config struct {
	// Customers is the number of customers (households); 0 means DefaultCustomers.
	Customers int
	// Months is the number of billing months; 0 means DefaultMonths.
	Months int
	// Seed selects the data set; 0 means DefaultSeed.
	Seed int64
	// End is the first day of the month after the last generated month
	// (its own calendar date is used, whatever its zone): 2026-11-01 with 18
	// months covers periods 2025-05..2026-10 and timestamps up to
	// 2026-10-31 23:59:59. Required.
	End time.Time
	// Location is the zone the exports' local timestamps are written in
	// (only its name matters: times are generated as wall-clock times);
	// nil means Asia/Taipei, or a fixed UTC+8 zone of that name when the
	// system has no tzdata.
	Location *time.Location
}

// normalized applies the defaults and validates the configuration.
func (c Config) normalized() (Config, error) {
	if c.Customers == 0 {
		c.Customers = DefaultCustomers
	}
	if c.Months == 0 {
		c.Months = DefaultMonths
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Location == nil {
		loc, err := time.LoadLocation(DefaultZone)
		if err != nil {
			loc = time.FixedZone(DefaultZone, 8*3600)
		}
		c.Location = loc
	}
	switch {
	case c.Customers < 0:
		return c, fmt.Errorf("gen: customers must be positive, got %d", c.Customers)
	case c.Customers > 1_000_000:
		return c, fmt.Errorf("gen: customers must be at most 1000000, got %d", c.Customers)
	case c.Months < 0:
		return c, fmt.Errorf("gen: months must be positive, got %d", c.Months)
	case c.Months > 120:
		return c, fmt.Errorf("gen: months must be at most 120, got %d", c.Months)
	case c.End.IsZero():
		return c, errors.New("gen: Config.End is required (the first day of the month after the last generated month)")
	case c.End.Day() != 1:
		return c, fmt.Errorf("gen: Config.End must be the first day of a month, got %s", c.End.Format(dateLayout))
	}
	return c, nil
}

// Write generates the data set described by cfg into dir (created if
// needed): every export file in upload order, then manifest.json. Existing
// files of the same names are replaced. The same cfg always yields
// byte-identical files.
func Write(ctx context.Context, dir string, cfg Config) (*Manifest, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	w := newWorld(cfg)
	if err := w.generate(ctx); err != nil {
		return nil, err
	}
	return w.write(ctx, dir)
}

// world holds the whole generated data set before it is written.
type world struct {
	cfg Config
	cal calendar

	fees       []feeItem
	collectors []string
	customers  []customer
	actions    []action

	bills     []bill
	pays      []payment
	refunds   []refund
	docs      []doc
	lines     []settlement
	groups    []channelGroup
	anomalies []anomaly
	resols    []resolution
	excs      []exception
	feedback  []feedbackRow

	payByID map[string]int // txn_id -> index in pays; lookups only, never iterated
}

func newWorld(cfg Config) *world {
	return &world{cfg: cfg, cal: newCalendar(cfg.End, cfg.Months, cfg.Location)}
}

// rng returns the random stream named name: independent streams keep one
// part of the data stable when another part changes.
func (w *world) rng(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(w.cfg.Seed), h.Sum64()))
}

// generate builds every record in dependency order.
func (w *world) generate(ctx context.Context) error {
	steps := []func(){
		w.genFeeItems,
		w.genCollectors,
		w.genCustomers,
		w.genActions,
		w.genBills,
		w.genPayments,
		w.genRefunds,
		w.genDocs,
		w.genSettlements,
		w.genResolutions,
		w.genExceptions,
		w.genFeedback,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return ctx.Err()
}
