package data

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// The allow-list: an analyst's statement runs only when DuckDB's own parser
// (json_serialize_sql, on a connection where the text is a parameter and
// never executed) shows it to be a query whose every function, table
// function and relation is on a list. The checks on the text and on the
// prepared statement's kind (gate.go) stay in front of it; the sandbox
// (store.go) stays behind it. What is not known is refused: a function
// DuckDB adds later, a query construct the walker does not know.

//go:embed gate_functions.txt
var gateFunctionsText string

// builtinFunctions are the reviewed DuckDB functions of gate_functions.txt:
// kind "scalar" (also aggregates, window functions and built-in macros, all
// called in expressions) or "table" (called in FROM).
var builtinFunctions = sync.OnceValue(func() map[string]map[string]bool {
	out := map[string]map[string]bool{"scalar": {}, "table": {}}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(gateFunctionsText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
		case section == "table":
			out["table"][line] = true
		case section != "":
			out["scalar"][line] = true
		}
	}
	return out
})

// AnalystTables are the tables analysts may read, in name order: the record
// kinds (every table carrying both batch_id and source_row: rows that came
// from an uploaded file), the batches they came in, and the organisation's
// settings. Any other table (idempotency keys, migrations, whatever
// feeflow keeps for itself later) is refused to analysts.
func (s *Store) AnalystTables(ctx context.Context) ([]string, error) {
	return s.names(ctx, `SELECT table_name FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		GROUP BY table_name
		HAVING count(*) FILTER (WHERE column_name IN ('batch_id', 'source_row')) = 2
		    OR table_name IN ('ingest_batches', 'feeflow_settings')
		ORDER BY table_name`)
}

// recordTables are the tables of the record kinds (see AnalystTables).
func (s *Store) recordTables(ctx context.Context) ([]string, error) {
	return s.names(ctx, `SELECT table_name FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
		GROUP BY table_name
		HAVING count(*) FILTER (WHERE column_name IN ('batch_id', 'source_row')) = 2
		ORDER BY table_name`)
}

// gateCatalog is what the database itself adds to the allow-list: feeflow's
// views and macros (installed by feeflow, never by an analyst, who can
// create nothing), and every name a relation or schema goes by, so that a
// CTE cannot pose as a system view.
type gateCatalog struct {
	relations   map[string]bool // feeflow's tables and views analysts may read
	macros      map[string]bool // feeflow's scalar macros
	tableMacros map[string]bool // feeflow's table macros
	catalogRels map[string]bool // every table and view name in any schema, system ones included
	schemas     map[string]bool // every schema and database name
}

func (s *Store) loadGateCatalog(ctx context.Context) (*gateCatalog, error) {
	c := &gateCatalog{relations: map[string]bool{}, macros: map[string]bool{}, tableMacros: map[string]bool{},
		catalogRels: map[string]bool{}, schemas: map[string]bool{}}
	tables, err := s.AnalystTables(ctx)
	if err != nil {
		return nil, fmt.Errorf("gate catalog: %w", err)
	}
	for _, t := range tables {
		c.relations[lowerASCII(t)] = true
	}
	queries := []struct {
		sql  string
		into func(name, kind string)
	}{
		{`SELECT view_name, '' FROM duckdb_views() WHERE NOT internal AND NOT temporary
			AND database_name = current_database() AND schema_name = 'main'`,
			func(n, _ string) { c.relations[n] = true }},
		{`SELECT function_name, function_type FROM duckdb_functions()
			WHERE function_type IN ('macro', 'table_macro') AND NOT internal
			AND database_name = current_database() AND schema_name = 'main'`,
			func(n, kind string) {
				if kind == "table_macro" {
					c.tableMacros[n] = true
				} else {
					c.macros[n] = true
				}
			}},
		{`SELECT view_name, '' FROM duckdb_views() UNION ALL SELECT table_name, '' FROM duckdb_tables()`,
			func(n, _ string) { c.catalogRels[n] = true }},
		{`SELECT schema_name, '' FROM duckdb_schemas() UNION ALL SELECT database_name, '' FROM duckdb_databases()`,
			func(n, _ string) { c.schemas[n] = true }},
	}
	for _, q := range queries {
		rows, err := s.db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, fmt.Errorf("gate catalog: %w", err)
		}
		for rows.Next() {
			var name, kind string
			if err := rows.Scan(&name, &kind); err != nil {
				rows.Close()
				return nil, fmt.Errorf("gate catalog: %w", err)
			}
			q.into(lowerASCII(name), kind)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("gate catalog: %w", err)
		}
	}
	return c, nil
}

