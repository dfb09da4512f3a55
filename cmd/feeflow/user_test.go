package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runWithStdin runs a command line with stdin.
func runWithStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, stdin: strings.NewReader(stdin), getenv: func(string) string { return "" },
		now: func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

func TestUsersAndTokens(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fees.duckdb")
	// serve refuses a database nobody could use.
	if code, _, errOut := runCmd(t, dir, nil, "serve", "--db", db, "--addr", "127.0.0.1:0"); code != 2 || !strings.Contains(errOut, "feeflow user add") {
		t.Fatalf("serve with no user and no token: exit %d %s, want 2 saying how to add one", code, errOut)
	}
	if code, out, errOut := runWithStdin(t, "mei-password-1\n", "user", "add", "--db", db, "--name", "mei", "--role", "finance"); code != 0 || !strings.Contains(out, "added user mei (finance)") {
		t.Fatalf("user add (password on stdin): exit %d %s%s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, dir, map[string]string{"FEEFLOW_PASSWORD": "ann-password-1"}, "user", "add", "--db", db, "--name", "ann", "--role", "analyst+viewer"); code != 0 {
		t.Fatalf("user add (FEEFLOW_PASSWORD): exit %d %s", code, errOut)
	}
	if code, _, errOut := runWithStdin(t, "other-password\n", "user", "add", "--db", db, "--name", "mei", "--role", "admin"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("user add of an existing name: exit %d %s", code, errOut)
	}
	if code, _, errOut := runWithStdin(t, "short\n", "user", "add", "--db", db, "--name", "bob"); code != 1 || !strings.Contains(errOut, "at least 8") {
		t.Errorf("user add with a short password: exit %d %s", code, errOut)
	}
	for _, bad := range [][]string{
		{"user", "add", "--db", db, "--name", "x", "--role", "boss"},
		{"user", "add", "--db", db, "--name", "../x"},
		{"user", "rename", "--db", db},
		{"user"},
		{"token", "--name", "etl", "--role", "boss"},
	} {
		if code, _, _ := runWithStdin(t, "password-123\n", bad...); code != 2 {
			t.Errorf("feeflow %s: exit %d, want 2", strings.Join(bad, " "), code)
		}
	}
	code, out, errOut := runCmd(t, dir, nil, "token", "--db", db, "--name", "etl", "--role", "analyst")
	if code != 0 || !strings.Contains(out, "token etl (analyst) stored") {
		t.Fatalf("token --db: exit %d %s%s", code, out, errOut)
	}
	tok := out[strings.LastIndex(out, " ")+1:]
	code, out, _ = runCmd(t, dir, nil, "user", "list", "--db", db)
	for _, want := range []string{"ann   user   viewer+analyst", "mei   user   finance", "etl   token  analyst"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("user list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, strings.TrimSpace(tok)) || strings.Contains(out, "$2a$") {
		t.Errorf("user list shows a secret:\n%s", out)
	}
	if code, out, _ := runCmd(t, dir, nil, "user", "remove", "--db", db, "--name", "mei"); code != 0 || !strings.Contains(out, "removed user mei") {
		t.Errorf("user remove: exit %d %s", code, out)
	}
	if code, _, _ := runCmd(t, dir, nil, "user", "remove", "--db", db, "--name", "mei"); code != 1 {
		t.Errorf("user remove of a removed user: exit %d, want 1", code)
	}
	if code, _, _ := runCmd(t, dir, nil, "token", "--db", db, "--name", "etl", "--remove"); code != 0 {
		t.Errorf("token --remove: exit %d", code)
	}
	// The password key lives beside the database, readable by its owner only.
	if fi, err := os.Stat(db + ".key"); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() < 32 {
		t.Errorf("password key %s: %v %v", db+".key", fi, err)
	}
	first, _ := passwordKey(db)
	if again, err := passwordKey(db); err != nil || string(again) != string(first) {
		t.Errorf("the password key changed between two reads: %v", err)
	}
}

func TestSpoolFolderIsSweptAtStart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "fees.duckdb")
	os.MkdirAll(db+".spool", 0o700)
	left := filepath.Join(db+".spool", "feeflow-upload-123")
	os.WriteFile(left, []byte("a killed server's upload"), 0o600)
	got, err := spoolDir(db)
	if err != nil || got != db+".spool" {
		t.Fatalf("spoolDir = %q %v", got, err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Error("a spool file left by a killed server survived the start")
	}
}
