package analytics

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/feeflow/feeflow/data"
)

// Analysts' queries can be run in a worker process of their own, so that a
// query that crashes DuckDB, exhausts memory or fills the temp folder takes
// down only the worker, never the process that ingests and publishes. The
// worker opens a read-only snapshot of the database (a backup taken at
// publish, so analysts see the data the dashboard shows) with its own
// memory and temp budget, runs each query through the same gate, and
// answers as JSON lines over its standard input and output. A worker that
// dies is started again for the next query.

// WorkerConfig says how to start a worker.
type WorkerConfig struct {
	// Command starts the worker: the program and its arguments before the
	// worker's own flags, e.g. {"/usr/bin/feeflow", "sql-worker"}. The worker
	// gets --db SNAPSHOT added, and reads requests on its standard input.
	Command []string
	// Snapshot is the database file the worker opens read-only.
	Snapshot string
	// Stderr receives the worker's diagnostics; nil discards them.
	Stderr io.Writer
	// Grace is how long past a request's timeout the worker may stay silent
	// before it is killed and started again; 0 means 5 s.
	Grace time.Duration
}

// Worker runs analysts' queries in a worker process, one at a time.
type Worker struct {
	cfg WorkerConfig

	mu         sync.Mutex
	snapshot   string
	generation int // of snapshots taken by Refresh
	proc       *workerProc
}

type workerProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	done chan struct{} // closed when the process has exited
}

// NewWorker returns a worker that starts its process on the first query.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Grace == 0 {
		cfg.Grace = 5 * time.Second
	}
	return &Worker{cfg: cfg, snapshot: cfg.Snapshot}
}

// UseSnapshot makes the next query run on another snapshot (the one the
// latest publish took); the running worker is stopped.
func (w *Worker) UseSnapshot(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.snapshot = path
	w.stopLocked()
}

// Refresh takes a new snapshot of store into dir (a backup: consistent,
// read back and checked, without the accounts schema), points the worker at
// it and removes the snapshot it replaces. A server calls it at each publish, so that analysts query
// the data the dashboard shows.
func (w *Worker) Refresh(ctx context.Context, store *data.Store, dir string) error {
	w.mu.Lock()
	w.generation++
	path := filepath.Join(dir, fmt.Sprintf("snapshot-%d-%d.duckdb", os.Getpid(), w.generation))
	w.mu.Unlock()
	os.Remove(path)
	if err := store.Snapshot(ctx, path); err != nil {
		return fmt.Errorf("snapshot for analysts' queries: %w", err)
	}
	w.mu.Lock()
	previous := w.snapshot
	w.snapshot = path
	w.stopLocked()
	w.mu.Unlock()
	if previous != "" && previous != path && filepath.Dir(previous) == filepath.Clean(dir) {
		os.Remove(previous)
		os.RemoveAll(previous + ".tmp")
	}
	return nil
}

// Snapshot is the database file the worker queries.
func (w *Worker) Snapshot() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.snapshot
}

// Close stops the worker process.
func (w *Worker) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopLocked()
	return nil
}

// ErrWorkerDied says the worker process ended while it ran the query (out
// of memory, a crash in DuckDB, killed); the next query starts a new one.
var ErrWorkerDied = errors.New("the query's worker process stopped while running it (out of memory or a crash); it is started again for the next query")