// parseTree is DuckDB's parse of one statement, as json_serialize_sql gives it.
type parseTree struct {
	Error        bool              `json:"error"`
	ErrorType    string            `json:"error_type"`
	ErrorMessage string            `json:"error_message"`
	Statements   []json.RawMessage `json:"statements"`
}

// parseStatement asks DuckDB's parser for the tree of one statement. The
// text travels as a parameter: it is parsed, never run. A text that is not
// a query comes back with notQuery set (DuckDB serialises only queries); a
// syntax error comes back as an error.
func (s *Store) parseStatement(ctx context.Context, stmt string) (tree any, count int, notQuery bool, err error) {
	var text string
	if err := s.db.QueryRowContext(ctx, `SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)`, stmt).Scan(&text); err != nil {
		return nil, 0, false, err
	}
	var pt parseTree
	if err := json.Unmarshal([]byte(text), &pt); err != nil {
		return nil, 0, false, fmt.Errorf("read DuckDB's parse: %w", err)
	}
	if pt.Error {
		if pt.ErrorType == "not implemented" {
			return nil, 0, true, nil
		}
		return nil, 0, false, fmt.Errorf("%s", pt.ErrorMessage)
	}
	if len(pt.Statements) != 1 {
		return nil, len(pt.Statements), false, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(pt.Statements[0])))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return nil, 0, false, fmt.Errorf("read DuckDB's parse: %w", err)
	}
	return tree, 1, false, nil
}

// refusal names what the allow-list found: the kind ("function read_blob")
// and why it is not allowed.
type refusal struct {
	kind, reason string
}

// Query nodes and table references the walker knows; anything else is refused.
var (
	allowedNodes = map[string]bool{"SELECT_NODE": true, "SET_OPERATION_NODE": true, "RECURSIVE_CTE_NODE": true, "CTE_NODE": true}
	allowedRefs  = map[string]bool{"BASE_TABLE": true, "JOIN": true, "SUBQUERY": true, "TABLE_FUNCTION": true,
		"EXPRESSION_LIST": true, "EMPTY": true, "SHOW_REF": true, "PIVOT": true}
)

// checkTree walks a parse tree and returns the first thing not allowed.
func (c *gateCatalog) checkTree(tree any) *refusal {
	return c.walk(tree, map[string]bool{}, false)
}

// walk visits v; scope holds the CTE names visible there, tableFn says v is
// the function of a table function reference.
func (c *gateCatalog) walk(v any, scope map[string]bool, tableFn bool) *refusal {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if r := c.walk(e, scope, false); r != nil {
				return r
			}
		}
		return nil
	case map[string]any:
		return c.walkObject(x, scope, tableFn)
	}
	return nil
}

