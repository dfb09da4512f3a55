// Package data is feeflow's DuckDB store: it opens and locks the database
// file, applies the schema migrations, writes batches in transactions, and
// converts money across the decimal boundary. It is the only package that
// imports duckdb-go.
package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
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
	// TempDirectory is where DuckDB spills; "" keeps DuckDB's default (beside the file).
	TempDirectory string
	// MaxTempSize bounds the spill files, e.g. "2GB"; "" keeps DuckDB's default.
	MaxTempSize string
	// Location is the zone local days are bucketed in; nil means UTC.
	Location *time.Location
	// ExternalAccess lets SQL read and write files (COPY, read_csv). Only
	// `feeflow export` and `feeflow backup` need it; every other instance
	// runs sandboxed.
	ExternalAccess bool
	// ReadOnly opens the file with DuckDB's access_mode=READ_ONLY: nothing,
	// not even a checkpoint, is written to it, and the schema is not
	// migrated; a database whose schema is older than this feeflow is
	// refused with a SchemaError.
	ReadOnly bool
}

// Store is an open feeflow database.
type Store struct {
	db       *sql.DB
	conn     *duckdb.Connector
	path     string
	absPath  string
	loc      *time.Location
	readOnly bool

	// analysts bounds the analysts' queries running at once (gate.go).
	analysts chan struct{}

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
	if opts.TempDirectory != "" {
		q.Set("temp_directory", opts.TempDirectory)
	}
	if opts.MaxTempSize != "" {
		q.Set("max_temp_directory_size", opts.MaxTempSize)
	}
	// The sandbox (STACK.md): no file or network access from SQL; it cannot
	// be turned back on while the instance runs.
	q.Set("enable_external_access", strconv.FormatBool(opts.ExternalAccess))
	if opts.ReadOnly {
		q.Set("access_mode", "READ_ONLY")
	}
	dsn := path + "?" + q.Encode()
	tz := loc.String()
	if tz == "Local" {
		return nil, fmt.Errorf("open database %s: the time zone must be given by name (e.g. Asia/Taipei), not as Go's Local", path)
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	// TimeZone is set once for the instance, so that every pooled connection
	// has it (local days depend on it), and then the configuration is locked:
	// no SET, from anyone, afterwards (gate.go). A per-connection SET in the
	// connector's init would fail on new connections once locked.
	if err := lockConfiguration(ctx, db, tz); err != nil {
		db.Close()
		connector.Close()
		return nil, openError(path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	s := &Store{db: db, conn: connector, path: path, absPath: abs, loc: loc, readOnly: opts.ReadOnly, analysts: make(chan struct{}, analystSlots)}
	if opts.ReadOnly {
		if err := s.checkSchema(ctx); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
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

// lockConfiguration sets the instance's zone and locks its configuration.
// An instance this process already opened with the same DSN is shared and
// already locked: it must then have the same zone.
func lockConfiguration(ctx context.Context, db *sql.DB, tz string) error {
	var locked bool
	var current string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('lock_configuration'), current_setting('TimeZone')`).Scan(&locked, &current); err != nil {
		return err
	}
	if locked {
		if current != tz {
			return fmt.Errorf("the database is already open in this process with the time zone %s, not %s", current, tz)
		}
		return nil
	}
	for _, stmt := range []string{
		"SET GLOBAL TimeZone = '" + strings.ReplaceAll(tz, "'", "''") + "'",
		"SET lock_configuration = true",
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
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

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// SchemaError says a database opened read-only lacks schema or metric
// definitions this feeflow expects: a writer must bring it up to date first.
type SchemaError struct {
	Path    string
	Missing string // what is missing or out of date, e.g. "schema migration 0003_comments.sql"
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("database %s: %s is missing or out of date, and a read-only command does not change the file; "+
		"open it once with a command that writes (`feeflow serve`, or `feeflow ingest`) of this feeflow version, then try again", e.Path, e.Missing)
}

// checkSchema verifies, without writing, that every embedded migration has
// been applied to the file.
func (s *Store) checkSchema(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	applied := map[int]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return &SchemaError{Path: s.path, Missing: "the schema (no schema_migrations table: is this a feeflow database?)"}
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		if !applied[m.version] {
			return &SchemaError{Path: s.path, Missing: "schema migration " + m.name}
		}
	}
	return nil
}

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
