package analytics

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
)

// Result, Column and QueryOptions are the read-only gate's (data/gate.go).
type (
	Result       = data.Result
	Column       = data.Column
	QueryOptions = data.QueryOptions
)

// Query runs an analyst's SQL through the read-only gate. The dashboard, the
// CLI and the SQL API all come this way: only reads run, every statement is
// checked before the first runs, and the store's sandbox forbids files,
// extensions and settings.
func Query(ctx context.Context, store *data.Store, sql string, opts QueryOptions) ([]*Result, error) {
	return store.Query(ctx, sql, opts)
}

// CellText is a value as text, exact: decimals keep their scale, instants are
// RFC 3339 in loc (the organisation's zone), dates YYYY-MM-DD. NULL is "".
func CellText(col Column, v any, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case data.DecimalText:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return timeText(col.Type, x, loc)
	case []byte:
		return blobText(x)
	case []any, map[string]any:
		b, err := json.Marshal(CellJSON(col, x, loc))
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// CellJSON is a value for encoding/json: decimals as exact JSON numbers
// (json.Number of the decimal text, never a float), times as ISO 8601 text,
// non-finite floats as text.
func CellJSON(col Column, v any, loc *time.Location) any {
	switch x := v.(type) {
	case data.DecimalText:
		return json.Number(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case time.Time:
		return timeText(col.Type, x, loc)
	case []byte:
		return blobText(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = CellJSON(Column{}, e, loc)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = CellJSON(Column{}, e, loc)
		}
		return out
	}
	return v
}

// IsNumber says whether the value is a number (not text that could be read
// as a spreadsheet formula).
func IsNumber(v any) bool {
	switch v.(type) {
	case data.DecimalText, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

func timeText(typ string, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case typ == "DATE":
		return t.Format("2006-01-02")
	case strings.HasPrefix(typ, "TIME") && !strings.HasPrefix(typ, "TIMESTAMP"):
		return t.Format("15:04:05.999999")
	case typ == "TIMESTAMPTZ" || strings.Contains(typ, "WITH TIME ZONE"):
		return t.In(loc).Format(time.RFC3339Nano)
	default: // TIMESTAMP: a wall-clock time with no zone
		return t.Format("2006-01-02T15:04:05.999999999")
	}
}

func blobText(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, `\x%02X`, c)
		}
	}
	return sb.String()
}

// DataDictionary is what analysts read before they query: every table, view
// and macro with its columns, types and comments, and example queries.
type DataDictionary struct {
	Tables   []Relation `json:"tables"`
	Views    []Relation `json:"views"`
	Macros   []Macro    `json:"macros"`
	Examples []Example  `json:"examples"`
}

// Relation is a table or a view.
type Relation struct {
	Name    string       `json:"name"`
	Comment string       `json:"comment,omitempty"`
	Columns []DictColumn `json:"columns"`
}

// DictColumn is one column of a table or view.
type DictColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Comment string `json:"comment,omitempty"`
}

// Macro is a scalar macro (used in expressions) or a table macro (used in FROM).
type Macro struct {
	Name       string   `json:"name"`
	Table      bool     `json:"table"`
	Parameters []string `json:"parameters"`
	Comment    string   `json:"comment,omitempty"`
}

// Example is a query analysts can start from; every one runs (tested).
type Example struct {
	Title string `json:"title"`
	SQL   string `json:"sql"`
}