func (c *gateCatalog) walkObject(m map[string]any, scope map[string]bool, tableFn bool) *refusal {
	// WITH: each CTE's body sees the CTEs before it (a recursive one sees
	// itself only in its recursive part, below); the rest of the node sees
	// them all. A CTE may not take the name of a relation it would hide.
	cm, cteMap := m["cte_map"].(map[string]any)
	if cteMap {
		entries, _ := cm["map"].([]any)
		if len(entries) > 0 {
			inner := copyScope(scope)
			for _, e := range entries {
				em, _ := e.(map[string]any)
				name, _ := em["key"].(string)
				lname := lowerASCII(name)
				if c.catalogRels[lname] && !c.relations[lname] {
					return &refusal{"CTE " + name, "a CTE may not take the name of the system relation " + name}
				}
				if !plainName(name) {
					return &refusal{"CTE " + name, "a CTE's name must be letters, digits and _ (not a file name)"}
				}
				// Everything of the entry is walked, not only the body where
				// DuckDB puts it today: nothing in the tree goes unchecked.
				for k, v := range em {
					if k == "key" {
						continue
					}
					if r := c.walk(v, inner, false); r != nil {
						return r
					}
				}
				inner[lname] = true
			}
			scope = inner
		}
		for k, v := range cm {
			if k == "map" {
				continue
			}
			if r := c.walk(v, scope, false); r != nil {
				return r
			}
		}
	}
	if name, ok := m["function_name"].(string); ok {
		if r := c.checkFunction(m, name, tableFn); r != nil {
			return r
		}
	}
	if _, isExpr := m["class"]; !isExpr {
		if typ, ok := m["type"].(string); ok {
			if strings.HasSuffix(typ, "_NODE") && !allowedNodes[typ] {
				return &refusal{typ, "this kind of query is not allowed"}
			}
			if _, isRef := m["sample"]; isRef && !strings.HasSuffix(typ, "_NODE") {
				if !allowedRefs[typ] {
					return &refusal{typ, "this kind of table reference is not allowed"}
				}
				if r := c.checkRef(m, typ, scope); r != nil {
					return r
				}
			}
		}
	}
	recursive := m["type"] == "RECURSIVE_CTE_NODE"
	for k, e := range m {
		if k == "cte_map" && cteMap {
			continue
		}
		s := scope
		if recursive && k == "right" {
			if name, ok := m["cte_name"].(string); ok {
				s = copyScope(scope)
				s[lowerASCII(name)] = true
			}
		}
		isFn := k == "function" && m["type"] == "TABLE_FUNCTION"
		if isFn {
			if fm, ok := e.(map[string]any); !ok || fm["function_name"] == nil {
				return &refusal{"TABLE_FUNCTION", "a table function must be named"}
			}
		}
		if r := c.walk(e, s, isFn); r != nil {
			return r
		}
	}
	return nil
}

// checkFunction admits a call of a listed function, or a method call on a
// column (`l.len()`, where DuckDB's parser puts the column in "schema"); a
// function of another schema or database is refused.
func (c *gateCatalog) checkFunction(m map[string]any, name string, tableFn bool) *refusal {
	lname := lowerASCII(name)
	kind := "function " + name
	if tableFn {
		kind = "table function " + name
	}
	catalog, _ := m["catalog"].(string)
	schema, _ := m["schema"].(string)
	if catalog != "" || (schema != "" && lowerASCII(schema) != "main" && c.schemas[lowerASCII(schema)]) {
		return &refusal{kind, fmt.Sprintf("%s is not allowed: call functions without a schema or database", kind)}
	}
	allowed := false
	if tableFn {
		allowed = builtinFunctions()["table"][lname] || c.tableMacros[lname]
	} else {
		allowed = builtinFunctions()["scalar"][lname] || c.macros[lname]
	}
	if !allowed {
		return &refusal{kind, kind + " is not allowed"}
	}
	return nil
}

// checkRef admits feeflow's relations and the CTEs in scope; DESCRIBE and
// SUMMARIZE of an allowed query; SHOW TABLES.
func (c *gateCatalog) checkRef(m map[string]any, typ string, scope map[string]bool) *refusal {
	switch typ {
	case "BASE_TABLE":
		name, _ := m["table_name"].(string)
		catalog, _ := m["catalog_name"].(string)
		schema, _ := m["schema_name"].(string)
		lname := lowerASCII(name)
		if catalog == "" && schema == "" && scope[lname] {
			return nil
		}
		if catalog != "" || (schema != "" && lowerASCII(schema) != "main") || !c.relations[lname] {
			return &refusal{"relation " + name, fmt.Sprintf("relation %q is not allowed: only feeflow's tables and views can be read (`feeflow schema` lists them)", name)}
		}
	case "SHOW_REF":
		if q := m["query"]; q == nil {
			if name, _ := m["table_name"].(string); name != `"tables"` {
				return &refusal{"SHOW", "only SHOW TABLES, DESCRIBE and SUMMARIZE of feeflow's tables and views are allowed"}
			}
		}
	}
	return nil
}

func copyScope(s map[string]bool) map[string]bool {
	out := make(map[string]bool, len(s)+1)
	for k := range s {
		out[k] = true
	}
	return out
}

// plainName reports whether s is letters, digits and _ only, so that it
// cannot also be read as a file name.
func plainName(s string) bool {
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// lowerASCII folds case as DuckDB's catalog does: ASCII letters only.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
