// Command feeflow ingests fee-collection exports into an embedded DuckDB
// database, computes the collection metrics and publishes the dashboard.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // --tz works on machines without a zone database

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// command is one subcommand: its own flags and a Run.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
	now            func() time.Time
	// limitMemory caps the process's memory (its address space); nil in
	// tests that run commands inside the test process.
	limitMemory func(bytes int64) error
	// workerCommand is how `serve` starts the analysts' query worker (this
	// binary's sql-worker); nil runs analysts' queries in-process, as tests
	// that serve inside the test process do.
	workerCommand func() ([]string, error)
}

// selfWorker starts the query worker from this very binary.
func selfWorker() ([]string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the feeflow binary to start the query worker: %w", err)
	}
	return []string{exe, "sql-worker"}, nil
}

var commands = map[string]command{
	"build":    {"build the static dashboard site from the database", runBuild},
	"demo":     {"generate a data set, ingest it, and serve it", runDemo},
	"gen":      {"write a realistic, seeded set of export files", runGen},
	"ingest":   {"validate and append export files to the database", runIngest},
	"profiles": {"list the built-in statement profiles (bank and payment-channel layouts)", runProfiles},
	"serve":    {"serve the ingest API, the upload page and the site", runServe},
	"token":    {"make a token for scripts, with its roles (--db stores it; else a --tokens-file line)", runToken},
	"user":     {"add, remove or list the people who sign in to the server, with their roles", runUser},
	"sql":      {"run analysts' read-only SQL (argument or stdin) as a table, CSV, JSON or Parquet", runSQL},
	"schema":   {"print the data dictionary: tables, views, macros, columns, comments", runSchema},
	"export":   {"write every table as Hive-partitioned Parquet", runExport},
	"check":    {"read every block of the database and test its invariants", runCheck},
	"backup":   {"write a consistent, checked copy of the database", runBackup},
	"digest":   {"evaluate the alert rules and send the new, changed and resolved alerts (e-mail, webhook)", runDigest},
	// The process analytics.Worker starts for analysts' queries; unlisted.
	"sql-worker": {"", runSQLWorker},
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func main() {
	// feeflow's heap is small and short-lived (rows live only between the
	// parser and DuckDB's appender): collect less often, unless GOGC says
	// otherwise. Measured: about a tenth faster ingest for a bounded heap.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// A build of a large history holds its long lists in Go, though, and at
	// 400 the heap grew to several times them: bound it beside DuckDB's own
	// memory (1 GB by default), unless GOMEMLIMIT says otherwise. Measured
	// on the site of 10 M payments: peak resident 1.82-1.88 GB without the
	// bound, 1.47 GB with it, the build no slower.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv, now: time.Now, limitMemory: setMemoryCeiling, workerCommand: selfWorker}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run executes one command line and returns the exit status: 0 success,
// 1 failure, 2 bad usage.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "feeflow: unknown command %q\n\n", args[0])
		printUsage(e.stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "feeflow %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errSilent):
		return 1
	default:
		fmt.Fprintf(e.stderr, "feeflow %s: %v\n", args[0], err)
		return 1
	}
}

// errSilent is a failure already explained on the output.
var errSilent = errors.New("failed")

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: feeflow COMMAND [flags]\n\ncommands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if commands[n].summary == "" {
			continue
		}
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'feeflow COMMAND -h' for a command's flags.")
}

// newFlags makes a command's flag set, which reports errors instead of exiting.
func newFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: feeflow %s %s\n\nflags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// tzFlag adds --tz, the zone of timestamps written without an offset.
func tzFlag(fs *flag.FlagSet) *string {
	return fs.String("tz", "", "time zone of timestamps written without an offset, e.g. Asia/Taipei (default: this machine's zone)")
}

func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return machineZone(), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, usagef("--tz %q: unknown time zone", name)
	}
	return loc, nil
}

// parseBytes reads sizes like 256MiB, 1GiB, 500KB or a plain byte count.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			var n int64
			if _, err := fmt.Sscanf(strings.TrimSpace(num), "%d", &n); err != nil || n <= 0 {
				return 0, fmt.Errorf("size %q: want a positive number with an optional unit (KiB, MiB, GiB)", s)
			}
			return n * u.mult, nil
		}
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive number with an optional unit (KiB, MiB, GiB)", s)
	}
	return n, nil
}

// machineZone is this machine's zone under its IANA name (DuckDB needs the
// name; Go calls it "Local"): $TZ, else the target of /etc/localtime, else UTC.
func machineZone() *time.Location {
	candidates := []string{strings.TrimPrefix(os.Getenv("TZ"), ":")}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			candidates = append(candidates, name)
		}
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(b)))
	}
	for _, name := range candidates {
		if name == "" || name == "Local" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// DuckDB's buffer manager is bounded so that feeflow lives beside other
// programs; beyond the bound, work spills to disk. Ingest keeps the metric
// facts in the batch's transaction, which needs the metric views' bound (a
// batch of many keys recomputes them whole: analytics.WholeRebuildKeys). The
// FEEFLOW_MEMORY_LIMIT environment variable (e.g. 4GB) overrides both.
const (
	queryMemoryLimit  = "1GB"
	ingestMemoryLimit = "1GB"
)

// openStore opens the database and installs the metric views, so that every
// command, and every analyst's client, reads the current definitions.
func openStore(ctx context.Context, path string, loc *time.Location) (*data.Store, error) {
	return openStoreWithLimit(ctx, path, loc, queryMemoryLimit)
}

// openStoreForIngest is openStore for a command that only loads files.
func openStoreForIngest(ctx context.Context, path string, loc *time.Location) (*data.Store, error) {
	return openStoreWithLimit(ctx, path, loc, ingestMemoryLimit)
}

func openStoreWithLimit(ctx context.Context, path string, loc *time.Location, limit string) (*data.Store, error) {
	if env := os.Getenv("FEEFLOW_MEMORY_LIMIT"); env != "" {
		limit = env
	}
	store, err := data.Open(ctx, path, data.Options{Location: loc, MemoryLimit: limit})
	if err != nil {
		return nil, err
	}
	if err := analytics.Install(ctx, store); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}
