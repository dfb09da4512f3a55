package data

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// The read-only gate: the only way analysts' SQL reaches DuckDB. Three walls
// stand between a statement and the data (STACK.md, "Running analysts' SQL
// safely" and "Found by attacking"):
//
//  1. the allow-list (gate_allow.go): DuckDB's own parser gives the tree of
//     each statement, and only a query whose every function, table function
//     and relation is on the list goes further. This comes first, because
//     preparing a statement already binds its table functions, and binding
//     some of them acts (reads a file, enables logging);
//  2. the statement: each is prepared alone with the driver's Prepare (which
//     refuses text DuckDB's parser finds to hold more than one statement, and
//     executes nothing), and each must be of the SELECT class; EXPLAIN only
//     of such a statement and never EXPLAIN ANALYZE, which executes what it
//     explains. Only when every statement passed does the first one run;
//  3. the engine: every instance runs with enable_external_access=false and
//     its configuration locked (store.go).
//
// Results are bounded in rows and in bytes, counted while they are read.

// analystSlots bounds the analysts' queries running at once in one store,
// so that they leave DuckDB's threads and the writer's connection to ingest.
const analystSlots = 2

// QueryOptions bound one analyst's request.
type QueryOptions struct {
	// MaxRows per statement; more are dropped and Truncated is set. 0: no limit.
	MaxRows int
	// MaxBytes per statement, counted as the values are read (text and blobs
	// by their length, other values by their size in Go); past it the rest is
	// dropped and Truncated is set. 0: DefaultMaxBytes; negative: no limit.
	// It bounds what the gate holds and answers. DuckDB itself materialises
	// a statement's whole result before the first row is read (measured: 11.8
	// GB for 10,000 rows of 1 MB, whatever memory_limit says), which is why
	// a server runs analysts' queries in an analytics.Worker, a process with
	// a ceiling of its own.
	MaxBytes int64
	// Timeout for the whole request; 0: only the caller's context bounds it.
	Timeout time.Duration
	// Single refuses text holding more than one statement (the HTTP API
	// answers one result).
	Single bool
}

// Column is a result column: its name and DuckDB type, e.g. DECIMAL(18,2).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Result is what one statement returned. Row values are nil, bool, int64
// (and the other integer widths), float64 (DOUBLE and REAL only), string,
// DecimalText (DECIMAL and HUGEINT: exact, never a float), time.Time (DATE,
// TIME, TIMESTAMP, TIMESTAMPTZ: see the column's type), []byte (BLOB), and
// []any or map[string]any for nested types.
type Result struct {
	Statement string
	Columns   []Column
	Rows      [][]any
	// Truncated says rows were dropped at QueryOptions.MaxRows or MaxBytes;
	// TruncatedBy says which: "rows" or "bytes".
	Truncated   bool
	TruncatedBy string
}

// DefaultMaxBytes bounds a result when QueryOptions.MaxBytes is 0: 64 MiB.
const DefaultMaxBytes = 64 << 20

// DecimalText is an exact number as DuckDB printed it, scale kept ("12.50").
type DecimalText string

// RefusedError says a statement was refused before anything ran.
type RefusedError struct {
	Index  int    // 1-based position of the statement in the text
	Kind   string // e.g. DROP, INSERT, SET, EXPLAIN ANALYZE
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("statement %d refused (%s): %s; nothing was run", e.Index, e.Kind, e.Reason)
}

