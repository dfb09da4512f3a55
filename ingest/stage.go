package ingest

import (
	"context"
	"embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/feeflow/feeflow/data"
)

// The rows of a batch are appended to the kind's table inside the batch's
// transaction; keys, repeats and references are then checked in SQL, and the
// rows with an issue are deleted again before the commit (or the whole
// transaction rolls back). The checks see the batch through temporary views:
// ingest_stage (this batch's rows, _row = the file row) and ingest_prior
// (everything committed before it).
const (
	stageTable  = "ingest_stage"
	priorTable  = "ingest_prior"
	issuesTable = "ingest_issues"
	refsTable   = "ingest_ref_values"
)

//go:embed checks/*.sql
var checksFS embed.FS

// stage builds the SQL of one batch's checks. Identifiers come from the kind
// table in kinds.go and the batch ID is generated here, never input.
type stage struct {
	kind  *Kind
	batch string
}

var batchIDPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}-[0-9a-f]{12}$`)

func newStage(k *Kind, batchID string) (stage, error) {
	if !batchIDPattern.MatchString(batchID) {
		return stage{}, fmt.Errorf("batch ID %q is malformed", batchID)
	}
	return stage{kind: k, batch: batchID}, nil
}

func q(ident string) string { return `"` + ident + `"` }

func (st stage) createSQL() string {
	return fmt.Sprintf(`CREATE TEMP VIEW %[1]s AS SELECT source_row AS _row, %[2]s FROM %[3]s WHERE batch_id = '%[4]s';
CREATE TEMP VIEW %[5]s AS SELECT * FROM %[3]s WHERE batch_id <> '%[4]s';
CREATE TEMP TABLE %[6]s (_row INTEGER NOT NULL, col VARCHAR, val VARCHAR, msg VARCHAR, dup BOOLEAN NOT NULL);`,
		stageTable, st.colList(""), q(st.kind.Name), st.batch, priorTable, issuesTable)
}

func (st stage) dropSQL() string {
	return fmt.Sprintf("DROP VIEW temp.%s; DROP VIEW temp.%s; DROP TABLE temp.%s; DROP TABLE IF EXISTS temp.%s;", stageTable, priorTable, issuesTable, refsTable)
}

func (st stage) colList(prefix string) string {
	var cols []string
	for _, c := range st.kind.columns {
		cols = append(cols, prefix+q(c.name))
	}
	return strings.Join(cols, ", ")
}

// sameRow is true when rows a and b hold the same values in every column.
func (st stage) sameRow(a, b string) string {
	var conds []string
	for _, c := range st.kind.columns {
		conds = append(conds, fmt.Sprintf("%s.%s IS NOT DISTINCT FROM %s.%s", a, q(c.name), b, q(c.name)))
	}
	return strings.Join(conds, " AND ")
}

// firstDiff names the first column in which rows a and b differ, and the
// value of that column in a and in b.
func (st stage) firstDiff(a, b string) (name, aValue, bValue string) {
	var names, aValues, bValues []string
	for _, c := range st.kind.columns {
		w := fmt.Sprintf("WHEN %s.%s IS DISTINCT FROM %s.%s THEN ", a, q(c.name), b, q(c.name))
		names = append(names, w+"'"+c.name+"'")
		aValues = append(aValues, fmt.Sprintf("%scoalesce(%s.%s::VARCHAR, 'empty')", w, a, q(c.name)))
		bValues = append(bValues, fmt.Sprintf("%scoalesce(%s.%s::VARCHAR, 'empty')", w, b, q(c.name)))
	}
	end := func(whens []string) string { return "CASE " + strings.Join(whens, " ") + " END" }
	return end(names), end(aValues), end(bValues)
}

// keyExpr is the row's identity in SQL: the key column, or a row value of
// the key and the version.
func (st stage) keyExpr(alias string) string {
	var parts []string
	for _, c := range st.kind.keyColumns() {
		parts = append(parts, alias+q(c))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "row(" + strings.Join(parts, ", ") + ")"
}

// keyText names a row's identity for a message: "txn_id T1", or
// "code MGMT, effective_from 2026-01-01".
func (st stage) keyText(alias string) string {
	var parts []string
	for _, c := range st.kind.keyColumns() {
		parts = append(parts, fmt.Sprintf("'%s ' || %s%s::VARCHAR", c, alias, q(c)))
	}
	return strings.Join(parts, " || ', ' || ")
}

// sameKey joins rows a and b on their identity.
func (st stage) sameKey(a, b string) string {
	var conds []string
	for _, c := range st.kind.keyColumns() {
		conds = append(conds, fmt.Sprintf("%s.%s = %s.%s", a, q(c), b, q(c)))
	}
	return strings.Join(conds, " AND ")
}

// checkSQL lists the statements that fill the issues table.
func (st stage) checkSQL() ([]string, error) {
	k := st.kind
	var stmts []string

	// A key repeated in the file: the first occurrence stands, a later
	// identical row is a duplicate, a later different one is rejected.
	diffName, newVal, oldVal := st.firstDiff("s", "f")
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO %[1]s
SELECT s._row,
       CASE WHEN %[4]s THEN '%[5]s' ELSE %[6]s END,
       CASE WHEN %[4]s THEN s.%[3]s::VARCHAR ELSE %[8]s END,
       CASE WHEN %[4]s THEN NULL
            ELSE %[9]s || ' appears again with other values (first at row ' || f._row || ', where ' || %[6]s || ' is ' || %[7]s || ')' END,
       %[4]s
FROM (SELECT *, min(_row) OVER (PARTITION BY %[10]s) AS _first FROM %[2]s
      WHERE %[10]s IN (SELECT %[10]s FROM %[2]s GROUP BY %[10]s HAVING count(*) > 1)) s
JOIN %[2]s f ON f._row = s._first
WHERE s._row <> s._first`,
		issuesTable, stageTable, q(k.Key), st.sameRow("s", "f"), k.Key, diffName, oldVal, newVal, st.keyText("s."), st.keyExpr("")))

	// A key already in the database: identical is a duplicate, different is
	// rejected, never overwritten.
	diffName, newVal, oldVal = st.firstDiff("s", "t")
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO %[1]s
SELECT s._row,
       CASE WHEN %[5]s THEN '%[6]s' ELSE %[7]s END,
       CASE WHEN %[5]s THEN s.%[4]s::VARCHAR ELSE %[9]s END,
       CASE WHEN %[5]s THEN NULL
            ELSE %[10]s || ' already ingested with other values in batch ' || t.batch_id || ' (' || %[7]s || ' there is ' || %[8]s || ')' END,
       %[5]s
