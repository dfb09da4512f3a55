package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/server"
)

// Table output: cells longer than maxCell characters are cut with …, and a
// result wider than maxWidth is shown one "column: value" block per row.
const (
	maxCell      = 40
	maxWidth     = 120
	defaultLimit = 10000
)

func runSQL(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sql", "--db PATH [--format table|lines|csv|json] [--out FILE.csv|FILE.json|FILE.parquet] [--limit N] [--timeout D] [--server URL --token T] [QUERY]")
	db := fs.String("db", "", "database file")
	format := fs.String("format", "table", "output: table (aligned; wide results as lines), lines (one column: value block per row), csv or json")
	out := fs.String("out", "", "write the result to a file instead: .csv, .json or .parquet (decimals stay decimals)")
	limit := fs.Int("limit", -1, "most rows per statement, 0 for no limit (default 10000, no limit with --out)")
	timeout := fs.Duration("timeout", 30*time.Second, "stop the query when it runs longer than this; 0: no limit (Ctrl-C stops it)")
	server := fs.String("server", "", "run the query through a running `feeflow serve` at this URL instead of opening the database")
	token := fs.String("token", "", "token for --server (default: $FEEFLOW_TOKEN)")
	maxBytesFlag := fs.String("max-bytes", "64MiB", "most bytes of values per statement (text by its length), e.g. 256MiB; more rows are dropped")
	ceiling := fs.String("max-memory", "4GiB", "ceiling on this process's memory while it runs queries itself: a query needing more fails instead of exhausting the machine; 0: none")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	maxBytes, err := parseBytes(*maxBytesFlag)
	if err != nil {
		return usagef("--max-bytes: %v", err)
	}
	var maxMemory int64
	if *ceiling != "0" {
		if maxMemory, err = parseBytes(*ceiling); err != nil {
			return usagef("--max-memory: %v", err)
		}
	}
	switch *format {
	case "table", "lines", "csv", "json":
	default:
		return usagef("--format %q: want table, lines, csv or json", *format)
	}
	if *out != "" {
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".csv", ".json", ".parquet":
		default:
			return usagef("--out %s: the name must end in .csv, .json or .parquet", *out)
		}
	}
	if *server == "" && *db == "" {
		return usagef("--db is required (or --server URL to go through a running server)")
	}
	n := *limit
	if n < 0 {
		n = defaultLimit
		if *out != "" {
			n = 0
		}
	}
	query := strings.Join(fs.Args(), " ")

	var runner queryRunner
	if *server != "" {
		tok := *token
		if tok == "" {
			tok = e.getenv("FEEFLOW_TOKEN")
		}
		runner = &sqlClient{base: strings.TrimRight(*server, "/"), token: tok, limit: n, timeout: *timeout}
	} else {
		loc, err := loadZone(*tz)
		if err != nil {
			return err
		}
		// DuckDB materialises a statement's whole result before feeflow
		// reads a row of it: the ceiling, not --max-bytes, is what stops a
		// query whose result would not fit.
		if maxMemory > 0 && e.limitMemory != nil {
			if err := e.limitMemory(maxMemory); err != nil {
				fmt.Fprintf(e.stderr, "feeflow sql: no memory ceiling: %v\n", err)
			}
		}
		store, err := openReadOnly(ctx, *db, loc, false, true)
		if data.IsLocked(err) {
			return fmt.Errorf("%s is held by a running `feeflow serve` (%v);\nrun the same query through it: feeflow sql --server http://HOST:PORT --token TOKEN %s",
				*db, lockHolder(err), shellQuote(query))
		}
		if err != nil {
			return err
		}
		defer store.Close()
		runner = &localRunner{store: store, loc: analytics.Zone(ctx, store), opts: analytics.QueryOptions{MaxRows: n, MaxBytes: maxBytes, Timeout: *timeout}}
	}
	p := &printer{e: e, format: *format, loc: runner.location()}

	if query != "" || !isTerminal(e.stdin) {
		if query == "" {
			b, err := io.ReadAll(e.stdin)
			if err != nil {
				return err
			}
			query = string(b)
		}
		results, err := runner.run(ctx, query)
		if err != nil {
			return err
		}
		if *out != "" {
			if len(results) != 1 {
				return usagef("--out writes one result: give one statement (got %d)", len(results))
			}
			return writeOut(e, *out, results[0], p.loc)
		}
		for i, r := range results {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			if err := p.print(r); err != nil {
				return err
			}
		}
		return nil
	}
	if *out != "" {
		return usagef("--out needs the query as an argument or on a pipe")
	}
	return interactive(ctx, e, runner, p)
}