// Examples are the dictionary's starting points.
var Examples = []Example{
	{"Collection rate by month, all fee items together",
		"SELECT period, sum(billed) AS billed, sum(collected) AS collected,\n       round(sum(collected) / nullif(sum(billed), 0), 4) AS collection_rate\nFROM collection_monthly GROUP BY period ORDER BY period"},
	{"The 20 customers owing the most today",
		"SELECT customer_id, area, sum(outstanding) AS outstanding, count(*) AS bills\nFROM bill_balances WHERE outstanding > 0\nGROUP BY customer_id, area ORDER BY outstanding DESC LIMIT 20"},
	{"Arrears by age at the end of last month",
		"SELECT * FROM arrears_aging(CAST(date_trunc('month', current_date) AS DATE) - 1)"},
	{"Open reconciliation discrepancies, oldest first",
		"SELECT * FROM discrepancies_open(current_date) ORDER BY age_days DESC, ref LIMIT 50"},
	{"Refunds the channels did not pay back as feeflow executed them",
		"SELECT ref, status, day, channel, system_amount, bank_amount, diff, resolution\nFROM reconciliation\nWHERE source = 'refund' AND status NOT IN ('matched', 'pending')\nORDER BY day, ref"},
	{"Payments per method and collector last month",
		"SELECT method, coalesce(collector, '') AS collector, count(*) AS payments, sum(amount) AS amount\nFROM payments\nWHERE status = 'completed'\n  AND period_of(local_day(paid_at)) = strftime(current_date - INTERVAL 1 MONTH, '%Y-%m')\nGROUP BY ALL ORDER BY amount DESC"},
	{"Refunds that took longer than 14 days",
		"SELECT refund_id, txn_id, amount, local_day(requested_at) AS requested_on, local_day(executed_at) AS executed_on,\n       date_diff('day', local_day(requested_at), local_day(executed_at)) AS days\nFROM refunds WHERE executed_at IS NOT NULL\n  AND date_diff('day', local_day(requested_at), local_day(executed_at)) > 14\nORDER BY days DESC"},
	{"Each improvement action against its target",
		"SELECT action_id, title, owner, metric, started_on, before, after, delta, target, target_met FROM improvement"},
	{"The finance summary of each month",
		"SELECT * FROM finance_summary ORDER BY period"},
	{"What the uploads brought in",
		"SELECT kind, count(*) AS batches, sum(rows_accepted) AS rows_accepted, sum(rows_rejected) AS rows_rejected, max(uploaded_at) AS last_upload\nFROM ingest_batches GROUP BY kind ORDER BY kind"},
	{"The columns of a view",
		"DESCRIBE collection_monthly"},
}

// Dictionary reads the data dictionary from DuckDB's catalog, so it always
// says what the database holds now.
func Dictionary(ctx context.Context, store *data.Store) (*DataDictionary, error) {
	db := store.DB()
	d := &DataDictionary{Tables: []Relation{}, Views: []Relation{}, Macros: []Macro{}, Examples: Examples}
	columns := map[string][]DictColumn{}
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type, coalesce(comment, '')
		FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		ORDER BY table_name, column_index`)
	if err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	for rows.Next() {
		var table string
		var c DictColumn
		if err := rows.Scan(&table, &c.Name, &c.Type, &c.Comment); err != nil {
			rows.Close()
			return nil, fmt.Errorf("dictionary: %w", err)
		}
		columns[table] = append(columns[table], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	relations := func(query string, args ...any) ([]Relation, error) {
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("dictionary: %w", err)
		}
		defer rows.Close()
		out := []Relation{}
		for rows.Next() {
			var r Relation
			if err := rows.Scan(&r.Name, &r.Comment); err != nil {
				return nil, fmt.Errorf("dictionary: %w", err)
			}
			r.Columns = columns[r.Name]
			out = append(out, r)
		}
		return out, rows.Err()
	}
	// Only the tables analysts may read: the gate refuses the others
	// (feeflow's bookkeeping), so the dictionary does not offer them.
	analystTables, err := store.AnalystTables(ctx)
	if err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	if d.Tables, err = relations(`SELECT table_name, coalesce(comment, '') FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
		  AND list_contains(?, table_name)
		ORDER BY table_name`, analystTables); err != nil {
		return nil, err
	}
	if d.Views, err = relations(`SELECT view_name, coalesce(comment, '') FROM duckdb_views()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
		ORDER BY view_name`); err != nil {
		return nil, err
	}
	mrows, err := db.QueryContext(ctx, `SELECT function_name, function_type = 'table_macro',
			array_to_string(parameters, ','), coalesce(comment, description, '')
		FROM duckdb_functions()
		WHERE function_type IN ('macro', 'table_macro') AND NOT internal
		  AND database_name = current_database() AND schema_name = 'main'
		ORDER BY function_name`)
	if err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var m Macro
		var params string
		if err := mrows.Scan(&m.Name, &m.Table, &params, &m.Comment); err != nil {
			return nil, fmt.Errorf("dictionary: %w", err)
		}
		m.Parameters = []string{}
		if params != "" {
			m.Parameters = strings.Split(params, ",")
		}
		m.Parameters = withDefaults(m.Name, m.Parameters)
		d.Macros = append(d.Macros, m)
	}
	if err := mrows.Err(); err != nil {
		return nil, fmt.Errorf("dictionary: %w", err)
	}
	sort.SliceStable(d.Macros, func(i, j int) bool { return d.Macros[i].Name < d.Macros[j].Name })
	return d, nil
}

// ResultJSON is the JSON form of a result, as the SQL API answers it:
// {"columns": [{"name", "type"}], "rows": [[...]], "truncated": bool}.
type ResultJSON struct {
	Columns   []Column `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
}

