// Package ingest takes an uploaded export file to committed rows: it reads
// the file, validates every row of it, checks keys and references against the
// database, and writes the batch whole or not at all.
package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest/profiles"
	"github.com/feeflow/feeflow/ingest/source"
)

// Config holds what the ingester needs beyond the store.
type Config struct {
	// Location reads timestamps written without an offset; nil means UTC.
	Location *time.Location
	// Now is the clock for uploaded_at; nil means time.Now.
	Now func() time.Time
	// MaxErrors bounds the problems listed in one answer (all are counted).
	MaxErrors int
	// Workers validating rows in parallel; 0 means GOMAXPROCS.
	Workers int
	// MaxFieldBytes, MaxXLSXUnzipped and MaxSheets bound what one file may hold.
	MaxFieldBytes   int
	MaxXLSXUnzipped int64
	MaxSheets       int
	// MaxRows bounds the data rows of one file; 0 means 50 million.
	MaxRows int
	// Currency is the organisation's currency (ISO code): statement rows in
	// another are refused. "" takes the profile's default, else CNY.
	Currency string
}

// Ingester writes uploads into the store. It is safe for concurrent use;
// batches are written one at a time.
type Ingester struct {
	store *data.Store
	cfg   Config

	// beforeCommit, when set, runs after every row of a batch is written and
	// before the commit; tests use it to inject a failure there.
	beforeCommit func() error
}