// interactive reads statements from a terminal and runs each as soon as
// its semicolon arrives; a failing statement does not end the session.
func interactive(ctx context.Context, e *env, runner queryRunner, p *printer) error {
	fmt.Fprintln(e.stderr, "feeflow sql: end each statement with ; and the input with Ctrl-D (`feeflow schema` lists the tables and views)")
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var buf strings.Builder
	prompt := func() {
		if data.Blank(buf.String()) {
			fmt.Fprint(e.stderr, "feeflow> ")
		} else {
			fmt.Fprint(e.stderr, "     ... ")
		}
	}
	prompt()
	for sc.Scan() {
		buf.WriteString(sc.Text())
		buf.WriteByte('\n')
		stmts, rest := data.SplitStatements(buf.String())
		for _, st := range stmts {
			results, err := runner.run(ctx, st)
			if err != nil {
				fmt.Fprintf(e.stderr, "error: %v\n", err)
				continue
			}
			for _, r := range results {
				p.print(r)
			}
		}
		buf.Reset()
		buf.WriteString(rest)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		prompt()
	}
	fmt.Fprintln(e.stderr)
	if !data.Blank(buf.String()) {
		results, err := runner.run(ctx, buf.String())
		if err != nil {
			return err
		}
		for _, r := range results {
			p.print(r)
		}
	}
	return sc.Err()
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func lockHolder(err error) string {
	var le *data.LockedError
	if errors.As(err, &le) && le.PID > 0 {
		return fmt.Sprintf("PID %d", le.PID)
	}
	return "another process"
}

// shellQuote quotes a query for the hint printed when the file is held.
func shellQuote(q string) string {
	if q == "" {
		return "< queries.sql"
	}
	return "'" + strings.ReplaceAll(q, "'", `'\''`) + "'"
}

// queryRunner runs analysts' SQL locally or through a server.
type queryRunner interface {
	run(ctx context.Context, query string) ([]*analytics.Result, error)
	location() *time.Location
}

type localRunner struct {
	store *data.Store
	loc   *time.Location
	opts  analytics.QueryOptions
}

func (l *localRunner) run(ctx context.Context, query string) ([]*analytics.Result, error) {
	return analytics.Query(ctx, l.store, query, l.opts)
}

func (l *localRunner) location() *time.Location { return l.loc }

// sqlClient sends each statement to POST /api/v1/sql; the server checks it
// with the same gate.
type sqlClient struct {
	base, token string
	limit       int
	timeout     time.Duration // 0: the server's
	http        http.Client
}

func (c *sqlClient) location() *time.Location { return time.UTC } // the server sends instants already in its zone

func (c *sqlClient) run(ctx context.Context, query string) ([]*analytics.Result, error) {
	stmts := data.Statements(query)
	if len(stmts) > 1 {
		// The server answers one statement per request. Sent whole first, the
		// text is checked statement by statement and nothing runs: only if
		// every statement passed are they sent one by one.
		_, err := c.one(ctx, query)
		var se *serverError
		if err == nil || !errors.As(err, &se) || se.code != server.CodeSeveralStatements {
			return nil, err
		}
	}
	var results []*analytics.Result
	for _, st := range stmts {
		r, err := c.one(ctx, st)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil, errors.New("no SQL statement given")
	}
	return results, nil
}

func (c *sqlClient) one(ctx context.Context, stmt string) (*analytics.Result, error) {
	body, _ := json.Marshal(map[string]string{"query": stmt})
	u := c.base + "/api/v1/sql"
	if c.timeout > 0 {
		u += "?timeout=" + url.QueryEscape(c.timeout.String()) + "&"
	} else {
		u += "?"
	}
	limit := c.limit
	if limit <= 0 || limit > 100000 {
		limit = 100000 // the server's most
	}
	u += "limit=" + url.QueryEscape(strconv.Itoa(limit))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("send to %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var a struct {
		analytics.ResultJSON
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("server answered %s, not a SQL answer: %v", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &serverError{status: resp.Status, code: a.Code, msg: a.Error}
	}
	res := &analytics.Result{Statement: stmt, Columns: a.Columns, Rows: a.Rows, Truncated: a.Truncated}
	for _, row := range res.Rows {
		for i, v := range row {
			row[i] = fromJSON(v)
		}
	}
	return res, nil
}

// serverError is a failure the server answered, with its code.
type serverError struct{ status, code, msg string }

func (e *serverError) Error() string { return fmt.Sprintf("server answered %s: %s", e.status, e.msg) }

// fromJSON turns JSON numbers back into exact decimal text.
func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		return data.DecimalText(x)
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSON(e)
		}
	}
	return v
}