// ToJSON converts a result for encoding/json (see CellJSON).
func ToJSON(res *Result, loc *time.Location) ResultJSON {
	out := ResultJSON{Columns: res.Columns, Rows: make([][]any, len(res.Rows)), Truncated: res.Truncated}
	if out.Columns == nil {
		out.Columns = []Column{}
	}
	for i, row := range res.Rows {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = CellJSON(res.Columns[j], v, loc)
		}
		out.Rows[i] = cells
	}
	return out
}

// WriteCSV writes a result as CSV with a header line. Text cells beginning
// with =, +, -, @, a tab or a carriage return get a leading apostrophe, so
// that a spreadsheet shows them instead of evaluating them as formulas;
// numbers are written as they are.
func WriteCSV(w io.Writer, res *Result, loc *time.Location) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		header[i] = neutralise(c.Name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	record := make([]string, len(res.Columns))
	for _, row := range res.Rows {
		for i, v := range row {
			record[i] = CellText(res.Columns[i], v, loc)
			if !IsNumber(v) {
				record[i] = neutralise(record[i])
			}
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// neutralise defuses text a spreadsheet would read as a formula.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Zone is the organisation's zone recorded in the database (feeflow_settings),
// in which results show instants; the store's own zone when none is recorded.
func Zone(ctx context.Context, store *data.Store) *time.Location {
	var name string
	if err := store.DB().QueryRowContext(ctx, `SELECT time_zone FROM feeflow_settings LIMIT 1`).Scan(&name); err == nil {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return store.Location()
}

// macroSignature finds a macro's parameters as the metric definitions
// write them ("latest := false"): DuckDB's catalog names a parameter with
// a default but not its default, and such a parameter can only be given by
// name.
var macroSignature = regexp.MustCompile(`(?m)^CREATE OR REPLACE MACRO (\w+)\(([^)]*)\)`)

// withDefaults writes each parameter of macro name that has a default in
// the metric definitions as "name := default".
func withDefaults(name string, params []string) []string {
	names, err := Files()
	if err != nil {
		return params
	}
	for _, f := range names {
		src, err := Source(f)
		if err != nil {
			return params
		}
		for _, m := range macroSignature.FindAllStringSubmatch(src, -1) {
			if m[1] != name {
				continue
			}
			declared := strings.Split(m[2], ",")
			if len(declared) != len(params) {
				return params
			}
			out := make([]string, len(params))
			for i, p := range declared {
				p = strings.TrimSpace(p)
				if n, _, ok := strings.Cut(p, ":="); !ok || strings.TrimSpace(n) != params[i] {
					p = params[i]
				}
				out[i] = p
			}
			return out
		}
	}
	return params
}
