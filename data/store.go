// Package data is feeflow's DuckDB store: it opens and locks the database
// file, applies the schema migrations, writes batches in transactions, and
// converts money across the decimal boundary. It is the only package that
// imports duckdb-go.
package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Options tune how the database is opened.
type Options struct {
	// Threads DuckDB may use; 0 lets DuckDB decide.
	Threads int
	// MemoryLimit bounds DuckDB's buffer manager, e.g. "1GB"; "" keeps DuckDB's default.
	MemoryLimit string
	// Location is the zone local days are bucketed in; nil means UTC.
	Location *time.Location
}

// Store is an open feeflow database.
type Store struct {
	db   *sql.DB
	conn *duckdb.Connector
	path string
	loc  *time.Location

	// writeMu makes the store's single writer explicit: DuckDB serialises
	// commits anyway, but overlapping batches would conflict on their keys.
	writeMu sync.Mutex
}

// LockedError says another process holds the database file.
type LockedError struct {
	Path string
	PID  int // 0 when DuckDB did not say
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("another process (PID %d)", e.PID)
	}
	return fmt.Sprintf("database %s is held by %s, probably a running `feeflow serve`: "+
		"send the work through that server with --server URL (and a token), or stop it and try again", e.Path, who)
}

var lockPID = regexp.MustCompile(`\(PID (\d+)\)`)

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	q := url.Values{}
	if opts.Threads > 0 {
		q.Set("threads", strconv.Itoa(opts.Threads))
	}
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	dsn := path
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	tz := loc.String()
	if tz == "Local" {
		return nil, fmt.Errorf("open database %s: the time zone must be given by name (e.g. Asia/Taipei), not as Go's Local", path)
	}
	connector, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		// TimeZone is per connection (STACK.md); local days depend on it.
		_, err := execer.ExecContext(context.Background(), "SET TimeZone = '"+strings.ReplaceAll(tz, "'", "''")+"'", nil)
		return err
	})
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		connector.Close()
		return nil, openError(path, err)
	}
	s := &Store{db: db, conn: connector, path: path, loc: loc}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.initSettings(ctx, tz); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		le := &LockedError{Path: path}
		if m := lockPID.FindStringSubmatch(msg); m != nil {
			le.PID, _ = strconv.Atoi(m[1])
		}
		return le
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// IsLocked reports whether err says another process holds the database.
func IsLocked(err error) bool {
	var le *LockedError
	return errors.As(err, &le)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Location is the zone local days are bucketed in.
func (s *Store) Location() *time.Location { return s.loc }

// DB gives read access for the packages above (analytics); writes go through
// Begin so that there is one writer.
func (s *Store) DB() *sql.DB { return s.db }

// Close checkpoints and closes the database.
func (s *Store) Close() error {
	err := s.db.Close()
	if cerr := s.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// initSettings records the zone of a new database. Later opens keep it: the
// organisation's days do not move with the machine an analyst runs on.
func (s *Store) initSettings(ctx context.Context, tz string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO feeflow_settings (time_zone)
		SELECT ? WHERE NOT EXISTS (SELECT 1 FROM feeflow_settings)`, tz)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}