// Run runs an analyst's SQL in the worker; errors are those of
// data.Store.Query (RefusedError, QueryError, TimeoutError, ErrBusy), or
// ErrWorkerDied.
func (w *Worker) Run(ctx context.Context, query string, opts QueryOptions) ([]*Result, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc == nil {
		if err := w.startLocked(); err != nil {
			return nil, err
		}
	}
	p := w.proc
	req, err := json.Marshal(workerRequest{Query: query, MaxRows: opts.MaxRows, MaxBytes: opts.MaxBytes, Timeout: opts.Timeout, Single: opts.Single})
	if err != nil {
		return nil, err
	}
	type answer struct {
		line []byte
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		if _, err := p.in.Write(append(req, '\n')); err != nil {
			got <- answer{err: err}
			return
		}
		line, err := p.out.ReadBytes('\n')
		got <- answer{line, err}
	}()
	var limit <-chan time.Time
	if opts.Timeout > 0 {
		t := time.NewTimer(opts.Timeout + w.cfg.Grace)
		defer t.Stop()
		limit = t.C
	}
	select {
	case a := <-got:
		if a.err != nil {
			w.stopLocked()
			return nil, ErrWorkerDied
		}
		var resp workerResponse
		dec := json.NewDecoder(bytes.NewReader(a.line))
		dec.UseNumber()
		if err := dec.Decode(&resp); err != nil {
			w.stopLocked()
			return nil, fmt.Errorf("worker answer: %w", err)
		}
		results, err := resp.decode()
		if err != nil && strings.Contains(err.Error(), "Out of Memory") {
			// DuckDB may be left unable to allocate after a failed
			// allocation: the next query gets a fresh process.
			w.stopLocked()
		}
		return results, err
	case <-ctx.Done():
		// The worker may be deep in DuckDB: stop it rather than wait.
		w.stopLocked()
		return nil, ctx.Err()
	case <-limit:
		w.stopLocked()
		return nil, &data.TimeoutError{Timeout: opts.Timeout}
	}
}

func (w *Worker) startLocked() error {
	if len(w.cfg.Command) == 0 {
		return errors.New("worker: no command to start it")
	}
	args := append(append([]string{}, w.cfg.Command[1:]...), "--db", w.snapshot)
	cmd := exec.Command(w.cfg.Command[0], args...)
	cmd.Stderr = w.cfg.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the query worker: %w", err)
	}
	p := &workerProc{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16), done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	w.proc = p
	return nil
}

