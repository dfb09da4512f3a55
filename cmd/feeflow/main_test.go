package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/server"
)

// runCmd runs one command line in-process and returns its exit status and output.
func runCmd(t *testing.T, dir string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, stdin: strings.NewReader(""),
		getenv: func(k string) string { return vars[k] },
		now:    func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
	wd, _ := os.Getwd()
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

// readmeCommands are the ./feeflow lines of the README's shell examples that
// run to completion by themselves (not the server, which runs until stopped).
func readmeCommands(t *testing.T) [][]string {
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds [][]string
	inShell := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```sh"):
			inShell = true
		case strings.HasPrefix(line, "```"):
			inShell = false
		case inShell && strings.HasPrefix(line, "./feeflow ") && !strings.HasSuffix(line, "&"):
			cmds = append(cmds, strings.Fields(line)[1:])
		}
	}
	if len(cmds) == 0 {
		t.Fatal("found no ./feeflow commands in README.md")
	}
	return cmds
}

func TestReadmeCommandsWork(t *testing.T) {
	dir := t.TempDir()
	for _, args := range readmeCommands(t) {
		code, out, errOut := runCmd(t, dir, nil, args...)
		if code != 0 {
			t.Fatalf("feeflow %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
}

func TestIngestExitCodesAndReport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "f.duckdb")
	good := filepath.Join(dir, "fee_items.csv")
	os.WriteFile(good, []byte("code,name,unit,rate,effective_from\nMGMT,Management,m2,2.50,2025-01-01\n"), 0o644)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("code,name,unit,rate,effective_from\nPARK,Parking,month,12.345,2025-01-01\n"), 0o644)

	if code, _, errOut := runCmd(t, "", nil, "ingest", "--db", db, good); code != 2 || !strings.Contains(errOut, "--kind is required") {
		t.Errorf("ingest without --kind: exit %d %q, want 2", code, errOut)
	}
	if code, _, _ := runCmd(t, "", nil, "nonsense"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	code, out, _ := runCmd(t, "", nil, "ingest", "--db", db, "--kind", "fee_items", good)
	if code != 0 || !strings.Contains(out, "fee_items.csv: ingested as batch") {
		t.Errorf("good file: exit %d %q", code, out)
	}
	code, out, _ = runCmd(t, "", nil, "ingest", "--db", db, "--kind", "fee_items", bad)
	if code != 1 || !strings.Contains(out, "rejected, nothing written") || !strings.Contains(out, `2    rate    "12.345"`) {
		t.Errorf("bad file: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "", nil, "ingest", "--db", db, "--kind", "fee_items", good)
	if code != 0 || !strings.Contains(out, "already ingested") {
		t.Errorf("same file again: exit %d %q", code, out)
	}
}

func TestTokenCommandPrintsAHashedLine(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "token", "--name", "finance", "--role", "finance+analyst")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var tok, line string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "token (give it to finance; it is not stored anywhere): "); ok {
			tok = v
		}
		if v, ok := strings.CutPrefix(l, "line for --tokens-file: "); ok {
			line = v
		}
	}
	if len(tok) != 48 || strings.Contains(line, tok) {
		t.Fatalf("token %q, line %q: want a fresh token and a line without it", tok, line)
	}
	toks, err := server.ReadTokensFile(strings.NewReader(line + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if name, roles, ok := toks.Check(tok); !ok || name != "finance" || roles.String() != "finance+analyst" {
		t.Errorf("the printed line %q does not accept the printed token with its roles (%q %v)", line, roles, ok)
	}
}

// TestGenWritesInTheZoneOfTz: gen writes its local times in --tz, never a
// time the zone's clocks skipped, and ingest in the same zone takes them;
// an unknown zone is bad usage, for gen as for the commands that do not
// depend on it.
func TestGenWritesInTheZoneOfTz(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, dir, nil, "gen", "--out", "exports", "--customers", "60", "--months", "3", "--seed", "3", "--end", "2026-05", "--tz", "America/New_York")
	if code != 0 || !strings.Contains(out, "timestamps in America/New_York") {
		t.Fatalf("gen: exit %d\n%s%s", code, out, errOut)
	}
	db := filepath.Join(dir, "fees.duckdb")
	for _, f := range []struct{ kind, file string }{
		{"fee_items", "fee_items.csv"}, {"customers", "customers.csv"}, {"bills", "bills.csv"},
		{"payments", "payments.csv"}, {"settlements", "settlements_wechat.csv"},
	} {
		if code, out, errOut := runCmd(t, dir, nil, "ingest", "--db", db, "--kind", f.kind, "--tz", "America/New_York", filepath.Join("exports", f.file)); code != 0 {
			t.Fatalf("ingest %s: exit %d\n%s%s", f.file, code, out, errOut)
		}
	}
	for _, args := range [][]string{
		{"gen", "--out", "x", "--tz", "Mars/Olympus"},
		{"profiles", "--tz", "Mars/Olympus"},
	} {
		if code, _, errOut := runCmd(t, dir, nil, args...); code != 2 || !strings.Contains(errOut, "unknown time zone") {
			t.Errorf("feeflow %s: exit %d, %s", strings.Join(args, " "), code, errOut)
		}
	}
}