// QueryError is a statement DuckDB could not prepare or run (a syntax error,
// an unknown column, a file access the sandbox blocked): the query's fault.
type QueryError struct {
	Index int
	Err   error
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("statement %d: %v", e.Index, e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }

// TimeoutError says the request ran past its time and was interrupted.
type TimeoutError struct{ Timeout time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("the query ran longer than the limit of %s and was stopped; narrow it (fewer rows, a shorter period) or ask for a longer timeout", e.Timeout)
}

// ErrBusy says every analyst slot stayed taken until the request's time ran out.
var ErrBusy = errors.New("other analysts' queries kept every slot busy until this one's time ran out; retry shortly")

// readOnlyHelp lists what is allowed, for the refusals.
const readOnlyHelp = "only queries of feeflow's tables and views are allowed: SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW TABLES, EXPLAIN of a query"

// SingleStatementReason refuses several statements where one is expected,
// once every one of them passed the checks.
const SingleStatementReason = "send one statement per request (every statement passed the checks)"

// Query runs an analyst's SQL through the gate: every statement is checked
// before the first one runs; they then run in order on a pooled connection,
// at most analystSlots requests at once.
func (s *Store) Query(ctx context.Context, text string, opts QueryOptions) ([]*Result, error) {
	stmts := Statements(text)
	if len(stmts) == 0 {
		return nil, &QueryError{Index: 1, Err: errors.New("no SQL statement given")}
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	// The checks that need no slot first: the text, then the allow-list.
	for i, st := range stmts {
		if err := checkText(i+1, st); err != nil {
			return nil, err
		}
	}
	catalog, err := s.loadGateCatalog(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxError(ctx, opts)
		}
		return nil, err
	}
	for i, st := range stmts {
		if err := s.allowed(ctx, catalog, i+1, st); err != nil {
			if ctx.Err() != nil {
				return nil, ctxError(ctx, opts)
			}
			return nil, err
		}
	}
	select {
	case s.analysts <- struct{}{}:
		defer func() { <-s.analysts }()
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ErrBusy
		}
		return nil, ctx.Err()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxError(ctx, opts)
		}
		return nil, fmt.Errorf("analyst query: %w", err)
	}
	defer conn.Close()
	maxBytes := opts.MaxBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	var results []*Result
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		prepared := make([]*duckdb.Stmt, 0, len(stmts))
		defer func() {
			for _, p := range prepared {
				p.Close()
			}
		}()
		for i, st := range stmts {
			p, err := prepareChecked(c, i+1, st)
			if err != nil {
				return s.hidePaths(err)
			}
			prepared = append(prepared, p)
		}
		if opts.Single && len(stmts) > 1 {
			return &RefusedError{Index: 2, Kind: "several statements", Reason: SingleStatementReason}
		}
		for i, p := range prepared {
			res, err := run(ctx, p, opts.MaxRows, maxBytes)
			if err != nil {
				if ctx.Err() != nil {
					return ctxError(ctx, opts)
				}
				return s.hidePaths(&QueryError{Index: i + 1, Err: err})
			}
			res.Statement = stmts[i]
			results = append(results, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// allowed checks one statement against the allow-list, through DuckDB's
// parse of it; for EXPLAIN, the statement it explains.
func (s *Store) allowed(ctx context.Context, catalog *gateCatalog, index int, stmt string) error {
	query := stmt
	if toks := tokens(stmt); len(toks) > 0 && !toks[0].quoted && strings.EqualFold(toks[0].text, "explain") {
		inner, err := explained(index, stmt)
		if err != nil {
			return err
		}
		query = inner
	}
	tree, count, notQuery, err := s.parseStatement(ctx, query)
	switch {
	case err != nil:
		return s.hidePaths(&QueryError{Index: index, Err: err})
	case notQuery:
		kind := firstWord(query)
		if query != stmt {
			kind = "EXPLAIN " + kind
		}
		return &RefusedError{Index: index, Kind: kind, Reason: readOnlyHelp}
	case count != 1:
		return &RefusedError{Index: index, Kind: "several statements", Reason: "DuckDB reads this text as more than one statement; " + readOnlyHelp}
	}
	if r := catalog.checkTree(tree); r != nil {
		return s.hidePaths(&RefusedError{Index: index, Kind: r.kind, Reason: r.reason})
	}
	return nil
}

// firstWord names a statement by its first word, as the analyst wrote it.
func firstWord(stmt string) string {
	if toks := tokens(stmt); len(toks) > 0 && !toks[0].quoted {
		return strings.ToUpper(toks[0].text)
	}
	return "statement"
}

// hidePaths keeps the database's folder out of error messages: analysts
// learn nothing of the host from an error.
func (s *Store) hidePaths(err error) error {
	dir := filepath.Dir(s.absPath)
	if dir == "" || dir == "." || dir == "/" || !strings.Contains(err.Error(), dir) {
		return err
	}
	var qe *QueryError
	if errors.As(err, &qe) {
		return &QueryError{Index: qe.Index, Err: errors.New(strings.ReplaceAll(qe.Err.Error(), dir, "<database folder>"))}
	}
	var re *RefusedError
	if errors.As(err, &re) {
		return &RefusedError{Index: re.Index, Kind: strings.ReplaceAll(re.Kind, dir, "<database folder>"), Reason: strings.ReplaceAll(re.Reason, dir, "<database folder>")}
	}
	return errors.New(strings.ReplaceAll(err.Error(), dir, "<database folder>"))
}

func ctxError(ctx context.Context, opts QueryOptions) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{Timeout: opts.Timeout}
	}
	return ctx.Err()
}

