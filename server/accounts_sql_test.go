package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// No query an analyst can send shows the accounts: user names, password
// hashes, token names or digests, whichever way the tables are named or
// the catalog is walked. Refused is fine; a 200 must not carry them.
func TestAnalystsCannotReadAccounts(t *testing.T) {
	ts, s := sqlServer(t)
	ctx := context.Background()
	addUser(t, s.cfg.Store, "accounts-probe-user", "a long password 123", "admin")
	if err := s.cfg.Store.SetToken(ctx, data.Account{Name: "accounts-probe-token", Secret: "d1g35tprobe0123456789abcdef", Roles: "finance", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := s.cfg.Store.DB().QueryRowContext(ctx, `SELECT password_hash FROM accounts.users WHERE name = 'accounts-probe-user'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"accounts-probe-user", hash, "accounts-probe-token", "d1g35tprobe0123456789abcdef", "password_hash"}
	for _, q := range []string{
		`SELECT * FROM accounts.users`,
		`SELECT * FROM accounts.tokens`,
		`SELECT * FROM "accounts"."users"`,
		`SELECT * FROM ACCOUNTS.USERS`,
		`FROM accounts.users`,
		`SELECT * FROM feeflow.accounts.users`,
		`SELECT * FROM users`,
		`SELECT * FROM tokens`,
		`WITH u AS (SELECT * FROM accounts.users) SELECT * FROM u`,
		`SELECT * FROM payments WHERE txn_id IN (SELECT name FROM accounts.users)`,
		`SELECT (SELECT string_agg(password_hash, ',') FROM accounts.users) AS h`,
		`SELECT * FROM payments p JOIN accounts.tokens t ON true`,
		`SELECT * FROM query_table('accounts.users')`,
		`SELECT * FROM query('SELECT * FROM accounts.users')`,
		`SELECT * FROM information_schema.tables`,
		`SELECT * FROM information_schema.columns`,
		`SELECT * FROM information_schema.schemata`,
		`SELECT * FROM duckdb_tables()`,
		`SELECT * FROM duckdb_columns()`,
		`SELECT * FROM duckdb_schemas()`,
		`SELECT * FROM duckdb_constraints()`,
		`SELECT * FROM pragma_table_info('accounts.users')`,
		`SELECT * FROM pragma_storage_info('accounts.users')`,
		`DESCRIBE accounts.users`,
		`SUMMARIZE accounts.users`,
		`SUMMARIZE SELECT * FROM accounts.tokens`,
		`SHOW TABLES`,
		`SHOW ALL TABLES`,
		`SHOW accounts.users`,
		`PRAGMA show_tables`,
		`SELECT * FROM sqlite_master`,
		`SELECT * FROM pg_catalog.pg_tables`,
		`SELECT * FROM duckdb_logs()`,
		`SELECT * FROM read_blob('` + s.cfg.Store.Path() + `')`,
	} {
		t.Run(q, func(t *testing.T) {
			resp, body := postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken, jsonQuery(q))
			for _, secret := range secrets {
				if strings.Contains(string(body), secret) {
					t.Errorf("%s: %d, the answer shows %q:\n%.400s", q, resp.StatusCode, secret, body)
				}
			}
			if resp.StatusCode >= 500 {
				t.Errorf("%s: %d %s", q, resp.StatusCode, body)
			}
		})
	}
	// The server still answers a real query.
	if resp, body := postRaw(t, ts.URL+"/api/v1/sql", "application/json", testToken, jsonQuery(`SELECT count(*) AS n FROM payments`)); resp.StatusCode != 200 {
		t.Errorf("a real query after the probes: %d %s", resp.StatusCode, body)
	}
}