FROM %[2]s s JOIN %[3]s t ON %[11]s`,
		issuesTable, stageTable, priorTable, q(k.Key), st.sameRow("s", "t"), k.Key, diffName, oldVal, newVal, st.keyText("s."), st.sameKey("s", "t")))

	// References must exist when the row arrives.
	for _, c := range k.columns {
		if c.ref == "" {
			continue
		}
		// A reference to the kind itself (an invoice reissuing another) may
		// name a row of the same batch: the table holds those too.
		ref, _ := KindByName(c.ref)
		// The batch's distinct values not among the referenced keys first,
		// then their rows: a NOT EXISTS per row hashes the whole batch in one
		// block, which DuckDB cannot spill (a 10-million-row batch asked for
		// 256 MiB at once). The values are kept in a table, whose size
		// DuckDB knows (the stage is a view it cannot size), so that it
		// hashes them and not the referenced keys: of those, only the ones
		// the batch names are set against its values. Reading the stage
		// directly, DuckDB hashed every bill of a 10-million-payment history
		// instead (1.5-2.2 s for a day's payments, against 0.2 s).
		stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %[1]s AS
SELECT DISTINCT %[3]s AS v FROM %[2]s WHERE %[3]s IS NOT NULL`, refsTable, stageTable, q(c.name)))
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO %[1]s
SELECT s._row, '%[3]s', s.%[4]s, '%[3]s ' || s.%[4]s || ' not found in %[5]s (upload %[5]s first)', false
FROM %[2]s s
WHERE s.%[4]s IN (SELECT v FROM %[8]s
                  EXCEPT SELECT %[7]s FROM %[6]s WHERE %[7]s IN (SELECT v FROM %[8]s))`,
			issuesTable, stageTable, c.name, q(c.name), ref.Name, q(ref.Name), q(ref.Key), refsTable))
	}

	// Rules of one kind that need other tables, kept as SQL files whose
	// statements end with a semicolon at the end of a line.
	b, err := checksFS.ReadFile("checks/" + k.Name + ".sql")
	if err == nil {
		for _, stmt := range strings.Split(string(b), ";\n") {
			if strings.TrimSpace(stmt) != "" && !onlyComments(stmt) {
				stmts = append(stmts, stmt)
			}
		}
	}
	return stmts, nil
}

// checked is what the SQL checks found.
type checked struct {
	rejected, duplicate int
	errs                []RowError
	problems            int
}

func (st stage) check(ctx context.Context, tx *data.Tx, max int) (checked, error) {
	stmts, err := st.checkSQL()
	if err != nil {
		return checked{}, err
	}
	for i, s := range stmts {
		if err := tx.Exec(ctx, s); err != nil {
			return checked{}, fmt.Errorf("check %s (step %d of %d): %w", st.kind.Name, i+1, len(stmts), err)
		}
	}
	var c checked
	err = tx.QueryRow(ctx, fmt.Sprintf(`SELECT
		count(DISTINCT _row) FILTER (WHERE NOT dup),
		count(DISTINCT _row) FILTER (WHERE dup AND _row NOT IN (SELECT _row FROM %[1]s WHERE NOT dup)),
		count(*) FILTER (WHERE NOT dup)
		FROM %[1]s`, issuesTable)).Scan(&c.rejected, &c.duplicate, &c.problems)
	if err != nil {
		return checked{}, fmt.Errorf("check %s: %w", st.kind.Name, err)
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT _row, coalesce(col, ''), coalesce(val, ''), msg FROM %s
		WHERE NOT dup ORDER BY _row, col LIMIT ?`, issuesTable), max)
	if err != nil {
		return checked{}, fmt.Errorf("check %s: %w", st.kind.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e RowError
		if err := rows.Scan(&e.Row, &e.Column, &e.Value, &e.Message); err != nil {
			return checked{}, err
		}
		e.Value = clip(e.Value)
		c.errs = append(c.errs, e)
	}
	return c, rows.Err()
}

// deleteSQL removes the batch's rows that have an issue: rejected rows and
// duplicates of rows already there.
func (st stage) deleteSQL() string {
	return fmt.Sprintf(`DELETE FROM %s WHERE batch_id = '%s' AND source_row IN (SELECT _row FROM %s)`,
		q(st.kind.Name), st.batch, issuesTable)
}

func onlyComments(stmt string) bool {
	for _, line := range strings.Split(stmt, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}