// writeWords begin statements that are never reads. Refusing them by their
// first word names them clearly even when DuckDB could not prepare them (a
// COPY to a file fails in the sandbox before its kind is known); the kind
// DuckDB reports is checked as well.
var writeWords = map[string]bool{
	"insert": true, "update": true, "delete": true, "merge": true, "truncate": true, "create": true, "drop": true,
	"alter": true, "comment": true, "copy": true, "export": true, "import": true, "attach": true, "detach": true,
	"install": true, "load": true, "update_extensions": true, "set": true, "reset": true, "use": true, "call": true,
	"checkpoint": true, "vacuum": true, "analyze": true, "begin": true, "start": true, "commit": true, "end": true,
	"rollback": true, "abort": true, "prepare": true, "execute": true, "deallocate": true,
}

// checkText refuses, from the text alone, statements that are not a read on
// their face.
func checkText(index int, stmt string) error {
	toks := tokens(stmt)
	if len(toks) > 0 && !toks[0].quoted {
		first := strings.ToLower(toks[0].text)
		if first == "force" && len(toks) > 1 {
			first = strings.ToLower(toks[1].text)
		}
		if writeWords[first] {
			return &RefusedError{Index: index, Kind: strings.ToUpper(first), Reason: readOnlyHelp}
		}
	}
	return nil
}

// prepareChecked prepares one statement, which passed the allow-list,
// without running it, and checks its kind.
func prepareChecked(c *duckdb.Conn, index int, stmt string) (*duckdb.Stmt, error) {
	ds, err := c.Prepare(stmt)
	if err != nil {
		if strings.Contains(err.Error(), "multi-statement") {
			// DuckDB found several statements where the splitter saw one
			// (PIVOT, for one, expands to several).
			return nil, &RefusedError{Index: index, Kind: "several statements", Reason: "DuckDB reads this text as more than one statement (PIVOT expands to several; write it with GROUP BY and FILTER); " + readOnlyHelp}
		}
		return nil, &QueryError{Index: index, Err: err}
	}
	p := ds.(*duckdb.Stmt)
	typ, err := p.StatementType()
	if err != nil {
		p.Close()
		return nil, &QueryError{Index: index, Err: err}
	}
	switch typ {
	case duckdb.STATEMENT_TYPE_SELECT:
		return p, nil
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		if err := checkExplained(c, index, stmt); err != nil {
			p.Close()
			return nil, err
		}
		return p, nil
	}
	p.Close()
	return nil, &RefusedError{Index: index, Kind: kindName(typ, stmt), Reason: readOnlyHelp}
}