func (w *Worker) stopLocked() {
	p := w.proc
	if p == nil {
		return
	}
	w.proc = nil
	p.in.Close()
	select {
	case <-p.done:
	case <-time.After(100 * time.Millisecond):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// ServeWorker is the worker's side: it reads one request per line from r,
// runs it through store's gate, and writes one answer per line to w, until
// r ends.
func ServeWorker(ctx context.Context, store *data.Store, r io.Reader, w io.Writer) error {
	in := bufio.NewReaderSize(r, 1<<16)
	out := bufio.NewWriter(w)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		var req workerRequest
		var resp workerResponse
		if jerr := json.Unmarshal(line, &req); jerr != nil {
			resp.Error = &workerError{Kind: "query", Message: "bad request: " + jerr.Error()}
		} else {
			results, qerr := store.Query(ctx, req.Query, QueryOptions{MaxRows: req.MaxRows, MaxBytes: req.MaxBytes, Timeout: req.Timeout, Single: req.Single})
			resp.encode(results, qerr)
		}
		b, err := json.Marshal(resp)
		if err != nil {
			b, _ = json.Marshal(workerResponse{Error: &workerError{Kind: "internal", Message: err.Error()}})
		}
		out.Write(b)
		out.WriteByte('\n')
		if err := out.Flush(); err != nil {
			return err
		}
	}
}

type workerRequest struct {
	Query    string        `json:"query"`
	MaxRows  int           `json:"max_rows"`
	MaxBytes int64         `json:"max_bytes"`
	Timeout  time.Duration `json:"timeout"`
	Single   bool          `json:"single"`
}

type workerResponse struct {
	Results []workerResult `json:"results,omitempty"`
	Error   *workerError   `json:"error,omitempty"`
}

type workerResult struct {
	Statement   string   `json:"statement"`
	Columns     []Column `json:"columns"`
	Rows        [][]any  `json:"rows"`
	Truncated   bool     `json:"truncated"`
	TruncatedBy string   `json:"truncated_by,omitempty"`
}

// workerError carries the gate's error types across the process boundary.
type workerError struct {
	Kind    string        `json:"kind"` // refused, query, timeout, busy, internal
	Index   int           `json:"index,omitempty"`
	Refused string        `json:"refused,omitempty"` // RefusedError.Kind
	Message string        `json:"message"`
	Timeout time.Duration `json:"timeout,omitempty"`
}

func (resp *workerResponse) encode(results []*Result, err error) {
	var refused *data.RefusedError
	var qerr *data.QueryError
	var terr *data.TimeoutError
	switch {
	case err == nil:
		for _, r := range results {
			wr := workerResult{Statement: r.Statement, Columns: r.Columns, Rows: make([][]any, len(r.Rows)), Truncated: r.Truncated, TruncatedBy: r.TruncatedBy}
			for i, row := range r.Rows {
				cells := make([]any, len(row))
				for j, v := range row {
					cells[j] = wireValue(v)
				}
				wr.Rows[i] = cells
			}
			resp.Results = append(resp.Results, wr)
		}
	case errors.As(err, &refused):
		resp.Error = &workerError{Kind: "refused", Index: refused.Index, Refused: refused.Kind, Message: refused.Reason}
	case errors.As(err, &qerr):
		resp.Error = &workerError{Kind: "query", Index: qerr.Index, Message: qerr.Err.Error()}
	case errors.As(err, &terr):
		resp.Error = &workerError{Kind: "timeout", Timeout: terr.Timeout}
	case errors.Is(err, data.ErrBusy):
		resp.Error = &workerError{Kind: "busy"}
	default:
		resp.Error = &workerError{Kind: "internal", Message: err.Error()}
	}
}

func (resp *workerResponse) decode() ([]*Result, error) {
	if e := resp.Error; e != nil {
		switch e.Kind {
		case "refused":
			return nil, &data.RefusedError{Index: e.Index, Kind: e.Refused, Reason: e.Message}
		case "query":
			return nil, &data.QueryError{Index: e.Index, Err: errors.New(e.Message)}
		case "timeout":
			return nil, &data.TimeoutError{Timeout: e.Timeout}
		case "busy":
			return nil, data.ErrBusy
		}
		return nil, fmt.Errorf("query worker: %s", e.Message)
	}
	out := make([]*Result, 0, len(resp.Results))
	for _, wr := range resp.Results {
		r := &Result{Statement: wr.Statement, Columns: wr.Columns, Rows: make([][]any, len(wr.Rows)), Truncated: wr.Truncated, TruncatedBy: wr.TruncatedBy}
		if r.Columns == nil {
			r.Columns = []Column{}
		}
		for i, row := range wr.Rows {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = fromWire(v)
			}
			r.Rows[i] = cells
		}
		out = append(out, r)
	}
	return out, nil
}

// wireValue tags the values JSON would blur: exact decimals, instants,
// blobs and non-finite floats travel as one-key objects; plain JSON values
// as they are; lists and structs element by element.
func wireValue(v any) any {
	switch x := v.(type) {
	case data.DecimalText:
		return map[string]any{"d": string(x)}
	case time.Time:
		return map[string]any{"t": x.Format(time.RFC3339Nano)}
	case []byte:
		return map[string]any{"b": base64.StdEncoding.EncodeToString(x)}
	case float64:
		// As text: JSON has no NaN or infinity, and a whole float must not
		// come back as an integer.
		return map[string]any{"f": strconv.FormatFloat(x, 'g', -1, 64)}
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = wireValue(e)
		}
		return map[string]any{"l": l}
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = wireValue(e)
		}
		return map[string]any{"m": m}
	}
	return v
}

// fromWire reverses wireValue; integers come back as int64.
func fromWire(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		return data.DecimalText(x)
	case map[string]any:
		if len(x) != 1 {
			return x
		}
		for k, e := range x {
			switch k {
			case "d":
				s, _ := e.(string)
				return data.DecimalText(s)
			case "t":
				s, _ := e.(string)
				t, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return s
				}
				return t
			case "b":
				s, _ := e.(string)
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return s
				}
				return b
			case "f":
				s, _ := e.(string)
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return s
				}
				return f
			case "l":
				l, _ := e.([]any)
				for i := range l {
					l[i] = fromWire(l[i])
				}
				return l
			case "m":
				m, _ := e.(map[string]any)
				for mk := range m {
					m[mk] = fromWire(m[mk])
				}
				return m
			}
		}
	}
	return v
}
