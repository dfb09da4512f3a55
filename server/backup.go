package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

// backupPrefix names the backups being written into the spool folder;
// cmd/feeflow sweeps what a killed server left behind.
const backupPrefix = "feeflow-backup-"

var errNoKey = errorf(CodeNoKey, "this server has no password key (nobody signs in with a password); the database alone is the backup")

// handleBackup streams a consistent copy of the database to an admin:
// Store.Backup writes it into the spool folder (checkpointed under the
// writer lock, read back and checked), then it is sent and deleted.
func (s *Server) handleBackup(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Admin, true); err != nil {
		s.answerError(w, "backup", err)
		return
	}
	f, err := os.CreateTemp(s.cfg.TempDir, backupPrefix+"*.duckdb")
	if err != nil {
		s.answerError(w, "backup", err)
		return
	}
	path := f.Name()
	f.Close()
	os.Remove(path) // Backup writes a file that does not exist yet
	defer os.Remove(path)
	info, err := s.cfg.Store.Backup(r.Context(), path)
	if err != nil {
		s.answerError(w, "backup", err)
		return
	}
	f, err = os.Open(path)
	if err != nil {
		s.answerError(w, "backup", err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filepath.Base(s.cfg.Store.Path())))
	h.Set("Content-Length", strconv.FormatInt(info.Bytes, 10))
	h.Set("Cache-Control", "no-store")
	h.Set("Feeflow-Backup-Tables", strconv.Itoa(info.Check.Tables))
	h.Set("Feeflow-Backup-Rows", strconv.FormatInt(info.Check.Rows, 10))
	h.Set("Feeflow-Backup-Problems", strconv.Itoa(len(info.Check.Problems)))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, f); err != nil {
		s.cfg.Logger.Error("send backup", "err", err)
	}
}

// handleBackupKey sends an admin the password key that goes with a backup:
// without it, the users' password hashes in the copy are of no use and
// everybody must be added again.
func (s *Server) handleBackupKey(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Admin, true); err != nil {
		s.answerError(w, "backup key", err)
		return
	}
	if len(s.cfg.PasswordKey) == 0 {
		s.answerError(w, "backup key", errNoKey)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(append(append([]byte{}, s.cfg.PasswordKey...), '\n'))
}