// explained returns the statement an EXPLAIN [(options)] explains; ANALYZE,
// which runs the statement (`EXPLAIN ANALYZE DELETE ...` deletes), is refused.
func explained(index int, stmt string) (string, error) {
	refuse := &RefusedError{Index: index, Kind: "EXPLAIN ANALYZE", Reason: "EXPLAIN ANALYZE runs the statement it explains; use EXPLAIN without ANALYZE"}
	toks := tokens(stmt)
	if len(toks) < 2 || !strings.EqualFold(toks[0].text, "explain") {
		return "", &RefusedError{Index: index, Kind: "EXPLAIN", Reason: "EXPLAIN must come first; " + readOnlyHelp}
	}
	isAnalyze := func(t token) bool {
		return !t.quoted && (strings.EqualFold(t.text, "analyze") || strings.EqualFold(t.text, "analyse"))
	}
	from := toks[0].end
	if toks[1].text == "(" {
		depth := 0
		for _, t := range toks[1:] {
			if isAnalyze(t) {
				return "", refuse
			}
			if t.text == "(" {
				depth++
			}
			if t.text == ")" {
				depth--
				if depth == 0 {
					from = t.end
					break
				}
			}
		}
		if depth != 0 {
			return "", refuse
		}
	}
	rest := stmt[from:]
	if next := tokens(rest); len(next) > 0 && isAnalyze(next[0]) {
		return "", refuse
	}
	return rest, nil
}

// checkExplained checks that an EXPLAIN explains a query.
func checkExplained(c *duckdb.Conn, index int, stmt string) error {
	rest, err := explained(index, stmt)
	if err != nil {
		return err
	}
	inner, err := c.Prepare(rest)
	if err != nil {
		return &RefusedError{Index: index, Kind: "EXPLAIN", Reason: "the explained statement could not be checked: " + err.Error()}
	}
	defer inner.Close()
	typ, err := inner.(*duckdb.Stmt).StatementType()
	if err != nil || typ != duckdb.STATEMENT_TYPE_SELECT {
		return &RefusedError{Index: index, Kind: "EXPLAIN " + kindName(typ, rest), Reason: "EXPLAIN is allowed only of a query; " + readOnlyHelp}
	}
	return nil
}

// kindName names a refused statement's kind for the message.
func kindName(t duckdb.StmtType, stmt string) string {
	names := map[duckdb.StmtType]string{
		duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE", duckdb.STATEMENT_TYPE_DELETE: "DELETE",
		duckdb.STATEMENT_TYPE_PREPARE: "PREPARE", duckdb.STATEMENT_TYPE_CREATE: "CREATE", duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE",
		duckdb.STATEMENT_TYPE_ALTER: "ALTER", duckdb.STATEMENT_TYPE_TRANSACTION: "transaction control", duckdb.STATEMENT_TYPE_COPY: "COPY",
		duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE", duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE", duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION",
		duckdb.STATEMENT_TYPE_DROP: "DROP", duckdb.STATEMENT_TYPE_EXPORT: "EXPORT", duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA",
		duckdb.STATEMENT_TYPE_VACUUM: "VACUUM", duckdb.STATEMENT_TYPE_CALL: "CALL", duckdb.STATEMENT_TYPE_SET: "SET",
		duckdb.STATEMENT_TYPE_LOAD: "INSTALL/LOAD", duckdb.STATEMENT_TYPE_EXTENSION: "extension", duckdb.STATEMENT_TYPE_ATTACH: "ATTACH",
		duckdb.STATEMENT_TYPE_DETACH: "DETACH", duckdb.STATEMENT_TYPE_MULTI: "several statements", duckdb.STATEMENT_TYPE_EXPLAIN: "EXPLAIN",
	}
	name := names[t]
	if name == "" {
		name = "statement"
	}
	// Name the statement as the analyst wrote it when the class is broad
	// (CHECKPOINT is a CALL, USE and RESET are SET, INSTALL is LOAD).
	if toks := tokens(stmt); len(toks) > 0 && !toks[0].quoted {
		if first := strings.ToUpper(toks[0].text); first != name && !strings.Contains(name, first) {
			name = first + " (" + name + ")"
		}
	}
	return name
}