// writeOut writes a result to a file chosen by its extension.
func writeOut(e *env, path string, r *analytics.Result, loc *time.Location) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		err = analytics.WriteCSV(f, r, loc)
	case ".json":
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		err = enc.Encode(analytics.ToJSON(r, loc))
	case ".parquet":
		err = data.WriteParquet(f, r)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(e.stderr, "wrote %d rows to %s\n", len(r.Rows), path)
	if r.Truncated {
		fmt.Fprintf(e.stderr, "only the first %d rows: %s\n", len(r.Rows), truncationHint(r, "--limit 0 writes them all"))
	}
	return nil
}

// printer shows results on the terminal or as CSV/JSON.
type printer struct {
	e      *env
	format string
	loc    *time.Location
}

func (p *printer) print(r *analytics.Result) error {
	w := p.e.stdout
	switch p.format {
	case "csv":
		if err := analytics.WriteCSV(w, r, p.loc); err != nil {
			return err
		}
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(analytics.ToJSON(r, p.loc)); err != nil {
			return err
		}
	default:
		p.table(w, r)
	}
	if r.Truncated {
		fmt.Fprintf(p.e.stderr, "only the first %d rows are shown: %s\n", len(r.Rows), truncationHint(r, "--limit N shows more, --limit 0 all"))
	}
	return nil
}

// truncationHint says which bound cut a result and how to move it.
func truncationHint(r *analytics.Result, rowsHint string) string {
	if r.TruncatedBy == "bytes" {
		return "the rest would pass the bound on bytes (--max-bytes); select fewer or shorter columns"
	}
	return rowsHint
}

// table prints aligned columns, or one block per row when too wide.
func (p *printer) table(w io.Writer, r *analytics.Result) {
	cells := make([][]string, len(r.Rows))
	widths := make([]int, len(r.Columns))
	for i, c := range r.Columns {
		widths[i] = width(c.Name)
	}
	for i, row := range r.Rows {
		cells[i] = make([]string, len(row))
		for j, v := range row {
			s := "NULL"
			if v != nil {
				s = analytics.CellText(r.Columns[j], v, p.loc)
			}
			cells[i][j] = s
		}
	}
	total := 0
	for j := range r.Columns {
		for i := range cells {
			widths[j] = max(widths[j], width(cut(oneLine(cells[i][j]), maxCell)))
		}
		total += widths[j] + 2
	}
	rowsNote := fmt.Sprintf("(%d rows)", len(r.Rows))
	if len(r.Rows) == 1 {
		rowsNote = "(1 row)"
	}
	if p.format == "lines" || total > maxWidth {
		nameWidth := 0
		for _, c := range r.Columns {
			nameWidth = max(nameWidth, width(c.Name))
		}
		for i, row := range cells {
			fmt.Fprintf(w, "-[ row %d ]-\n", i+1)
			for j, s := range row {
				fmt.Fprintf(w, "%s%s : %s\n", r.Columns[j].Name, strings.Repeat(" ", nameWidth-width(r.Columns[j].Name)), s)
			}
		}
		fmt.Fprintln(w, rowsNote)
		return
	}
	line := func(vals []string, right func(j int) bool) {
		var b strings.Builder
		for j, v := range vals {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[j]-width(v))
			if right(j) {
				b.WriteString(pad + v)
			} else if j < len(vals)-1 {
				b.WriteString(v + pad)
			} else {
				b.WriteString(v)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	names := make([]string, len(r.Columns))
	rules := make([]string, len(r.Columns))
	for j, c := range r.Columns {
		names[j] = c.Name
		rules[j] = strings.Repeat("-", widths[j])
	}
	numeric := func(j int) bool { return isNumericType(r.Columns[j].Type) }
	line(names, numeric)
	line(rules, func(int) bool { return false })
	for _, row := range cells {
		shown := make([]string, len(row))
		for j, s := range row {
			shown[j] = cut(oneLine(s), maxCell)
		}
		line(shown, numeric)
	}
	fmt.Fprintln(w, rowsNote)
}

func isNumericType(t string) bool {
	for _, p := range []string{"DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "DOUBLE", "FLOAT", "REAL", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "UHUGEINT"} {
		if strings.HasPrefix(t, p) && !strings.HasSuffix(t, "]") {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ").Replace(s)
}

// cut shortens s to at most n columns of the terminal, ending in ….
func cut(s string, n int) string {
	if width(s) <= n {
		return s
	}
	w := 0
	for i, r := range s {
		rw := runeWidth(r)
		if w+rw > n-1 {
			return s[:i] + "…"
		}
		w += rw
	}
	return s
}

// width is the number of terminal columns s takes: East Asian wide
// characters take two.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r == utf8.RuneError:
		return 1
	case unicode.Is(unicode.Mn, r):
		return 0
	case unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana),
		r >= 0x3000 && r <= 0x303F,                             // CJK punctuation
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6: // full-width forms
		return 2
	}
	return 1
}
