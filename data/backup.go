package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BackupInfo describes a backup that was written and verified.
type BackupInfo struct {
	Path  string
	Bytes int64
	Check *Report // the copy's own check: every block read, every invariant tested
}

// Backup writes a consistent copy of the database to out, a file that must
// not exist yet, and verifies it before giving it its name.
//
// The copy is of the database file's bytes, taken while nothing can write:
// a read-write store (the server, the single writer) holds its writer lock
// and checkpoints first, so the file holds every committed batch and the
// write-ahead log is empty; a read-only store is itself the proof that no
// other process writes (DuckDB lets no writer in beside a reader), and it
// refuses a file whose last writer left a write-ahead log behind. The copy
// is written beside out, synced, opened read-only and checked (every block
// read, so a damaged source fails the backup instead of being copied), and
// only then renamed to out; invariants the data breaks are reported in
// BackupInfo.Check, not refused. Restoring is copying the file back.
func (s *Store) Backup(ctx context.Context, out string) (*BackupInfo, error) {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if absOut == s.absPath {
		return nil, errors.New("backup: --out is the database itself")
	}
	if _, err := os.Stat(out); err == nil {
		return nil, fmt.Errorf("backup: %s exists; choose a new file name (a backup never overwrites)", out)
	}
	tmp := out + ".partial"
	defer os.Remove(tmp)
	if err := s.copyQuiescent(ctx, tmp); err != nil {
		return nil, err
	}
	copyStore, err := Open(ctx, tmp, Options{ReadOnly: true, Location: s.loc})
	if err != nil {
		return nil, fmt.Errorf("backup: the copy does not open: %w", err)
	}
	report, err := copyStore.Check(ctx)
	copyStore.Close()
	if err != nil {
		return nil, fmt.Errorf("backup: check the copy: %w", err)
	}
	for _, p := range report.Problems {
		// A block that cannot be read is damage the copy must not carry
		// silently; a broken invariant is the data's, and the backup keeps
		// it as it is (the report says so).
		if p.Check == "blocks" || p.Check == "catalog" {
			return nil, fmt.Errorf("backup: the copy cannot be read back, so the database itself is damaged (run `feeflow check`): %s", p.Message)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	st, err := os.Stat(out)
	if err != nil {
		return nil, err
	}
	return &BackupInfo{Path: out, Bytes: st.Size(), Check: report}, nil
}

// copyQuiescent copies the database file to dst while no one writes it.
func (s *Store) copyQuiescent(ctx context.Context, dst string) error {
	if s.readOnly {
		if _, err := os.Stat(s.path + ".wal"); err == nil {
			return fmt.Errorf("backup: %s has a write-ahead log its last writer did not fold in; "+
				"open it once with a command that writes (`feeflow serve`, `feeflow ingest`) or back it up through the running server", s.path)
		}
		return copyFile(ctx, s.path, dst)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return fmt.Errorf("backup: checkpoint: %w", err)
	}
	return copyFile(ctx, s.path, dst)
}

// copyFile copies src to a new file dst and syncs it.
func copyFile(ctx context.Context, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = io.Copy(out, &ctxReader{ctx: ctx, r: in})
	if serr := out.Sync(); err == nil {
		err = serr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: write %s: %w", dst, err)
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