// run executes one checked statement and reads at most maxRows rows and
// maxBytes bytes of it (see QueryOptions).
func run(ctx context.Context, p *duckdb.Stmt, maxRows int, maxBytes int64) (*Result, error) {
	rows, err := p.QueryContext(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names := rows.Columns()
	res := &Result{Columns: make([]Column, len(names)), Rows: [][]any{}}
	var size int64
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	for i, n := range names {
		res.Columns[i].Name = n
		if typed != nil {
			res.Columns[i].Type = typed.ColumnTypeDatabaseTypeName(i)
		}
	}
	for {
		dest := make([]driver.Value, len(names))
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				break
			}
			return nil, err
		}
		if maxRows > 0 && len(res.Rows) == maxRows {
			res.Truncated, res.TruncatedBy = true, "rows"
			break
		}
		row := make([]any, len(dest))
		for i, v := range dest {
			row[i] = normalize(v, res.Columns[i].Type)
			size += valueBytes(row[i])
		}
		if maxBytes > 0 && size > maxBytes {
			res.Truncated, res.TruncatedBy = true, "bytes"
			break
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// valueBytes is about what a value costs to hold and to send: text and
// blobs their length, numbers and times a word or three, nested values the
// sum of their parts.
func valueBytes(v any) int64 {
	switch x := v.(type) {
	case nil, bool:
		return 1
	case string:
		return int64(len(x)) + 2
	case DecimalText:
		return int64(len(x))
	case []byte:
		return int64(len(x)) + 2
	case time.Time:
		return 24
	case []any:
		n := int64(2)
		for _, e := range x {
			n += valueBytes(e) + 1
		}
		return n
	case map[string]any:
		n := int64(2)
		for k, e := range x {
			n += int64(len(k)) + valueBytes(e) + 2
		}
		return n
	}
	return 8
}

// normalize turns a driver value into one of the Result's value types:
// decimals as exact text, never through a float.
func normalize(v any, typ string) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return DecimalText(decimalText(x))
	case *big.Int:
		return DecimalText(x.String())
	case float32:
		return float64(x)
	case duckdb.Interval:
		return intervalText(x)
	case duckdb.UUID:
		return x.String()
	case []byte:
		if strings.EqualFold(typ, "UUID") && len(x) == 16 {
			h := hex.EncodeToString(x)
			return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeNested(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeNested(e)
		}
		return out
	case duckdb.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(normalizeNested(k))] = normalizeNested(e)
		}
		return out
	}
	return v
}

// normalizeNested is normalize inside lists, structs and maps, where the
// element type is not at hand: times become text.
func normalizeNested(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.Format(time.RFC3339Nano)
	}
	return normalize(v, "")
}

// decimalText writes a DECIMAL exactly, with its scale: 1250 scale 2 -> "12.50".
func decimalText(d duckdb.Decimal) string {
	return FromDuck(d).StringFixed(int32(d.Scale))
}

func intervalText(iv duckdb.Interval) string {
	var parts []string
	if iv.Months != 0 {
		parts = append(parts, fmt.Sprintf("%d months", iv.Months))
	}
	if iv.Days != 0 {
		parts = append(parts, fmt.Sprintf("%d days", iv.Days))
	}
	if iv.Micros != 0 || len(parts) == 0 {
		m := iv.Micros
		sign := ""
		if m < 0 {
			sign, m = "-", -m
		}
		s := fmt.Sprintf("%s%02d:%02d:%02d", sign, m/3600e6, m/60e6%60, m/1e6%60)
		if frac := m % 1e6; frac != 0 {
			s += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
