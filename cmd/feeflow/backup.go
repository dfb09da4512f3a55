package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"net/http"
	"os"
	"strings"

	"github.com/feeflow/feeflow/data"
)

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "--db PATH --out FILE | --server URL --token T --out FILE")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "the backup file to write (must not exist), with FILE.key beside it when the database has a password key; restore by copying both back")
	srv := fs.String("server", "", "take the backup through a running `feeflow serve` at URL (admin token)")
	token := fs.String("token", "", "token for --server (default: $FEEFLOW_TOKEN)")
	tz := tzFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || (*db == "") == (*srv == "") {
		return usagef("--out and one of --db or --server are required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists; choose a new file name (a backup never overwrites)", *out)
	}
	if *srv != "" {
		tok := *token
		if tok == "" {
			tok = e.getenv("FEEFLOW_TOKEN")
		}
		return backupFromServer(ctx, e, strings.TrimRight(*srv, "/"), tok, *out)
	}
	loc, err := loadZone(*tz)
	if err != nil {
		return err
	}
	store, err := openReadOnly(ctx, *db, loc, false, false)
	if data.IsLocked(err) {
		return fmt.Errorf("%s is held by a running `feeflow serve` (%s); take the backup through it: "+
			"feeflow backup --server URL --token ADMIN_TOKEN --out %s", *db, lockHolder(err), *out)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	info, err := store.Backup(ctx, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s (%s); the copy was read back: %d tables to the end (%d rows), %d invariants tested\n",
		*db, info.Path, byteCount(info.Bytes), info.Check.Tables, info.Check.Rows, info.Check.Invariants)
	for _, p := range info.Check.Problems {
		fmt.Fprintf(e.stderr, "warning: the data (and so its copy) breaks an invariant: %s: %s\n", p.Check, p.Message)
	}
	key, err := os.ReadFile(*db + ".key")
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		fmt.Fprintf(e.stdout, "restore: stop whatever uses %s, then copy %s over it\n", *db, info.Path)
		return nil
	case err != nil:
		return fmt.Errorf("password key: %w", err)
	}
	if err := writeKey(*out+".key", key); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password key copied to %s.key\nrestore: stop whatever uses %s, then copy %s over it and %s.key over %s.key\n",
		*out, *db, info.Path, *out, *db)
	return nil
}

// backupFromServer downloads a backup the server takes (consistent: under
// its writer lock, read back and checked) into out, and the password key
// into out.key.
func backupFromServer(ctx context.Context, e *env, base, token, out string) error {
	get := func(path string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("backup from %s: %w", base, err)
		}
		return resp, nil
	}
	resp, err := get("/api/v1/backup")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return answerError(resp)
	}
	tmp := out + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp)
	n, err := io.Copy(f, resp.Body)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("the answer ended after %d of %d bytes", n, resp.ContentLength)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The server checked its copy; this proves the file arrived whole and opens.
	cp, err := data.Open(ctx, tmp, data.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("backup: the downloaded copy does not open: %w", err)
	}
	cp.Close()
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backed up the server's database to %s (%s); the server read its copy back: %s tables, %s rows, %s problems\n",
		out, byteCount(n), resp.Header.Get("Feeflow-Backup-Tables"), resp.Header.Get("Feeflow-Backup-Rows"), resp.Header.Get("Feeflow-Backup-Problems"))

	kresp, err := get("/api/v1/backup/key")
	if err != nil {
		return err
	}
	defer kresp.Body.Close()
	if kresp.StatusCode == http.StatusNotFound {
		fmt.Fprintf(e.stdout, "the server has no password key; restore: copy %s over the database while no feeflow uses it\n", out)
		return nil
	}
	if kresp.StatusCode != http.StatusOK {
		return answerError(kresp)
	}
	key, err := io.ReadAll(io.LimitReader(kresp.Body, 4096))
	if err != nil {
		return fmt.Errorf("backup key: %w", err)
	}
	if err := writeKey(out+".key", key); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password key saved to %s.key\nrestore: stop the server, then copy %s over its database and %s.key over DB.key beside it\n", out, out, out)
	return nil
}

// writeKey writes a copy of the password key, readable by its owner only.
func writeKey(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("password key: %w", err)
	}
	_, err = f.Write(key)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("password key: %w", err)
	}
	return nil
}

// answerError reads the server's {"error", "code"} answer.
func answerError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var a struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if json.Unmarshal(body, &a) != nil || a.Error == "" {
		return fmt.Errorf("server answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return &serverError{status: resp.Status, code: a.Code, msg: a.Error}
}