// New returns an Ingester writing into store.
func New(store *data.Store, cfg Config) *Ingester {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxErrors <= 0 {
		cfg.MaxErrors = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxRows <= 0 {
		cfg.MaxRows = 50_000_000
	}
	return &Ingester{store: store, cfg: cfg}
}

// Upload is one file to ingest and how.
type Upload struct {
	Kind        string
	Path        string // the file on local disk (uploads are spooled first)
	FileName    string // the name the user gave it: for messages and the batch record only
	ContentType string
	Encoding    string // auto, utf-8, gbk or big5
	Sheet       string // XLSX sheet; "" for the first
	// Location reads timestamps written without an offset; nil means the
	// ingester's zone.
	Location    *time.Location
	Profile     Profile
	AllowErrors bool // commit the good rows and report the bad
	DryRun      bool // validate and report, write nothing
	UploadedBy  string
	// IdempotencyKey, when set, makes a retry replay the first answer.
	IdempotencyKey string
	// MaxErrors bounds the problems listed in the answer; 0 means the
	// ingester's MaxErrors.
	MaxErrors int
}

// Result is the ingest answer of DESIGN.md.
type Result struct {
	BatchID       string     `json:"batch_id"`
	Kind          string     `json:"kind"`
	FileSHA256    string     `json:"file_sha256"`
	RowsTotal     int        `json:"rows_total"`
	RowsAccepted  int        `json:"rows_accepted"`
	RowsRejected  int        `json:"rows_rejected"`
	RowsDuplicate int        `json:"rows_duplicate"`
	DuplicateOf   *string    `json:"duplicate_of"`
	Errors        []RowError `json:"errors"`
	// ErrorsOmitted counts problems beyond the listed ones.
	ErrorsOmitted int    `json:"errors_omitted,omitempty"`
	DryRun        bool   `json:"dry_run,omitempty"`
	Committed     bool   `json:"committed"`
	Format        string `json:"format,omitempty"`
	Encoding      string `json:"encoding,omitempty"`
	// Replayed is set when the answer is the stored one of an Idempotency-Key.
	Replayed bool `json:"replayed,omitempty"`
	// Profile names the profile the file was read with ("" for feeflow's
	// own headers or an unnamed profile).
	Profile string `json:"profile,omitempty"`
	// HeaderRow is the line taken as the header.
	HeaderRow int `json:"header_row,omitempty"`
	// IgnoredColumns are the file's columns feeflow did not read.
	IgnoredColumns []string `json:"ignored_columns"`
	// Dropped counts, by reason, the rows a profile left out (failed
	// orders, money paid out); they are not in rows_total.
	Dropped []Dropped `json:"dropped"`
	// Skipped lists lines that are not rows (preamble, footers), at most
	// 100; SkippedOmitted counts the rest.
	Skipped        []Skipped `json:"skipped"`
	SkippedOmitted int       `json:"skipped_omitted,omitempty"`
}

// Errors that decide the answer's code (errors.go).
var (
	// ErrRejected: rows were rejected and allow_errors was not set; nothing was written.
	ErrRejected = &Error{Code: Rejected, Message: "rows rejected; nothing was written"}
	// ErrUnknownKind: the kind is not one of DESIGN.md's record kinds.
	ErrUnknownKind = &Error{Code: UnknownKind, Message: "unknown record kind"}
	// ErrBadRequest: the request itself is wrong (a bad mapping profile, an
	// idempotency key reused for another kind).
	ErrBadRequest = &Error{Code: BadRequest, Message: "bad request"}
)

// TooManyRowsError: the file holds more rows than one upload may.
type TooManyRowsError struct{ Max int }

func (e *TooManyRowsError) Error() string {
	return fmt.Sprintf("the file has more than %d data rows; split it into several uploads", e.Max)
}

// BadFileError: the file cannot be read at all.
type BadFileError struct{ Err error }

func (e *BadFileError) Error() string { return e.Err.Error() }
func (e *BadFileError) Unwrap() error { return e.Err }

// Ingest reads, validates and writes one upload. On ErrRejected and
// BadFileError the Result still carries the report.
func (in *Ingester) Ingest(ctx context.Context, u Upload) (*Result, error) {
	kind, ok := KindByName(u.Kind)
	if !ok {
		return nil, fmt.Errorf("%w %q: want one of %s", ErrUnknownKind, u.Kind, strings.Join(KindNames(), ", "))
	}
	if err := kind.checkProfile(u.Profile); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	sum, err := hashFile(u.Path)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: kind.Name, FileSHA256: sum, Errors: []RowError{}, DryRun: u.DryRun,
		IgnoredColumns: []string{}, Dropped: []Dropped{}, Skipped: []Skipped{}}

	tx, err := in.store.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	if u.IdempotencyKey != "" {
		k, answer, found, err := tx.IdempotentAnswer(ctx, u.IdempotencyKey)
		if err != nil {
			return nil, err
		}
		if found {
			if k != kind.Name {
				return nil, Errorf(Conflict, "Idempotency-Key %q was used for a %s upload", u.IdempotencyKey, k)
			}
			var replay Result
			if err := json.Unmarshal([]byte(answer), &replay); err != nil {
				return nil, fmt.Errorf("replay idempotency key: %w", err)
			}
			// The key is bound to the file it first came with: another file
			// under the same key is a client's mistake, never a replay.
			if replay.FileSHA256 != sum {
				first := "batch " + replay.BatchID
				if b, found, err := tx.BatchBySHA(ctx, kind.Name, replay.FileSHA256); err == nil && found {
					first = fmt.Sprintf("file %s (batch %s)", b.FileName, b.ID)
				}
				return nil, Errorf(Conflict, "Idempotency-Key %q was first used for another file, %s, sha256 %s; use a new key for a new file", u.IdempotencyKey, first, replay.FileSHA256)
			}
			replay.Replayed = true
			return &replay, nil
		}
	}
	if b, found, err := tx.BatchBySHA(ctx, kind.Name, sum); err != nil {
		return nil, err
	} else if found {
		id := b.ID
		res.DuplicateOf = &id
		res.RowsTotal = b.RowsAccepted + b.RowsRejected + b.RowsDuplicate
		res.RowsDuplicate = res.RowsTotal
		return res, nil
	}

	rd, err := in.open(u, kind)
	if err != nil {
		var hp *headerProblem
		if errors.As(err, &hp) {
			res.Errors = hp.errs
			return res, ErrRejected
		}
		return res, badFile(res, err)
	}
	src := rd.src
	defer src.Close()
	res.Format, res.Encoding = string(src.Format()), string(src.Encoding())
	res.Profile, res.HeaderRow, res.IgnoredColumns = rd.profile, rd.row, rd.ignored
	if res.IgnoredColumns == nil {
		res.IgnoredColumns = []string{}
	}
	res.BatchID = newBatchID(in.cfg.Now())
	maxErrors := in.cfg.MaxErrors
	if u.MaxErrors > 0 {
		maxErrors = u.MaxErrors
	}
	st, err := newStage(kind, res.BatchID)
	if err != nil {
		return nil, err
	}
	cv := in.converterFor(u, kind, rd)
	read, err := in.appendRows(ctx, tx, rd, cv, kind.Name, res.BatchID, maxErrors)
	if err != nil {
		var fe *source.FileError
		if errors.As(err, &fe) {
			return res, badFile(res, err)
		}
		return nil, err
	}
	for _, s := range rd.skipped {
		read.tally.skip(s)
	}
	read.tally.report(res)
	res.RowsTotal = read.total
	if read.total == 0 {
		res.BatchID = ""
		msg := "the file has a header but no data rows"
		if len(res.Dropped) > 0 {
			msg = "every row of the file was dropped by the profile (see dropped): nothing to ingest"
		}
		res.Errors = []RowError{{Row: rd.row + 1, Message: msg}}
		return res, ErrRejected
	}
	if err := tx.Exec(ctx, st.createSQL()); err != nil {
		return nil, fmt.Errorf("check %s: %w", kind.Name, err)
	}
	issues, err := st.check(ctx, tx, maxErrors)
	if err != nil {
		return nil, err
	}
	res.RowsRejected = read.rejected + issues.rejected
	res.RowsDuplicate = issues.duplicate
	res.RowsAccepted = res.RowsTotal - res.RowsRejected - res.RowsDuplicate
	res.Errors, res.ErrorsOmitted = mergeErrors(read.errs, issues.errs, read.problems+issues.problems, maxErrors)

	if res.RowsRejected > 0 && !u.AllowErrors {
		res.BatchID = ""
		return res, ErrRejected
	}
	if u.DryRun {
		res.BatchID = ""
		return res, nil
	}
	if issues.rejected+issues.duplicate > 0 {
		if err := tx.Exec(ctx, st.deleteSQL()); err != nil {
			return nil, fmt.Errorf("write %s: %w", kind.Name, err)
		}
	}
	if err := tx.Exec(ctx, st.dropSQL()); err != nil {
		return nil, fmt.Errorf("stage %s: %w", kind.Name, err)
	}
	by := u.UploadedBy
	if by == "" {
		by = "cli"
	}
	name := u.FileName
	if name == "" {
		name = "upload"
	}
	if err := tx.InsertBatch(ctx, data.Batch{
		ID: res.BatchID, Kind: kind.Name, FileName: name, FileSHA256: sum, UploadedBy: by,
		UploadedAt: in.cfg.Now(), RowsAccepted: res.RowsAccepted, RowsRejected: res.RowsRejected, RowsDuplicate: res.RowsDuplicate,
	}); err != nil {
		return nil, err
	}
	if err := analytics.MaintainFacts(ctx, tx, kind.Name, res.BatchID); err != nil {
		return nil, err
	}
	res.Committed = true
	if u.IdempotencyKey != "" {
		answer, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		if err := tx.SaveIdempotentAnswer(ctx, u.IdempotencyKey, kind.Name, res.BatchID, string(answer)); err != nil {
			return nil, err
		}
	}
	if in.beforeCommit != nil {
		if err := in.beforeCommit(); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

func badFile(res *Result, err error) error {
	var fe *source.FileError
	if errors.As(err, &fe) {
		res.Errors = []RowError{{Row: fe.Row, Column: fe.Column, Message: fe.Message}}
		return &BadFileError{Err: err}
	}
	return err
}

// converterFor reads the rows of an opened upload: through its profile
// (whose output has one value per column, in column order) or by the field
// index of each column.
func (in *Ingester) converterFor(u Upload, kind *Kind, rd *reading) *converter {
	loc := in.cfg.Location
	if u.Location != nil {
		loc = u.Location
	}
	cv := &converter{kind: kind, idx: rd.idx, loc: loc, xlsx: rd.src.Format().Spreadsheet(), plan: rd.plan}
	if rd.plan != nil {
		if l := rd.plan.Location(); l != nil {
			cv.loc = l // the statement says its zone (WeChat Pay: China time)
		}
		cv.idx = make([]int, len(kind.columns))
		for i := range cv.idx {
			cv.idx[i] = i
		}
	}
	return cv
}

// readResult is what staging the rows found.
type readResult struct {
	tally           tally
	total, rejected int
	errs            []RowError // the first problems, in about row order
	problems        int        // all problems, listed or not
}

// appendRows reads the file, validates rows on several goroutines and
// appends the valid ones to the kind's table, inside the transaction, from
// this one (the Appender is not safe for concurrent use). Memory stays
// bounded: chunks are small and the channels short.
func (in *Ingester) appendRows(ctx context.Context, tx *data.Tx, rd *reading, cv *converter, table, batchID string, maxErrors int) (readResult, error) {
	const chunkRows = 1024
	type chunk struct {
		recs []source.Record
		keys []string // derived keys, in file order; nil when not derived
	}
	type parsed struct {
		rows     [][]any
		errs     []RowError
		total    int
		rejected int
		tally    tally
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var batchVal any = batchID // boxed once, not once per row

	chunks := make(chan chunk, in.cfg.Workers)
	out := make(chan parsed, in.cfg.Workers)
	var readErr error
	go func() {
		defer close(chunks)
		recs := make([]source.Record, 0, chunkRows)
		var keys []string
		var kd *profiles.KeyDeriver
		if cv.plan != nil {
			kd = cv.plan.KeyDeriver()
		}
		read := 0
		for {
			rec, err := rd.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				return
			}
			if read++; read > in.cfg.MaxRows {
				readErr = &TooManyRowsError{Max: in.cfg.MaxRows}
				return
			}
			recs = append(recs, rec)
			if kd != nil {
				keys = append(keys, kd.Next(rec.Fields))
			}
			if len(recs) == chunkRows {
				select {
				case chunks <- chunk{recs, keys}:
				case <-ctx.Done():
					return
				}
				recs = make([]source.Record, 0, chunkRows)
				keys = nil
			}
		}
		if len(recs) > 0 {
			select {
			case chunks <- chunk{recs, keys}:
			case <-ctx.Done():
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < in.cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				p := parsed{total: len(c.recs)}
				for ri, rec := range c.recs {
					if rec.Problem != "" && cv.plan == nil && len(rec.Fields) < len(rd.header) {
						// A short line of totals under feeflow's own header.
						if r := profiles.FooterReason(rec.Fields); r != "" {
							p.total--
							p.tally.skip(Skipped{Row: rec.Row, Reason: r})
							continue
						}
					}
					if rec.Problem != "" {
						p.rejected++
						p.errs = append(p.errs, RowError{Row: rec.Row, Column: rec.ProblemColumn, Message: rec.Problem})
						continue
					}
					fields := rec.Fields
					if cv.plan != nil {
						out := make([]string, len(cv.kind.columns))
						v := cv.plan.Apply(fields, out)
						switch v.Outcome {
						case profiles.Skip:
							p.total--
							p.tally.skip(Skipped{Row: rec.Row, Reason: v.Reason})
							continue
						case profiles.Drop:
							p.total--
							p.tally.drop(v.Reason)
							continue
						case profiles.Reject:
							p.rejected++
							p.errs = append(p.errs, RowError{Row: rec.Row, Column: v.Column, Value: clip(v.Value), Message: v.Reason})
							continue
						}
						if c.keys != nil {
							cv.plan.SetKey(out, c.keys[ri])
						}
						fields = out
					}
					vals, errs := cv.convert(rec.Row, fields)
					if errs != nil {
						p.rejected++
						p.errs = append(p.errs, errs...)
						continue
					}
					p.rows = append(p.rows, append(vals, batchVal, rec.Row))
				}
				select {
				case out <- p:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()

	app, err := tx.Appender(ctx, table)
	if err != nil {
		return readResult{}, err
	}
	var rr readResult
	var appendErr error
	for p := range out {
		if appendErr != nil {
			continue // drain so the workers finish
		}
		rr.total += p.total
		rr.rejected += p.rejected
		rr.tally.merge(&p.tally)
		rr.problems += len(p.errs)
		if len(rr.errs) < 4*maxErrors {
			rr.errs = append(rr.errs, p.errs...)
		}
		for _, vals := range p.rows {
			if err := app.Append(vals...); err != nil {
				appendErr = fmt.Errorf("append row %v: %w", vals[len(vals)-1], err)
				cancel()
				break
			}
		}
	}
	if err := app.Close(); err != nil && appendErr == nil {
		appendErr = fmt.Errorf("append rows: %w", err)
	}
	if appendErr != nil {
		return readResult{}, appendErr
	}
	if readErr != nil {
		return readResult{}, readErr
	}
	if err := ctx.Err(); err != nil {
		return readResult{}, err
	}
	return rr, nil
}

// mergeErrors lists the problems found while reading and while checking in
// row order, at most max of them, and says how many more there were.
func mergeErrors(read, checked []RowError, problems, max int) ([]RowError, int) {
	all := append(append([]RowError{}, read...), checked...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Row < all[j].Row })
	if len(all) > max {
		all = all[:max]
	}
	return all, problems - len(all)
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// newBatchID is a time-ordered random ID: batches sort by when they came.
func newBatchID(now time.Time) string {
	var b [6]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}
