package data

import (
	"errors"
	"strings"
	"syscall"
)

// IsDiskFull reports whether err says the disk is full: a Go file operation
// failing with ENOSPC, or DuckDB failing to write its file, WAL or temp
// files (DuckDB reports only the operating system's text, "No space left on
// device", not the error number).
func IsDiskFull(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "No space left on device")
}
